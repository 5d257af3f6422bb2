/**
 * Publishing reports: into a folder (with an index.html of every report published there), or
 * into a git branch through a temporary clone that is pushed and deleted, so the user's own
 * working tree is never touched.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { TrainbookError } from 'trainbook/core';
import { readTemplateFiles } from './assets.js';
import { compileTemplates } from './templates.js';
import { writeFileAtomic } from './write.js';

export const MANIFEST = 'trainbook-reports.json';

export interface PublishedEntry {
  file: string;
  title: string;
  runs: number;
  publishedAt: string;
}

export class PublishError extends TrainbookError {
  constructor(message: string) {
    super('publish', message);
  }
}

function readManifest(dir: string): PublishedEntry[] {
  try {
    const parsed = JSON.parse(fs.readFileSync(path.join(dir, MANIFEST), 'utf8')) as { reports?: unknown };
    if (!Array.isArray(parsed.reports)) return [];
    return parsed.reports.filter(
      (entry): entry is PublishedEntry =>
        typeof entry === 'object' && entry !== null && typeof entry.file === 'string' && typeof entry.title === 'string' && typeof entry.publishedAt === 'string' && typeof entry.runs === 'number',
    );
  } catch {
    return [];
  }
}

/** Writes the report and rewrites the folder's index. */
export function publishToFolder(dir: string, report: { file: string; html: string; title: string; runs: number; publishedAt: string }, templateDir?: string | null): void {
  fs.mkdirSync(dir, { recursive: true });
  writeFileAtomic(path.join(dir, report.file), report.html);
  const entries = readManifest(dir).filter((entry) => entry.file !== report.file);
  entries.unshift({ file: report.file, title: report.title, runs: report.runs, publishedAt: report.publishedAt });
  writeFileAtomic(path.join(dir, MANIFEST), `${JSON.stringify({ format: 1, reports: entries }, null, 2)}\n`);
  const templates = compileTemplates(readTemplateFiles(templateDir));
  const index = templates.render('index', {
    reports: entries.map((entry) => ({ ...entry, link: encodeURIComponent(entry.file) })),
    css: readTemplateFiles(templateDir).get('report.css')?.source ?? '',
  });
  writeFileAtomic(path.join(dir, 'index.html'), index);
  // GitHub Pages: serve files as they are.
  if (!fs.existsSync(path.join(dir, '.nojekyll'))) fs.writeFileSync(path.join(dir, '.nojekyll'), '');
}

function git(args: string[], cwd: string, allowFailure = false): { status: number; stdout: string; stderr: string } {
  const result = spawnSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, GIT_TERMINAL_PROMPT: '0' } });
  if (result.error) throw new PublishError(`git is needed to publish to a branch: ${result.error.message}`);
  if (result.status !== 0 && !allowFailure) throw new PublishError(`git ${args[0]} failed: ${(result.stderr || result.stdout).trim()}`);
  return { status: result.status ?? 1, stdout: result.stdout, stderr: result.stderr };
}

/** A remote name of the repository at `cwd` (read only), a path that exists, or a URL as given. */
export function resolveRemote(remote: string, cwd: string): string {
  if (/^[A-Za-z0-9._-]+$/.test(remote)) {
    const named = spawnSync('git', ['remote', 'get-url', remote], { cwd, encoding: 'utf8' });
    if (named.status === 0 && named.stdout.trim()) return named.stdout.trim();
  }
  const asPath = path.resolve(cwd, remote);
  if (fs.existsSync(asPath)) return asPath;
  return remote;
}

/** Publishes into `branch` of `remoteUrl` and pushes; returns the commit. */
export function publishToGit(
  remoteUrl: string,
  branch: string,
  report: { file: string; html: string; title: string; runs: number; publishedAt: string },
  options: { templateDir?: string | null; progress?: (line: string) => void } = {},
): string {
  const progress = options.progress ?? (() => {});
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'trainbook-publish-'));
  try {
    const exists = git(['ls-remote', '--heads', remoteUrl, `refs/heads/${branch}`], work).stdout.trim() !== '';
    const clone = path.join(work, 'site');
    if (exists) {
      progress(`fetching ${branch}…`);
      git(['clone', '--quiet', '--depth', '1', '--branch', branch, '--single-branch', remoteUrl, clone], work);
    } else {
      progress(`creating branch ${branch}…`);
      git(['init', '--quiet', clone], work);
      git(['checkout', '--quiet', '--orphan', branch], clone);
      git(['remote', 'add', 'origin', remoteUrl], clone);
    }
    publishToFolder(clone, report, options.templateDir);
    git(['add', '--all'], clone);
    if (git(['status', '--porcelain'], clone).stdout.trim() === '') return git(['rev-parse', 'HEAD'], clone).stdout.trim();
    const identity = git(['config', 'user.email'], clone, true).status === 0 ? [] : ['-c', 'user.name=trainbook', '-c', 'user.email=trainbook@localhost'];
    git([...identity, 'commit', '--quiet', '-m', `trainbook: publish ${report.file}`], clone);
    progress(`pushing to ${branch}…`);
    git(['push', '--quiet', 'origin', `HEAD:refs/heads/${branch}`], clone);
    return git(['rev-parse', 'HEAD'], clone).stdout.trim();
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}
