/**
 * Where reports go and the links that open them. Pure.
 */
import { TrainbookError } from 'trainbook/core';

/**
 * A `--to git:<remote>#<branch>` (or the URL a remote name stands for) that trainbook will not
 * hand to git: one git could read as an option, a transport that runs commands, a bad branch name.
 */
export class PublishTargetError extends TrainbookError {
  constructor(message: string) {
    super('publish-target', message);
  }
}

/** URL schemes git may be given: its built-in transports. Any other `<scheme>://` runs a `git-remote-<scheme>` helper. */
export const GIT_SCHEMES: readonly string[] = ['file', 'git', 'http', 'https', 'ssh', 'git+ssh', 'ssh+git'];

/** For `GIT_ALLOW_PROTOCOL`: the only transports publishing uses (so never `ext::` or `fd::`). */
export const GIT_ALLOWED_PROTOCOLS = 'file:git:http:https:ssh';

/**
 * Why git must not be given `remote` (a name, URL or path), or null when it is safe: it is empty,
 * holds control characters, starts with `-` (git would read it as an option), uses the
 * `<transport>::<address>` form (`ext::` runs any command), a scheme other than git's own, or a
 * host starting with `-` (ssh would read it as an option).
 */
export function unsafeRemoteReason(remote: string): string | null {
  if (!remote) return 'it is empty';
  if (/[\u0000-\u001f\u007f]/.test(remote)) return 'it holds control characters';
  if (remote.startsWith('-')) return 'it starts with "-", so git would read it as an option';
  const helper = /^([A-Za-z0-9][A-Za-z0-9+.-]*)::/.exec(remote);
  if (helper) return `it names the "${helper[1]}::" transport, which runs a command or helper program`;
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(remote);
  if (scheme && !GIT_SCHEMES.includes(scheme[1]!.toLowerCase())) return `"${scheme[1]}://" is not one of git's own transports (${GIT_SCHEMES.join(', ')})`;
  if (/^(?:[A-Za-z][A-Za-z0-9+.-]*:\/\/)?(?:[^@/]*@)?-/.test(remote)) return 'its host starts with "-", so ssh would read it as an option';
  return null;
}

/**
 * Returns `remote`, or throws a PublishTargetError when git must not be given it. `what` names it
 * in the message; `fix`, when given, replaces the general advice (give a name, URL or path).
 */
export function assertSafeRemote(remote: string, what = `git remote ${JSON.stringify(remote)}`, fix?: string): string {
  const reason = unsafeRemoteReason(remote);
  if (reason) {
    throw new PublishTargetError(`Refusing to publish to ${what}: ${reason}. ${fix ?? 'Give a remote name such as origin, an https://, ssh:// or git@host:path URL, or a path to a repository.'}`);
  }
  return remote;
}

/**
 * Whether `branch` is a branch name trainbook publishes to: letters, digits, `.`, `_`, `/` and
 * `-`, and what `git check-ref-format` allows (no leading `-`, `.` or `/`, no `..`, `//` or `/.`,
 * no trailing `/`, `.` or `.lock`), never `HEAD`.
 */
export function isPublishBranch(branch: string): boolean {
  return (
    /^[A-Za-z0-9._/-]+$/.test(branch) &&
    !/^[-./]/.test(branch) &&
    !/\.\.|\/\/|\/\.|\/-/.test(branch) &&
    !/(?:[/.]|\.lock)$/.test(branch) &&
    branch !== 'HEAD'
  );
}

/** Throws a PublishTargetError unless `branch` is a branch name trainbook publishes to. */
export function assertPublishBranch(branch: string): string {
  if (!isPublishBranch(branch)) {
    throw new PublishTargetError(`${JSON.stringify(branch)} is not a branch name trainbook publishes to: use letters, digits, ".", "_", "-" and "/", not starting with "-", "." or "/" (such as gh-pages).`);
  }
  return branch;
}

export type PublishTarget = { kind: 'dir'; dir: string } | { kind: 'git'; remote: string; branch: string };

export const DEFAULT_PUBLISH_DIR = 'trainbook-reports';
export const DEFAULT_BRANCH = 'gh-pages';

/**
 * `--to dir` or `--to git:<remote>#<branch>` (branch defaults to gh-pages). Throws a
 * PublishTargetError for a remote or branch git could misread (see unsafeRemoteReason()).
 */
export function parsePublishTarget(to: string | undefined | null): PublishTarget {
  if (!to) return { kind: 'dir', dir: DEFAULT_PUBLISH_DIR };
  if (to.startsWith('git:')) {
    const rest = to.slice(4);
    const hash = rest.lastIndexOf('#');
    const remote = hash >= 0 ? rest.slice(0, hash) : rest;
    const branch = hash >= 0 ? rest.slice(hash + 1) : DEFAULT_BRANCH;
    if (!remote) throw new PublishTargetError('--to git:<remote>#<branch> needs a remote (a name such as origin, a URL, or a path)');
    return { kind: 'git', remote: assertSafeRemote(remote), branch: assertPublishBranch(branch) };
  }
  return { kind: 'dir', dir: to };
}

/** A file name for a published report: letters, digits, `.`, `_` and `-` only. */
export function reportFileName(name: string): string {
  const safe = name.replace(/\.html?$/i, '').replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[-.]+|-+$/g, '');
  return `${safe || 'report'}.html`;
}

/** The fragment that opens a report at one run (`#run=<id>`) or a comparison (`#compare=<a>,<b>`). */
export function fragment(target: { run?: string | null; compare?: readonly string[] | null }): string {
  if (target.compare && target.compare.length > 0) return `#compare=${target.compare.map(encodeURIComponent).join(',')}`;
  if (target.run) return `#run=${encodeURIComponent(target.run)}`;
  return '';
}

export function joinUrl(base: string, file: string): string {
  return `${base.endsWith('/') ? base : `${base}/`}${encodeURIComponent(file)}`;
}

/** GitHub Pages address of a github.com remote's gh-pages branch, else null. */
export function githubPagesBase(remoteUrl: string): string | null {
  const match = /github\.com[:/]([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+?)(?:\.git)?\/?$/.exec(remoteUrl);
  if (!match) return null;
  const [, owner, repo] = match;
  return repo!.toLowerCase() === `${owner!.toLowerCase()}.github.io` ? `https://${owner!.toLowerCase()}.github.io/` : `https://${owner!.toLowerCase()}.github.io/${repo}/`;
}
