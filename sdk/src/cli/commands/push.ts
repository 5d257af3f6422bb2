import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import type { CommandContext } from '../context.js';
import { ExitCode } from '../errors.js';
import { hubUrl, withHub } from '../hubSession.js';
import { findRun, selectStores } from '../stores.js';
import { safeText } from '../text.js';
import { MANIFEST_FILE, RUNS_DIR, storeDirFromArgument } from '../../store/paths.js';
import type { RunSummary, Store } from '../../store/reader.js';
import { localRunSource } from '../../sync/runSource.js';

/** `trainbook push [runs...]`: send runs to the hub; only what it does not hold yet. */
export function register(program: Command, { io, setExit }: CommandContext): void {
  program
    .command('push')
    .description('send runs to the team hub (only what it lacks: safe to repeat, resumes after an interruption)')
    .argument('[runs...]', 'runs (id, id prefix or name) and/or stores or notebooks (default: every run of the stores in the current folder)')
    .option('--hub <url>', 'the hub, a PostgreSQL URL (default: TRAINBOOK_HUB)')
    .action(async (targets: string[], options: { hub?: string }) => {
      const url = hubUrl(options.hub);
      const storeArgs = targets.filter((target) => isStoreArgument(target, io.cwd));
      const references = targets.filter((target) => !storeArgs.includes(target));
      const stores = selectStores(storeArgs, io.cwd);
      const runs: Array<{ store: Store; run: RunSummary }> =
        references.length > 0 ? references.map((reference) => findRun(stores, reference)) : stores.flatMap((store) => store.list().runs.map((run) => ({ store, run })));
      let failed = 0;
      await withHub(url, async (hub, module) => {
        let totalEvents = 0;
        let totalPoints = 0;
        for (const { store, run } of runs) {
          const source = localRunSource(store.dir, run.dir, run.record.id);
          let lastReport = Date.now();
          try {
            const result = await module.pushRun(hub, source, {
              onProgress: (progress) => {
                if (Date.now() - lastReport < 1000) return;
                lastReport = Date.now();
                io.err(`trainbook: pushing ${run.record.id}: ${Math.round((100 * progress.bytes) / Math.max(1, progress.totalBytes))}% (${progress.points} points)\n`);
              },
            });
            totalEvents += result.events;
            totalPoints += result.points;
            const what = result.events === 0 && !result.recordUpdated ? 'already on the hub' : `${result.events} records, ${result.points} points${result.recordUpdated ? ', run.json' : ''}`;
            io.out(`${run.record.id}  ${safeText(run.record.name)}  ${what}\n`);
          } catch (error) {
            if (!(error instanceof module.HubError) || error.code === 'hub-unreachable' || error.code === 'hub-auth' || error.code === 'hub-permission' || error.code === 'hub-schema-missing') throw error;
            failed++;
            io.err(`trainbook: ${run.record.id} not pushed: ${error.message}\n`);
          }
        }
        io.out(`Pushed ${runs.length - failed} of ${runs.length} runs to ${hub.label}: ${totalEvents} new records, ${totalPoints} new points.\n`);
      });
      setExit(failed > 0 ? ExitCode.findings : ExitCode.ok);
    });
}

/** A push argument names a store when it is a notebook or a folder that holds one. */
function isStoreArgument(argument: string, cwd: string): boolean {
  const dir = storeDirFromArgument(argument, cwd);
  return argument.endsWith('.ipynb') || (fs.existsSync(dir) && fs.statSync(dir).isDirectory() && (fs.existsSync(path.join(dir, MANIFEST_FILE)) || fs.existsSync(path.join(dir, RUNS_DIR))));
}
