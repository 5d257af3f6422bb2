import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { assertSafeRemote, isPublishBranch, parsePublishTarget, PublishTargetError, unsafeRemoteReason } from '../../../sdk/src/report/links.js';
import { publishToGit, resolveRemote } from '../../../sdk/src/report/publish.js';
import { requireBuilt, runCli } from '../../helpers/sdk.js';
import { tempDir } from '../../helpers/tmp.js';
import { makeStore } from './fixtures.js';

const REPORT = { file: 'r.html', html: '<p>r</p>', title: 'r', runs: 1, publishedAt: '2026-01-01T00:00:00.000Z' };

function git(cwd: string, ...args: string[]): void {
  const result = spawnSync('git', args, { cwd, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`git ${args.join(' ')} failed: ${result.stderr}`);
}

/** Every remote or URL here would run `touch <dir>/pwned` (or reach a command-running helper) if git read it as given. */
function hostileRemotes(dir: string): string[] {
  const pwned = path.join(dir, 'pwned');
  return [
    `--upload-pack=touch ${pwned};`,
    `--receive-pack=touch ${pwned};`,
    `-u touch ${pwned};`,
    `ext::sh -c touch% ${pwned}`,
    `fd::3`,
    `evil::whatever`,
    `evilhelper://host/repo`,
    `ssh://-oProxyCommand=touch%20${pwned}/repo`,
    `git@-oProxyCommand=touch ${pwned}:repo`,
    `repo\n--upload-pack=touch ${pwned}`,
  ];
}

function expectNoPwned(dir: string): void {
  expect(fs.existsSync(path.join(dir, 'pwned'))).toBe(false);
}

describe('publish', () => {
  beforeAll(() => requireBuilt());

  describe('parsePublishTarget()', () => {
    it('refuses a remote that git would read as an option or that names a command-running transport', () => {
      for (const remote of hostileRemotes('/tmp/x')) {
        expect(() => parsePublishTarget(`git:${remote}#gh-pages`), remote).toThrow(PublishTargetError);
        expect(unsafeRemoteReason(remote), remote).not.toBeNull();
      }
      expect(() => parsePublishTarget('git:--upload-pack=x')).toThrow(/starts with "-", so git would read it as an option/);
      expect(() => parsePublishTarget('git:ext::sh -c x')).toThrow(/"ext::" transport/);
    });

    it('refuses branch names git would read as options or refs it would misread', () => {
      for (const branch of ['--upload-pack=x', '-b', '.hidden', '/abs', 'a..b', 'a//b', 'a/.b', 'a/-b', 'x.lock', 'x/', 'x.', 'HEAD', 'a b', 'a@{1}', 'a~1', 'a:b', '']) {
        expect(isPublishBranch(branch), branch).toBe(false);
        expect(() => parsePublishTarget(`git:origin#${branch}`), branch).toThrow(PublishTargetError);
      }
    });

    it('keeps remote names, URLs and paths as they are', () => {
      for (const remote of ['origin', 'git@github.com:me/site.git', 'https://github.com/me/site.git', 'ssh://git@example.org:22/site.git', 'file:///srv/site.git', '../site.git', '/srv/site.git', './-odd-folder']) {
        expect(parsePublishTarget(`git:${remote}#reports/v1`), remote).toEqual({ kind: 'git', remote, branch: 'reports/v1' });
      }
      expect(parsePublishTarget('git:origin')).toEqual({ kind: 'git', remote: 'origin', branch: 'gh-pages' });
      expect(assertSafeRemote('origin')).toBe('origin');
    });
  });

  describe('resolveRemote()', () => {
    it('refuses a remote whose configured URL git would read as an option', () => {
      const dir = tempDir();
      const repo = path.join(dir, 'cloned');
      git(dir, 'init', '--quiet', repo);
      for (const url of hostileRemotes(dir)) {
        git(repo, 'config', 'remote.origin.url', url);
        expect(() => resolveRemote('origin', repo), url).toThrow(PublishTargetError);
        expect(() => resolveRemote('origin', repo), url).toThrow(/remote "origin", whose URL is .*`git remote set-url origin <url>`/);
      }
      expectNoPwned(dir);
    });
  });

  describe('publishToGit()', () => {
    it('refuses hostile remotes and branches before running git', () => {
      const dir = tempDir();
      const bare = path.join(dir, 'site.git');
      git(dir, 'init', '--quiet', '--bare', bare);
      for (const remote of hostileRemotes(dir)) expect(() => publishToGit(remote, 'gh-pages', REPORT), remote).toThrow(PublishTargetError);
      for (const branch of [`--upload-pack=touch ${path.join(dir, 'pwned')};`, '-x', 'a..b']) expect(() => publishToGit(bare, branch, REPORT), branch).toThrow(PublishTargetError);
      expectNoPwned(dir);
      expect(spawnSync('git', ['for-each-ref'], { cwd: bare, encoding: 'utf8' }).stdout).toBe('');
    });

    it('takes a path that starts with "./-" as a path, never an option', () => {
      const dir = tempDir();
      const odd = `./--upload-pack=touch ${path.join(dir, 'pwned')};`;
      expect(() => publishToGit(odd, 'gh-pages', REPORT)).toThrow(/git ls-remote failed/);
      expectNoPwned(dir);
      // An existing folder with such a name is used as the repository it is.
      const bare = path.join(dir, '--site.git');
      git(dir, 'init', '--quiet', '--bare', '--', bare);
      const remote = resolveRemote('./--site.git', dir);
      expect(remote).toBe(bare);
      expect(publishToGit(remote, 'gh-pages', REPORT)).toMatch(/^[0-9a-f]{40}$/);
    });

    it('creates and then updates a branch with every git call still working', () => {
      const dir = tempDir();
      const bare = path.join(dir, 'site.git');
      git(dir, 'init', '--quiet', '--bare', bare);
      const first = publishToGit(bare, 'reports/v1', REPORT);
      const second = publishToGit(bare, 'reports/v1', { ...REPORT, file: 's.html' });
      expect(first).not.toBe(second);
      const files = spawnSync('git', ['ls-tree', '--name-only', 'reports/v1'], { cwd: bare, encoding: 'utf8' }).stdout.split('\n').filter(Boolean).sort();
      expect(files).toEqual(['.nojekyll', 'index.html', 'r.html', 's.html', 'trainbook-reports.json']);
      // Nothing changed: no new commit.
      expect(publishToGit(bare, 'reports/v1', { ...REPORT, file: 's.html' })).toBe(second);
    });
  });

  describe('trainbook publish', () => {
    it('exits 2 with a clear message for a remote that git would read as an option, and runs nothing', () => {
      const dir = tempDir();
      makeStore(dir, 20);
      for (const remote of [`--upload-pack=touch ${path.join(dir, 'pwned')};`, `ext::sh -c touch% ${path.join(dir, 'pwned')}`]) {
        const result = runCli(['publish', '--to', `git:${remote}`], dir);
        expectNoPwned(dir);
        expect(result.status, result.stderr).toBe(2);
        expect(result.stderr).toMatch(/trainbook: Refusing to publish to git remote /);
      }
      const branch = runCli(['publish', '--to', 'git:origin#--upload-pack=x'], dir);
      expect(branch.status).toBe(2);
      expect(branch.stderr).toMatch(/is not a branch name trainbook publishes to/);
    });

    it('refuses --to git:origin in a repository whose origin URL starts with --upload-pack=', () => {
      const dir = tempDir();
      makeStore(dir, 20);
      git(dir, 'init', '--quiet');
      for (const url of [`--upload-pack=touch ${path.join(dir, 'pwned')};`, `ext::sh -c touch% ${path.join(dir, 'pwned')}`]) {
        git(dir, 'config', 'remote.origin.url', url);
        const result = runCli(['publish', '--to', 'git:origin#gh-pages'], dir);
        expectNoPwned(dir);
        expect(result.status, result.stderr).toBe(2);
        expect(result.stderr).toMatch(/Refusing to publish to remote "origin", whose URL is/);
      }
    });
  });
});
