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
import { assertPublishBranch, assertSafeRemote, GIT_ALLOWED_PROTOCOLS } from './links.js';
import { compileTemplates, securePage } from './templates.js';
import { writeFileAtomic } from './write.js';

export const MANIFEST = 'trainbook-reports.json';

/** The index page's Content-Security-Policy, written by the builder: no script of any kind runs, nothing loads. */
export const INDEX_CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'";

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

/** Writes the report and rewrites the folder's index (a template's index.hbs inside the builder's CSP, see securePage()). */
export function publishToFolder(dir: string, report: { file: string; html: string; title: string; runs: number; publishedAt: string }, templateDir?: string | null): void {
  fs.mkdirSync(dir, { recursive: true });
  writeFileAtomic(path.join(dir, report.file), report.html);
  const entries = readManifest(dir).filter((entry) => entry.file !== report.file);
  entries.unshift({ file: report.file, title: report.title, runs: report.runs, publishedAt: report.publishedAt });
  writeFileAtomic(path.join(dir, MANIFEST), `${JSON.stringify({ format: 1, reports: entries }, null, 2)}\n`);
  const files = readTemplateFiles(templateDir);
  const templates = compileTemplates(files);
  const index = securePage(
    templates.render('index', {
      reports: entries.map((entry) => ({ ...entry, link: encodeURIComponent(entry.file) })),
      css: files.get('report.css')?.source ?? '',
    }),
    { csp: INDEX_CSP },
  );
  writeFileAtomic(path.join(dir, 'index.html'), index);
  // GitHub Pages: serve files as they are.
  if (!fs.existsSync(path.join(dir, '.nojekyll'))) fs.writeFileSync(path.join(dir, '.nojekyll'), '');
}

/**
 * Every git call publishing makes: no credential prompt, and only git's own transports
 * (GIT_ALLOW_PROTOCOL), so a remote can never reach `ext::` or another command-running helper.
 * Callers put `--` (or an `=`-joined option) before every argument that came from the user.
 */
function git(args: string[], cwd: string, allowFailure = false): { status: number; stdout: string; stderr: string } {
  const result = spawnSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_ALLOW_PROTOCOL: GIT_ALLOWED_PROTOCOLS } });
  if (result.error) throw new PublishError(`git is needed to publish to a branch: ${result.error.message}`);
  if (result.status !== 0 && !allowFailure) throw new PublishError(`git ${args[0]} failed: ${(result.stderr || result.stdout).trim()}`);
  return { status: result.status ?? 1, stdout: result.stdout, stderr: result.stderr };
}

/**
 * A remote name of the repository at `cwd` (read only), a path that exists, or a URL as given.
 * Throws a PublishTargetError for a remote, or a URL a remote name stands for, that git could
 * read as an option or that names a command-running transport.
 */
export function resolveRemote(remote: string, cwd: string): string {
  assertSafeRemote(remote);
  if (/^[A-Za-z0-9._-]+$/.test(remote)) {
    const named = git(['remote', 'get-url', '--', remote], cwd, true);
    const url = named.stdout.trim();
    if (named.status === 0 && url) {
      return assertSafeRemote(url, `remote "${remote}", whose URL is ${JSON.stringify(url)}`, `Check where it points with \`git remote get-url ${remote}\` and change it with \`git remote set-url ${remote} <url>\`, or pass the URL or path itself: --to git:<url>#<branch>.`);
    }
  }
  const asPath = path.resolve(cwd, remote);
  if (fs.existsSync(asPath)) return asPath;
  return remote;
}

/**
 * Publishes into `branch` of `remoteUrl` and pushes; returns the commit. Throws a
 * PublishTargetError, before running git, for a remote or branch git could misread.
 */
export function publishToGit(
  remoteUrl: string,
  branch: string,
  report: { file: string; html: string; title: string; runs: number; publishedAt: string },
  options: { templateDir?: string | null; progress?: (line: string) => void } = {},
): string {
  assertSafeRemote(remoteUrl);
  assertPublishBranch(branch);
  const progress = options.progress ?? (() => {});
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'trainbook-publish-'));
  try {
    const exists = git(['ls-remote', '--heads', '--', remoteUrl, `refs/heads/${branch}`], work).stdout.trim() !== '';
    const clone = path.join(work, 'site');
    if (exists) {
      progress(`fetching ${branch}…`);
      git(['clone', '--quiet', '--depth=1', `--branch=${branch}`, '--single-branch', '--no-tags', '--', remoteUrl, clone], work);
    } else {
      progress(`creating branch ${branch}…`);
      git(['init', '--quiet', '--', clone], work);
      git(['checkout', '--quiet', `--orphan=${branch}`, '--'], clone);
      git(['remote', 'add', '--', 'origin', remoteUrl], clone);
    }
    publishToFolder(clone, report, options.templateDir);
    git(['add', '--all', '--', '.'], clone);
    const head = () => git(['rev-parse', '--verify', 'HEAD', '--'], clone).stdout.trim();
    if (git(['status', '--porcelain'], clone).stdout.trim() === '') return head();
    const identity = git(['config', '--get', '--', 'user.email'], clone, true).status === 0 ? [] : ['-c', 'user.name=trainbook', '-c', 'user.email=trainbook@localhost'];
    git([...identity, 'commit', '--quiet', `--message=trainbook: publish ${report.file}`], clone);
    progress(`pushing to ${branch}…`);
    git(['push', '--quiet', '--', 'origin', `HEAD:refs/heads/${branch}`], clone);
    return head();
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}
