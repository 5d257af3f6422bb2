/**
 * Where reports go and the links that open them. Pure.
 */

export type PublishTarget = { kind: 'dir'; dir: string } | { kind: 'git'; remote: string; branch: string };

export const DEFAULT_PUBLISH_DIR = 'trainbook-reports';
export const DEFAULT_BRANCH = 'gh-pages';

/** `--to dir` or `--to git:<remote>#<branch>` (branch defaults to gh-pages). */
export function parsePublishTarget(to: string | undefined | null): PublishTarget {
  if (!to) return { kind: 'dir', dir: DEFAULT_PUBLISH_DIR };
  if (to.startsWith('git:')) {
    const rest = to.slice(4);
    const hash = rest.lastIndexOf('#');
    const remote = hash >= 0 ? rest.slice(0, hash) : rest;
    const branch = hash >= 0 ? rest.slice(hash + 1) : DEFAULT_BRANCH;
    if (!remote) throw new Error('--to git:<remote>#<branch> needs a remote (a name such as origin, a URL, or a path)');
    if (!/^[A-Za-z0-9._\/-]+$/.test(branch) || branch.startsWith('-') || branch.includes('..')) throw new Error(`"${branch}" is not a branch name trainbook publishes to`);
    return { kind: 'git', remote, branch };
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
