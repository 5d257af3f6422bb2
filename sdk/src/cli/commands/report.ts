import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Command } from 'commander';
import type { CommandContext } from '../context.js';
import { ExitCode } from '../errors.js';
import { hubStoresForReport } from '../hubViews.js';
import { selectStores } from '../stores.js';
import { safeText } from '../text.js';
import { buildReport } from '../../report/build.js';
import { writeFileAtomic } from '../../report/write.js';

export interface ReportCommandOptions {
  output?: string;
  runs?: string;
  template?: string;
  allowTemplateScripts?: boolean;
  title?: string;
  hub?: string | boolean;
}

/** `trainbook report`: one self-contained HTML file of a notebook's runs. */
export function register(program: Command, { io, setExit }: CommandContext): void {
  program
    .command('report')
    .description('write a self-contained HTML report (runs table, charts, parameter diff, code, environment) that opens offline')
    .argument('[stores...]', 'notebooks or store folders (default: the stores in the current folder)')
    .option('-o, --output <file>', 'where to write the report', 'report.html')
    .option('--runs <query>', 'which runs: ids, id prefixes or names, and filters such as status=completed or lr>0.01, separated by commas')
    .option('--template <dir>', 'a folder of templates (report.hbs, partials/*.hbs, report.css, report.js) overriding the built-in ones')
    .option('--allow-template-scripts', "run the --template folder's own report.js in the report (only for templates you trust; otherwise the built-in script runs)")
    .option('--title <text>', 'the report title')
    .option('--hub [url]', 'report on the team hub\'s runs (those --runs picks) instead of local stores (default URL: TRAINBOOK_HUB)')
    .addHelpText('after', '\nExamples:\n  trainbook report train.ipynb -o report.html\n  trainbook report --runs "status=completed,lr<0.01"\n  trainbook report --runs 20261122-2108,baseline --title "LR sweep"\n')
    .action(async (stores: string[], options: ReportCommandOptions) => {
      const selected = options.hub !== undefined ? await hubStoresForReport(options.hub, options.runs ?? null) : selectStores(stores, io.cwd);
      const output = path.resolve(io.cwd, options.output ?? 'report.html');
      const result = await buildReport({
        stores: selected,
        runs: options.runs ?? null,
        title: options.title ?? null,
        templateDir: options.template ? path.resolve(io.cwd, options.template) : null,
        now: io.now,
        progress: (line) => io.err(`trainbook: ${line}\n`),
        allowTemplateScripts: options.allowTemplateScripts ?? false,
        warn: (line) => io.err(`trainbook: ${safeText(line)}\n`),
      });
      writeFileAtomic(output, result.html);
      for (const problem of result.problems) io.err(`trainbook: skipped damaged data in ${safeText(problem.where)}: ${safeText(problem.reason)}\n`);
      io.out(`Wrote ${safeText(path.relative(io.cwd, output) || output)} (${result.model.runs.length} runs, ${result.model.charts.length} charts)\n${pathToFileURL(output).href}\n`);
      setExit(result.problems.length > 0 ? ExitCode.findings : ExitCode.ok);
    });
}
