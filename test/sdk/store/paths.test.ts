import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { storeDirsFromArgument } from '../../../sdk/src/store/paths.js';
import { tempDir } from '../../helpers/tmp.js';

describe('storeDirsFromArgument()', () => {
  function project(): string {
    const dir = tempDir();
    for (const name of ['examples/train.trainbook/runs', 'examples/.trainbook/runs', 'examples/notes', 'empty']) fs.mkdirSync(path.join(dir, name), { recursive: true });
    fs.writeFileSync(path.join(dir, 'examples', 'train.ipynb'), '{}');
    return dir;
  }

  // Old: `trainbook ls examples` opened examples/ itself as a store and said "No runs yet".
  it('reads a folder that is not a store as the stores in it', () => {
    const dir = project();
    expect(storeDirsFromArgument('examples', dir)).toEqual([path.join(dir, 'examples', '.trainbook'), path.join(dir, 'examples', 'train.trainbook')]);
  });

  it('keeps a store folder, a notebook and a missing path as they are; a folder without stores names none', () => {
    const dir = project();
    expect(storeDirsFromArgument('examples/train.trainbook', dir)).toEqual([path.join(dir, 'examples', 'train.trainbook')]);
    expect(storeDirsFromArgument('examples/train.ipynb', dir)).toEqual([path.join(dir, 'examples', 'train.trainbook')]);
    expect(storeDirsFromArgument('empty', dir)).toEqual([]);
    expect(storeDirsFromArgument('missing', dir)).toEqual([path.join(dir, 'missing')]);
    // A store without the suffix (TRAINBOOK_DIR=runs-store) means itself, not its runs folder.
    fs.mkdirSync(path.join(dir, 'custom', 'runs'), { recursive: true });
    expect(storeDirsFromArgument('custom', dir)).toEqual([path.join(dir, 'custom')]);
  });
});
