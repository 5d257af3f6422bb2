import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { collectEnv, collectGit } from '../../../sdk/src/run/provenance.js';
import { resolveStoreLocation, findStores } from '../../../sdk/src/store/paths.js';
import { tempDir } from '../../helpers/tmp.js';

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' } }).trim();
}

describe('provenance', () => {
  describe('collectGit()', () => {
    it('records commit, branch, dirty flag and saves the diff', () => {
      const repo = tempDir();
      git(repo, 'init', '-q', '-b', 'experiments');
      fs.writeFileSync(path.join(repo, 'train.ts'), 'const lr = 0.1;\n');
      git(repo, 'add', '.');
      git(repo, 'commit', '-qm', 'first');
      const runDir = tempDir();
      fs.mkdirSync(path.join(runDir, 'artifacts'));
      const clean = collectGit(repo, runDir)!;
      expect(clean).toMatchObject({ commit: git(repo, 'rev-parse', 'HEAD'), branch: 'experiments', dirty: false, diffFile: null });
      fs.writeFileSync(path.join(repo, 'train.ts'), 'const lr = 0.01;\n');
      const dirty = collectGit(repo, runDir)!;
      expect(dirty.dirty).toBe(true);
      expect(dirty.diffFile).toBe('artifacts/git.diff');
      expect(fs.readFileSync(path.join(runDir, dirty.diffFile!), 'utf8')).toContain('+const lr = 0.01;');
    });
    it('is null outside a git work tree', () => {
      expect(collectGit(tempDir(), tempDir())).toBeNull();
    });

    it('only reads: runs no fsmonitor hook, external diff or textconv program a repository configures', () => {
      const repo = tempDir();
      const outside = tempDir();
      git(repo, 'init', '-q', '-b', 'main');
      fs.writeFileSync(path.join(repo, 'train.ts'), 'const lr = 0.1;\n');
      fs.writeFileSync(path.join(repo, '.gitattributes'), '* diff=evil\n');
      git(repo, 'add', '.');
      git(repo, 'commit', '-qm', 'first');
      // A folder copied from someone else can carry a .git/config like this one.
      git(repo, 'config', 'core.fsmonitor', `touch ${path.join(outside, 'pwned-fsmonitor')}; false #`);
      git(repo, 'config', 'diff.evil.textconv', `touch ${path.join(outside, 'pwned-textconv')}; cat`);
      git(repo, 'config', 'diff.external', `touch ${path.join(outside, 'pwned-external')}; true`);
      fs.writeFileSync(path.join(repo, 'train.ts'), 'const lr = 0.01;\n');
      const runDir = tempDir();
      fs.mkdirSync(path.join(runDir, 'artifacts'));
      const info = collectGit(repo, runDir)!;
      expect(info).toMatchObject({ branch: 'main', dirty: true, diffFile: 'artifacts/git.diff' });
      expect(fs.readFileSync(path.join(runDir, info.diffFile!), 'utf8')).toContain('+const lr = 0.01;');
      expect(fs.readdirSync(outside)).toEqual([]);
    });

    it('gives the branch as HEAD when detached and is null before the first commit', () => {
      const repo = tempDir();
      git(repo, 'init', '-q', '-b', 'main');
      expect(collectGit(repo, tempDir())).toBeNull();
      fs.writeFileSync(path.join(repo, 'HEAD'), 'a file named like the revision\n');
      git(repo, 'add', '.');
      git(repo, 'commit', '-qm', 'first');
      git(repo, 'checkout', '-q', '--detach');
      expect(collectGit(repo, tempDir())).toMatchObject({ commit: git(repo, 'rev-parse', 'HEAD'), branch: 'HEAD', dirty: false });
    });
  });
  describe('collectEnv()', () => {
    it('describes node, OS, CPU and memory', () => {
      const env = collectEnv();
      expect(env.node).toBe(process.version);
      expect(env.cpu.cores).toBeGreaterThan(0);
      expect(env.memoryBytes).toBeGreaterThan(0);
      expect(Array.isArray(env.gpu)).toBe(true);
    });
  });
});

describe('store location', () => {
  it('puts a notebook kernel run in the sidecar store beside the notebook', () => {
    expect(resolveStoreLocation({}, { JPY_SESSION_NAME: 'sub/train.ipynb' }, '/work/sub')).toEqual({ dir: '/work/sub/train.trainbook', notebook: 'train.ipynb' });
    expect(resolveStoreLocation({ notebook: '/a/b.ipynb' }, {}, '/x')).toEqual({ dir: '/a/b.trainbook', notebook: 'b.ipynb' });
  });
  it('uses TRAINBOOK_DIR, then ./.trainbook for scripts', () => {
    expect(resolveStoreLocation({}, { TRAINBOOK_DIR: 'runs' }, '/p').dir).toBe('/p/runs');
    expect(resolveStoreLocation({}, {}, '/p')).toEqual({ dir: '/p/.trainbook', notebook: null });
    expect(resolveStoreLocation({ dir: '/explicit' }, { TRAINBOOK_DIR: 'x' }, '/p').dir).toBe('/explicit');
  });
  it('finds the stores in a folder', () => {
    const dir = tempDir();
    for (const name of ['a.trainbook', '.trainbook', 'not-a-store']) fs.mkdirSync(path.join(dir, name, 'runs'), { recursive: true });
    fs.mkdirSync(path.join(dir, 'empty.trainbook'));
    expect(findStores(dir, {})).toEqual([path.join(dir, '.trainbook'), path.join(dir, 'a.trainbook')]);
  });
});
