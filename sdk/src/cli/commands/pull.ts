import * as path from 'node:path';
import type { Command } from 'commander';
import type { CommandContext } from '../context.js';
import { ExitCode, UsageError } from '../errors.js';
import { hubUrl, withHub } from '../hubSession.js';
import { safeText } from '../text.js';
import { parseQuery, QueryError, type QueryNode } from 'trainbook/core';
import { storeDirFromArgument } from '../../store/paths.js';
import { storeForPulledRun, writePulledRun } from '../../store/pulledRuns.js';

/** `trainbook pull`: copy runs from the hub into local stores, keeping their ids. */
export function register(program: Command, { io, setExit }: CommandContext): void {
  program
    .command('pull')
    .description('copy runs from the team hub into the local stores (lossless, same ids), so the panel, show, export and report see them')
    .argument('[runs...]', 'runs on the hub (id, id prefix or name); default: those --runs selects, else all')
    .option('--hub <url>', 'the hub, a PostgreSQL URL (default: TRAINBOOK_HUB)')
    .option('--runs <query>', 'which runs, in the runs panel\'s query language: loss < 0.3 and optimizer.name = "adam"')
    .option('--store <dir>', 'put every pulled run in this store (default: the store of the same name here, e.g. ./train.trainbook, else ./.trainbook)')
    .action(async (references: string[], options: { hub?: string; runs?: string; store?: string }) => {
      let where: QueryNode | null = null;
      try {
        where = options.runs ? parseQuery(options.runs) : null;
      } catch (error) {
        if (error instanceof QueryError) throw new UsageError(`--runs: ${error.message}`);
        throw error;
      }
      const counts = { added: 0, updated: 0, unchanged: 0, local: 0 };
      let failed = 0;
      await withHub(hubUrl(options.hub), async (hub, module) => {
        const named = await Promise.all(references.map((reference) => module.findRunId(hub, reference)));
        const ids =
          references.length > 0 && !where ? named : (await module.listRuns(hub, { where, ...(references.length > 0 ? { ids: named } : {}) })).runs.map((run) => run.id);
        // A few runs per round trip: memory stays bounded on a big hub.
        for (let i = 0; i < ids.length; i += 20) {
          for (const run of await module.fetchRuns(hub, ids.slice(i, i + 20))) {
            const store = options.store ? storeDirFromArgument(options.store, io.cwd) : storeForPulledRun(io.cwd, run.store);
            try {
              const outcome = writePulledRun(store, run, hub.label);
              counts[outcome]++;
              if (outcome === 'added' || outcome === 'updated') io.out(`${run.id}  ${outcome} in ${safeText(path.relative(io.cwd, store) || store)}\n`);
            } catch (error) {
              failed++;
              io.err(`trainbook: ${run.id} not pulled: ${(error as Error).message}\n`);
            }
          }
        }
        io.out(
          `Pulled from ${hub.label}: ${counts.added} new, ${counts.updated} updated, ${counts.unchanged} unchanged${counts.local > 0 ? `, ${counts.local} kept (this store's own runs)` : ''}.\n`,
        );
      });
      setExit(failed > 0 ? ExitCode.findings : ExitCode.ok);
    });
}
