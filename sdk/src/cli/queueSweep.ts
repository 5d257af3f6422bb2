/**
 * `trainbook run --queue`: instead of running the grid here, puts one job per grid point on the
 * hub's queue (the notebook's content, its params, the sweep's id and name) for `trainbook worker`
 * processes on any machine, and says how to start them. Returns at once.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { newRunId } from 'trainbook/core';
import type { NotebookJson } from '../headless/notebook.js';
import { runTimestamp } from '../headless/naming.js';
import type { CliIo } from './context.js';
import { UsageError } from './errors.js';
import { withHub } from './hubSession.js';
import { safeText } from './text.js';

export interface QueueRequest {
  notebook: string;
  /** The notebook's text as it is on disk: what every worker runs. */
  content: string;
  nb: NotebookJson;
  paramSets: ReadonlyArray<Record<string, unknown>>;
  kernel: string;
  timeout: number | null;
  retries: number;
  name: string | undefined;
  hubUrl: string;
}

/** The notebook's path as workers find it: relative to the folder the sweep was queued from, inside it. Pure. */
export function projectRelativeNotebook(cwd: string, notebook: string): string {
  const relative = path.relative(cwd, notebook);
  if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) {
    throw new UsageError(`${notebook} is not inside the current folder. Queue a sweep from the project's folder (where workers run), so they find the notebook at the same relative path.`);
  }
  return relative.split(path.sep).join('/');
}

/** Queues the sweep and prints its id and how to start workers. */
export async function queueSweep(request: QueueRequest, io: CliIo): Promise<void> {
  const relative = projectRelativeNotebook(io.cwd, request.notebook);
  const id = newRunId(new Date(io.now()));
  const name = request.name ?? `${path.basename(relative, path.extname(relative))}-${runTimestamp(new Date(io.now()))}`;
  await withHub(request.hubUrl, async (hub, module) => {
    const jobs = module.planSweepJobs(id, request.paramSets);
    await module.enqueueSweep(hub, {
      id,
      name,
      notebook: relative,
      content: request.content,
      kernel: request.kernel,
      timeoutSeconds: request.timeout,
      retries: request.retries,
      host: os.hostname(),
      username: safeUsername(),
      jobs,
    });
    const hubArg = shellWord(hub.label);
    io.out(
      [
        `Queued sweep ${id} (${safeText(name)}): ${jobs.length} job${jobs.length === 1 ? '' : 's'} of ${safeText(relative)} on ${hub.label}.`,
        `Start workers in the project's folder, on any machine where the notebook's imports resolve:`,
        `  trainbook worker --hub ${hubArg} --sweep ${id}`,
        `Follow it:  trainbook sweep status ${id} --hub ${hubArg}`,
        `Its runs:   trainbook ls --hub ${hubArg} --runs 'tags.sweep = "${id}"'`,
        '',
      ].join('\n'),
    );
  });
}

function shellWord(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

function safeUsername(): string {
  try {
    return os.userInfo().username;
  } catch {
    return process.env.USER ?? '';
  }
}
