import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { init, openStore, TrainbookError, InvalidValueError, ParamCollisionError } from '../../sdk/src/index.js';
import { tempDir } from '../helpers/tmp.js';

const NAMES = [
  '../x',
  '../../../../etc/passwd',
  '/abs/path',
  'C:\\windows\\system32',
  'CON',
  'nul',
  'a\u0000b',
  'line\nbreak\r\n',
  '\u202eevil\u202c',
  '🚀🔥',
  'caf\u00e9', // NFC
  'cafe\u0301', // NFD: a different name, kept apart
  '<script>alert(1)</script>',
  '"quoted", \'single\' `back`',
  ' ',
  '.',
  '..',
  'x'.repeat(1024),
];

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

describe('torture: hostile names and values', () => {
  it('stores every hostile metric, run, tag and param name exactly, and writes nothing outside the store', async () => {
    const outer = tempDir();
    const dir = path.join(outer, 'store');
    const ids: string[] = [];
    for (const name of NAMES) {
      const run = init({ dir, git: false, display: false, name, tags: [name], experiment: name, group: name, params: { [name.replace(/\./g, '_')]: name } });
      run.log({ [name]: 1.5 });
      await run.finish();
      ids.push(run.id);
    }
    const store = openStore(dir);
    NAMES.forEach((name, i) => {
      const data = store.read(ids[i]!);
      expect(data.record.name).toBe(name);
      expect(data.record.tags).toEqual([name]);
      expect(data.record.params[name.replace(/\./g, '_')]).toBe(name);
      expect([...data.series.keys()]).toEqual([name]);
    });
    // NFC and NFD stay two names.
    expect(store.read(ids[NAMES.indexOf('caf\u00e9')]!).series.has('cafe\u0301')).toBe(false);
    // Every file lives in the store, in a folder named by its generated id.
    for (const file of filesUnder(outer)) {
      expect(file.startsWith(dir + path.sep)).toBe(true);
      const relative = path.relative(path.join(dir, 'runs'), file);
      if (!relative.startsWith('..')) expect(relative.split(path.sep)[0]).toMatch(/^\d{8}-\d{9}-[0-9a-z]{5}$/);
    }
  });

  it.each([
    ['a 10 KB metric name', (run: ReturnType<typeof init>) => run.log({ ['x'.repeat(10_240)]: 1 }), InvalidValueError],
    ['step 2^53+1', (run: ReturnType<typeof init>) => run.log({ a: 1 }, { step: 2 ** 53 + 1 }), InvalidValueError],
    ['step -1', (run: ReturnType<typeof init>) => run.log({ a: 1 }, { step: -1 }), InvalidValueError],
    ['a string value', (run: ReturnType<typeof init>) => run.log({ a: 'NaN' as unknown as number }), InvalidValueError],
    ['an empty metric name', (run: ReturnType<typeof init>) => run.log({ '': 1 }), InvalidValueError],
  ])('refuses %s with a typed error and keeps what was stored', async (_, act, type) => {
    const dir = tempDir();
    const run = init({ dir, git: false, display: false });
    run.log({ kept: 1 });
    expect(() => act(run)).toThrow(type);
    await run.finish();
    const data = openStore(dir).read(run.id);
    expect([...data.series.keys()]).toEqual(['kept']);
  });

  it('refuses a 10 KB run name and dotted param collisions with typed errors, creating no run', () => {
    const dir = tempDir();
    expect(() => init({ dir, git: false, display: false, name: 'x'.repeat(10_240) })).toThrow(TrainbookError);
    expect(() => init({ dir, git: false, display: false, params: { 'optimizer.lr': 1, optimizer: { lr: 2 } } })).toThrow(ParamCollisionError);
    expect(fs.existsSync(path.join(dir, 'runs')) ? fs.readdirSync(path.join(dir, 'runs')) : []).toEqual([]);
  });
});
