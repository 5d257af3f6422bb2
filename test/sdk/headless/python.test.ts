import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findProjectRoot, resolvePython, statFacts, untrustedReason } from '../../../sdk/src/headless/python.js';
import { tempDir } from '../../helpers/tmp.js';

const uid = process.getuid!();

/** A `.venv` in `dir` with an executable `bin/python`; returns the interpreter's path. */
function plantVenv(dir: string): string {
  const python = path.join(dir, '.venv', 'bin', 'python');
  fs.mkdirSync(path.dirname(python), { recursive: true, mode: 0o755 });
  fs.writeFileSync(python, '#!/bin/sh\n', { mode: 0o755 });
  for (const part of [path.join(dir, '.venv'), path.dirname(python), python]) fs.chmodSync(part, 0o755);
  return python;
}

function lookup(notebookDir: string, extra: { option?: string; env?: NodeJS.ProcessEnv } = {}) {
  return resolvePython({ option: extra.option, notebookDir, env: extra.env ?? {}, stat: statFacts, uid, platform: 'linux' });
}

/** `<tmp>/shared/project/notebooks`, with package.json in project/ (the project root). */
function layout(): { shared: string; project: string; notebooks: string } {
  const shared = path.join(tempDir(), 'shared');
  const project = path.join(shared, 'project');
  const notebooks = path.join(project, 'notebooks');
  fs.mkdirSync(notebooks, { recursive: true });
  fs.writeFileSync(path.join(project, 'package.json'), '{}');
  return { shared, project, notebooks };
}

describe('python', () => {
  describe('resolvePython()', () => {
    it('prefers the option, then TRAINBOOK_PYTHON, then a .venv in the notebook folder, then in the project root, then python3', () => {
      const { project, notebooks } = layout();
      expect(lookup(notebooks)).toEqual({ python: 'python3', source: 'path', warnings: [] });
      const rootVenv = plantVenv(project);
      expect(lookup(notebooks)).toEqual({ python: rootVenv, source: 'venv', warnings: [] });
      const ownVenv = plantVenv(notebooks);
      expect(lookup(notebooks)).toEqual({ python: ownVenv, source: 'venv', warnings: [] });
      expect(lookup(notebooks, { env: { TRAINBOOK_PYTHON: '/env/python' } }).python).toBe('/env/python');
      expect(lookup(notebooks, { option: '/opt/python', env: { TRAINBOOK_PYTHON: '/env/python' } }).python).toBe('/opt/python');
    });

    it('never takes a .venv planted in a folder above that is neither the notebook folder nor the project root', () => {
      const { shared, notebooks } = layout();
      plantVenv(shared); // two levels above the notebook, above the project root
      expect(lookup(notebooks)).toEqual({ python: 'python3', source: 'path', warnings: [] });
      // Without any project root, only the notebook's own folder counts.
      const loose = path.join(shared, 'loose', 'deeper');
      fs.mkdirSync(loose, { recursive: true });
      expect(lookup(loose).python).toBe('python3');
    });

    it('skips, with a warning, a .venv that belongs to another user or that others can write', () => {
      for (const spoil of [
        (venv: string) => fs.chownSync(venv, 65534, 65534),
        (venv: string) => fs.chownSync(path.join(venv, 'bin', 'python'), 65534, 65534),
        (venv: string) => fs.chownSync(path.join(venv, 'bin'), 65534, 65534),
        (venv: string) => fs.chmodSync(venv, 0o775),
        (venv: string) => fs.chmodSync(path.join(venv, 'bin', 'python'), 0o757),
      ]) {
        const { notebooks } = layout();
        const python = plantVenv(notebooks);
        spoil(path.join(notebooks, '.venv'));
        const result = lookup(notebooks);
        expect(result.python).toBe('python3');
        expect(result.warnings).toHaveLength(1);
        expect(result.warnings[0]).toMatch(new RegExp(`^not using ${python}: .* cannot be trusted: it (belongs to another user \\(uid 65534\\)|is writable by (its group|other users) \\(mode \\d+\\))\\. Pass --jupyter-python <path> or set TRAINBOOK_PYTHON`));
      }
    });

    it('falls back from a refused notebook .venv to the project root\'s own one', () => {
      const { project, notebooks } = layout();
      plantVenv(notebooks);
      fs.chownSync(path.join(notebooks, '.venv'), 65534, 65534);
      const rootVenv = plantVenv(project);
      const result = lookup(notebooks);
      expect(result).toMatchObject({ python: rootVenv, source: 'venv' });
      expect(result.warnings).toHaveLength(1);
    });

    it('on Windows (no uid) looks in the same two places, in Scripts\\python.exe', () => {
      const files = new Set(['/w/project/package.json', '/w/project/.venv/Scripts/python.exe', '/w/project/.venv', '/w/project/.venv/Scripts'].map((file) => path.normalize(file)));
      const stat = (file: string) => (files.has(file) ? { uid: 1000, mode: 0o777, isFile: file.endsWith('.exe'), isDirectory: !file.endsWith('.exe') } : null);
      expect(resolvePython({ notebookDir: '/w/project/nb', env: {}, stat, uid: null, platform: 'win32' })).toEqual({ python: path.normalize('/w/project/.venv/Scripts/python.exe'), source: 'venv', warnings: [] });
      expect(resolvePython({ notebookDir: '/w/other/nb', env: {}, stat, uid: null, platform: 'win32' }).python).toBe('python');
    });
  });

  describe('findProjectRoot()', () => {
    it('is the nearest folder with package.json or .git, else null', () => {
      const exists = (file: string) => ['/a/.git', '/a/b/package.json'].includes(file);
      expect(findProjectRoot('/a/b/c/d', exists)).toBe('/a/b');
      expect(findProjectRoot('/a/x', exists)).toBe('/a');
      expect(findProjectRoot('/z', exists)).toBeNull();
    });
  });

  describe('untrustedReason()', () => {
    it('trusts the current user and root, not other users or group/other-writable modes', () => {
      expect(untrustedReason({ uid: 1000, mode: 0o40755, isFile: false, isDirectory: true }, 1000)).toBeNull();
      expect(untrustedReason({ uid: 0, mode: 0o100755, isFile: true, isDirectory: false }, 1000)).toBeNull();
      expect(untrustedReason({ uid: 65534, mode: 0o755, isFile: true, isDirectory: false }, 1000)).toMatch(/another user \(uid 65534\)/);
      expect(untrustedReason({ uid: 1000, mode: 0o775, isFile: true, isDirectory: false }, 1000)).toMatch(/writable by its group \(mode 775\)/);
      expect(untrustedReason({ uid: 1000, mode: 0o757, isFile: true, isDirectory: false }, 1000)).toMatch(/writable by other users/);
    });
  });
});
