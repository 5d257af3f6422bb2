import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { StoreError, StoreLinkError } from '../../../core/src/errors.js';
import { writeFileAtomic } from '../../../sdk/src/store/atomic.js';
import {
  createStoreFile,
  findStoreLinks,
  inRun,
  inStore,
  listStoreDir,
  makeStoreDirs,
  openStoreFile,
  readStoreText,
  storeEntryKind,
  writeStoreFile,
} from '../../../sdk/src/store/safePath.js';
import { tempDir } from '../../helpers/tmp.js';

/** A store folder and, beside it (outside the store), a folder with a secret in it. */
function storeAndOutside() {
  const base = tempDir();
  const store = path.join(base, 'train.trainbook');
  const outside = path.join(base, 'outside');
  fs.mkdirSync(path.join(store, 'runs', 'r1'), { recursive: true });
  fs.mkdirSync(outside);
  fs.writeFileSync(path.join(outside, 'secret'), 'TOP SECRET');
  return { base, store, outside, secret: path.join(outside, 'secret') };
}

describe('safePath', () => {
  it('reads and writes plain store files, and reads a missing one as null', () => {
    const { store } = storeAndOutside();
    writeStoreFile(inStore(store, 'runs/r1/run.json'), '{"a":1}');
    expect(readStoreText(inStore(store, 'runs', 'r1', 'run.json'))).toBe('{"a":1}');
    expect(readStoreText(inRun(path.join(store, 'runs', 'r1'), 'run.json'))).toBe('{"a":1}');
    expect(readStoreText(inStore(store, 'runs/r1/nothing.json'))).toBeNull();
    expect(readStoreText(inStore(store, 'runs/nothing/run.json'))).toBeNull();
  });

  it('refuses a linked file, for reading and for writing, and names the link', () => {
    const { store, secret } = storeAndOutside();
    const link = path.join(store, 'runs', 'r1', 'events.jsonl');
    fs.symlinkSync(secret, link);
    const place = inRun(path.join(store, 'runs', 'r1'), 'events.jsonl');
    expect(() => readStoreText(place)).toThrow(StoreLinkError);
    expect(() => readStoreText(place)).toThrow(`${link} is a symbolic link (to ${secret})`);
    expect(() => writeStoreFile(place, 'x')).toThrow(StoreLinkError);
    expect(() => openStoreFile(place, 'a')).toThrow(StoreLinkError);
    expect(() => createStoreFile(place, 'x')).toThrow();
    expect(storeEntryKind(place)).toBe('link');
    expect(fs.readFileSync(secret, 'utf8')).toBe('TOP SECRET');
  });

  it('refuses a linked folder anywhere on the way down from the root', () => {
    const { store, outside } = storeAndOutside();
    fs.symlinkSync(outside, path.join(store, 'runs', 'r2'));
    fs.symlinkSync(outside, path.join(store, 'executions'));
    for (const relative of ['runs/r2/secret', 'runs/r2/new.json', 'executions/x.json']) {
      const place = inStore(store, relative);
      expect(() => readStoreText(place), relative).toThrow(StoreLinkError);
      expect(() => writeStoreFile(place, 'x'), relative).toThrow(StoreLinkError);
      expect(() => makeStoreDirs(inStore(store, path.posix.dirname(relative), 'sub')), relative).toThrow(StoreLinkError);
      expect(() => storeEntryKind(place), relative).toThrow(StoreLinkError);
    }
    expect(() => listStoreDir(inStore(store, 'executions'))).toThrow(StoreLinkError);
    expect(fs.readdirSync(outside)).toEqual(['secret']);
  });

  it('takes a store root that is itself a link as the user chose it', () => {
    const { base, store } = storeAndOutside();
    const named = path.join(base, 'named.trainbook');
    fs.symlinkSync(store, named);
    writeStoreFile(inStore(named, 'store.json'), '{"format":1}');
    expect(fs.readFileSync(path.join(store, 'store.json'), 'utf8')).toBe('{"format":1}');
    expect(listStoreDir(inStore(named, 'runs'))).toEqual([{ name: 'r1', kind: 'directory' }]);
  });

  it('makes folders one level at a time and lists entries with links as links', () => {
    const { store, outside } = storeAndOutside();
    makeStoreDirs(inStore(store, 'runs/r3/artifacts/models'));
    expect(fs.statSync(path.join(store, 'runs/r3/artifacts/models')).isDirectory()).toBe(true);
    fs.symlinkSync(outside, path.join(store, 'runs', 'r4'));
    expect(listStoreDir(inStore(store, 'runs'))!.sort((a, b) => a.name.localeCompare(b.name))).toEqual([
      { name: 'r1', kind: 'directory' },
      { name: 'r3', kind: 'directory' },
      { name: 'r4', kind: 'link' },
    ]);
    expect(listStoreDir(inStore(store, 'nothing'))).toBeNull();
  });

  it('refuses paths that leave the store', () => {
    const { store } = storeAndOutside();
    expect(() => inStore(store, '../outside/secret')).toThrow(StoreError);
    expect(() => inStore(store, 'runs', '..', '..', 'x')).toThrow(StoreError);
    expect(() => inStore(store, '/etc/passwd')).toThrow(StoreError);
  });

  it('never opens what is not a regular file (a FIFO would hang a reader)', () => {
    const { store } = storeAndOutside();
    const fifo = path.join(store, 'runs', 'r1', 'run.json');
    try {
      execFileSync('mkfifo', [fifo]);
    } catch {
      return; // no mkfifo here
    }
    expect(() => readStoreText(inStore(store, 'runs/r1/run.json'))).toThrow(/not a regular file/);
  });

  it('finds every link in a store without following any', () => {
    const { store, outside, secret } = storeAndOutside();
    fs.symlinkSync(secret, path.join(store, 'runs', 'r1', 'events.jsonl'));
    fs.symlinkSync(outside, path.join(store, 'executions'));
    fs.symlinkSync('/nowhere', path.join(store, 'store.json'));
    fs.mkdirSync(path.join(outside, 'deeper'));
    fs.symlinkSync(secret, path.join(outside, 'deeper', 'x'));
    expect(findStoreLinks(inStore(store))).toEqual(['executions', 'runs/r1/events.jsonl', 'store.json']);
  });
});

describe('writeFileAtomic()', () => {
  it('never writes through a link planted under the name of its temporary file', () => {
    const { store, secret } = storeAndOutside();
    const file = path.join(store, 'store.json');
    // The first names this process would pick for its temporary files.
    for (let i = 0; i < 50; i++) {
      try {
        fs.symlinkSync(secret, path.join(store, `.store.json.${process.pid}.${i}.tmp`));
      } catch {
        // taken
      }
    }
    writeFileAtomic(file, '{"format":1}');
    expect(fs.readFileSync(file, 'utf8')).toBe('{"format":1}');
    expect(fs.readFileSync(secret, 'utf8')).toBe('TOP SECRET');
  });
});
