import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Command } from 'commander';
import type { CommandContext } from '../context.js';
import { ExitCode, UsageError } from '../errors.js';
import { selectStores } from '../stores.js';
import { safeText } from '../text.js';
import { buildReport, storeLabel } from '../../report/build.js';
import { fragment, githubPagesBase, joinUrl, parsePublishTarget, reportFileName } from '../../report/links.js';
import { publishToFolder, publishToGit, resolveRemote } from '../../report/publish.js';
import { findByReference } from '../../report/select.js';

interface PublishOptions {
  to?: string;
  baseUrl?: string;
  name?: string;
  runs?: string;
  run?: string;
  compare?: string;
  template?: string;
  allowTemplateScripts?: boolean;
  title?: string;
}

/** `trainbook publish`: the report into a folder or a git branch, and its share link. */
export function register(program: Command, { io, setExit }: CommandContext): void {
  program
    .command('publish')
    .description('publish the report to a folder or a git branch (such as gh-pages) and print its share link')
    .argument('[stores...]', 'notebooks or store folders (default: the stores in the current folder)')
    .option('--to <target>', 'a folder, or git:<remote>#<branch> (remote: a name such as origin, a URL or a path)', 'trainbook-reports')
    .option('--base-url <url>', 'the address the folder or branch is served at, for the printed link')
    .option('--name <name>', 'file name of the report (default: the notebook name); publishing again replaces it')
    .option('--runs <query>', 'which runs, as for `trainbook report`')
    .option('--run <run>', 'make the link open at this run (#run=<id>)')
    .option('--compare <runs>', 'make the link open comparing these runs (comma-separated)')
    .option('--template <dir>', 'a folder of templates overriding the built-in ones')
    .option('--allow-template-scripts', "run the --template folder's own report.js in the report (only for templates you trust)")
    .option('--title <text>', 'the report title')
    .addHelpText('after', '\nExamples:\n  trainbook publish --to public --base-url https://example.org/runs/\n  trainbook publish --to git:origin#gh-pages --compare baseline,fast\n')
    .action(async (stores: string[], options: PublishOptions) => {
      // A remote or branch git could misread is a PublishTargetError (exit 2), before any git runs.
      const target = parsePublishTarget(options.to);
      if (options.baseUrl && !/^https?:\/\//i.test(options.baseUrl)) throw new UsageError('--base-url must start with http:// or https://');
      const selected = selectStores(stores, io.cwd);
      const templateDir = options.template ? path.resolve(io.cwd, options.template) : null;
      const progress = (line: string) => io.err(`trainbook: ${line}\n`);
      const result = await buildReport({
        stores: selected,
        runs: options.runs ?? null,
        title: options.title ?? null,
        templateDir,
        now: io.now,
        progress,
        allowTemplateScripts: options.allowTemplateScripts ?? false,
        warn: (line) => io.err(`trainbook: ${safeText(line)}\n`),
      });
      const runs = result.model.runs.map((run) => ({ record: { id: run.id, name: run.name } }));
      const linkTarget = {
        run: options.run ? findByReference(runs, options.run).record.id : null,
        compare: options.compare ? options.compare.split(',').filter(Boolean).map((ref) => findByReference(runs, ref.trim()).record.id) : null,
      };
      const file = reportFileName(options.name ?? storeLabel(selected[0]!).replace(/\.ipynb$/, ''));
      const report = { file, html: result.html, title: result.model.title, runs: result.model.runs.length, publishedAt: result.model.generatedAt };
      let link: string | null;
      if (target.kind === 'dir') {
        const dir = path.resolve(io.cwd, target.dir);
        publishToFolder(dir, report, templateDir);
        io.out(`Published ${safeText(file)} to ${safeText(dir)}\n`);
        link = options.baseUrl ? joinUrl(options.baseUrl, file) : pathToFileURL(path.join(dir, file)).href;
      } else {
        const remote = resolveRemote(target.remote, io.cwd);
        const commit = publishToGit(remote, target.branch, report, { templateDir, progress });
        io.out(`Published ${safeText(file)} to branch ${safeText(target.branch)} of ${safeText(remote)} (commit ${commit.slice(0, 12)})\n`);
        const base = options.baseUrl ?? (target.branch === 'gh-pages' ? githubPagesBase(remote) : null);
        link = base ? joinUrl(base, file) : null;
        if (!link) io.out(`Pass --base-url with the address this branch is served at to get the share link.\n`);
      }
      if (link) io.out(`${link}${fragment(linkTarget)}\n`);
      setExit(result.problems.length > 0 ? ExitCode.findings : ExitCode.ok);
    });
}
