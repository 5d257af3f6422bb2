import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileAccessError, StoreLinkError } from 'trainbook/core';
import { nodeFiles } from '../../../sdk/src/store/nodeFiles.js';
import { tempDir } from '../../helpers/tmp.js';

describe('nodeFiles', () => {
  it('lists a link as a link with its target, and reads nothing through it', () => {
    const root = tempDir();
    const secret = path.join(tempDir(), 'secret');
    fs.writeFileSync(secret, 'key');
    fs.mkdirSync(path.join(root, 'runs'));
    fs.symlinkSync(secret, path.join(root, 'runs', 'x'));
    const files = nodeFiles(root);
    expect(files.list('runs')).toEqual([{ name: 'x', kind: 'link', target: secret }]);
    expect(() => files.readText('runs/x')).toThrow(StoreLinkError);
    expect(files.readText('runs/missing')).toBeNull();
    expect(files.list('nothing')).toBeNull();
  });

  it('writes whole files (making folders), exclusively when asked, and never renames over anything', () => {
    const root = path.join(tempDir(), 'store');
    const files = nodeFiles(root);
    files.write('runs/a/run.json', '{}');
    files.write('runs/a/run.json', '{"v":2}');
    expect(files.readText('runs/a/run.json')).toBe('{"v":2}');
    expect(() => files.write('runs/a/run.json', 'x', { exclusive: true })).toThrow(expect.objectContaining({ code: 'exists' }) as FileAccessError);
    files.write('runs/b/run.json', '{}');
    expect(() => files.rename('runs/b', 'runs/a')).toThrow(/exists already/);
    fs.mkdirSync(path.join(root, 'runs', 'empty'));
    expect(() => files.rename('runs/b', 'runs/empty')).toThrow(/exists already/);
    files.rename('runs/b', 'runs/c');
    expect(files.list('runs')!.map((e) => e.name).sort()).toEqual(['a', 'c', 'empty']);
    files.remove('runs/c');
    expect(files.readText('runs/c/run.json')).toBeNull();
  });

  it('refuses paths that leave the store', () => {
    expect(() => nodeFiles(tempDir()).readText('../x')).toThrow(/not a path inside the store/);
  });
});
