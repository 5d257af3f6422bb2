import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/tmp.js';
import { requireBuilt, runCli, runScript } from '../helpers/sdk.js';

beforeAll(requireBuilt);

describe('trainbook ls <folder>', () => {
  // Old: run from the project root, `trainbook ls examples` said "No runs yet in …/examples".
  it('lists the runs of the stores in a folder that is not a store itself', () => {
    const root = tempDir();
    const examples = path.join(root, 'examples');
    fs.mkdirSync(examples);
    fs.writeFileSync(path.join(examples, 'train.ipynb'), '{}');
    const made = runScript(examples, `const run = tb.init({ notebook: 'train.ipynb', name: 'first-try', git: false }); run.log({ loss: 0.5 }); await run.finish();`);
    expect(made.stderr).toBe('');
    const result = runCli(['ls', 'examples'], root);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain('first-try');
    expect(result.stdout).not.toContain('No runs yet');
  });

  it('says a folder holds no store instead of "No runs yet"', () => {
    const root = tempDir();
    fs.mkdirSync(path.join(root, 'examples'));
    fs.writeFileSync(path.join(root, 'examples', 'train.ipynb'), '{}');
    const result = runCli(['ls', 'examples'], root);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('No trainbook store in examples');
    expect(result.stdout).not.toContain('No runs yet');
  });
});
