/**
 * `trainbook doctor`: checks a store and says what is damaged and where; with repair, rewrites
 * damaged events files keeping every readable record (the original is kept beside it as a
 * backup) and rebuilds a missing or unreadable run.json from the run's events.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { collectSeries } from '../format/series.js';
import { nameRecord } from '../format/names.js';
import { coerceRunRecord } from '../format/shape.js';
import { bareRunRecord, summarizeSeries } from '../format/records.js';
import { STORE_FORMAT, type RunEvent, type RunRecord, type StatusEvent } from '../format/types.js';
import { writeFileAtomic } from './atomic.js';
import { isRunId } from '../format/ids.js';
import { isProcessAlive, writerAlive } from './lock.js';
import { inspectModels } from '../models/inspect.js';
import { readEventsFile } from './reader.js';
import { crcOfText } from './runFiles.js';
import { frameEvent } from '../format/events.js';
import { EVENTS_FILE, LOCK_FILE, MANIFEST_FILE, RUN_FILE, RUNS_DIR } from './paths.js';

export interface Finding {
  runId: string | null;
  file: string;
  /** damage: data is unreadable; warning: worth knowing, nothing is lost. */
  severity: 'damage' | 'warning';
  message: string;
  line?: number;
  offset?: number;
  repaired?: string;
}

export interface DoctorReport {
  store: string;
  runs: number;
  findings: Finding[];
}

export function checkStore(dir: string, options: { repair?: boolean; now?: Date } = {}): DoctorReport {
  const findings: Finding[] = [];
  const repair = options.repair ?? false;
  const stamp = (options.now ?? new Date()).toISOString().replace(/[:.]/g, '-');
  const manifestFile = path.join(dir, MANIFEST_FILE);
  try {
    const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as { format?: unknown };
    if (manifest.format !== STORE_FORMAT) findings.push({ runId: null, file: manifestFile, severity: 'damage', message: `unknown store format ${String(manifest.format)}` });
  } catch (error) {
    const finding: Finding = { runId: null, file: manifestFile, severity: 'damage', message: `store.json ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'is missing' : 'is unreadable'}` };
    if (repair && (error as NodeJS.ErrnoException).code === 'ENOENT') {
      writeFileAtomic(manifestFile, `${JSON.stringify({ format: STORE_FORMAT, notebook: guessNotebook(dir) })}\n`);
      finding.repaired = 'written anew';
    }
    findings.push(finding);
  }
  let ids: string[] = [];
  try {
    ids = fs.readdirSync(path.join(dir, RUNS_DIR)).filter((name) => !name.startsWith('.')).sort();
  } catch {
    findings.push({ runId: null, file: path.join(dir, RUNS_DIR), severity: 'warning', message: 'no runs folder: the store holds no runs' });
  }
  for (const runId of ids) checkRun(path.join(dir, RUNS_DIR, runId), runId, repair, stamp, findings);
  return { store: dir, runs: ids.length, findings };
}

function checkRun(runDir: string, runId: string, repair: boolean, stamp: string, findings: Finding[]): void {
  if (!fs.statSync(runDir).isDirectory()) {
    findings.push({ runId, file: runDir, severity: 'warning', message: 'not a run folder (a stray file)' });
    return;
  }
  const runFile = path.join(runDir, RUN_FILE);
  const eventsFile = path.join(runDir, EVENTS_FILE);
  let record: RunRecord | null = null;
  try {
    const coerced = coerceRunRecord(JSON.parse(fs.readFileSync(runFile, 'utf8')));
    if (typeof coerced === 'string') throw new Error(coerced);
    record = coerced;
  } catch (error) {
    findings.push({
      runId,
      file: runFile,
      severity: 'damage',
      message: (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'run.json is missing' : `run.json is unreadable: ${(error as Error).message}`,
    });
  }
  const alive = record ? writerAlive(record.writer) : null;
  const parsed = readEventsFile(eventsFile);
  for (const problem of parsed.problems) {
    findings.push({ runId, file: eventsFile, severity: 'damage', message: `damaged record: ${problem.reason}`, line: problem.line, offset: problem.offset });
  }
  if (parsed.tornTail) {
    findings.push({
      runId,
      file: eventsFile,
      severity: 'warning',
      message: `incomplete last record (${parsed.tornTail.length} bytes): its writer stopped mid-write`,
      offset: parsed.tornTail.offset,
    });
  }
  if (record?.status === 'running' && alive === false) {
    findings.push({ runId, file: runFile, severity: 'warning', message: `crashed: recorded as running, but its writer (pid ${record.writer.pid}) is gone` });
  }
  const lock = path.join(runDir, LOCK_FILE);
  if (fs.existsSync(lock) && alive === false) {
    findings.push({ runId, file: lock, severity: 'warning', message: 'stale writer lock (its process is gone); the next writer takes it over' });
  }
  // A run being written may be saving a model right now: its folders are left alone.
  const beingWritten = alive === true && record?.status === 'running';
  for (const problem of inspectModels(runDir, isProcessAlive)) {
    const finding: Finding = { runId, file: problem.file, severity: problem.severity, message: problem.message };
    if (repair && problem.removable && !beingWritten) {
      fs.rmSync(problem.removable, { recursive: true, force: true });
      finding.repaired = 'removed';
    }
    findings.push(finding);
  }
  if (!repair) return;
  // A run still being written is left alone; a finished run's writer may live on (a kernel).
  if (alive === true && record?.status === 'running') {
    if (parsed.problems.length > 0 || !record) findings.push({ runId, file: runDir, severity: 'warning', message: 'not repaired: its writer is still running' });
    return;
  }
  if (parsed.problems.length > 0 || parsed.tornTail) {
    const backup = `${eventsFile}.${stamp}.bak`;
    fs.copyFileSync(eventsFile, backup);
    writeFileAtomic(eventsFile, parsed.events.map((event) => frameEvent(event, crcOfText)).join(''));
    for (const finding of findings) {
      if (finding.runId === runId && finding.file === eventsFile) finding.repaired = `kept ${parsed.events.length} readable records; original in ${path.basename(backup)}`;
    }
  }
  if (!record && fs.existsSync(eventsFile) && isRunId(runId)) {
    writeFileAtomic(runFile, `${JSON.stringify(rebuildRecord(runId, parsed.events), null, 1)}\n`);
    for (const finding of findings) if (finding.runId === runId && finding.file === runFile) finding.repaired = 'rebuilt from the events';
  }
}

/** A run.json made from what the events say, for a run whose own was lost. */
export function rebuildRecord(runId: string, events: readonly RunEvent[]): RunRecord {
  const times = events.map((event) => event.time).filter((time) => Number.isFinite(time));
  const first = times.length > 0 ? Math.min(...times) : Date.now();
  const last = times.length > 0 ? Math.max(...times) : first;
  const statuses = events.filter((event): event is StatusEvent => event.type === 'status');
  const final = statuses.at(-1);
  const summary: RunRecord['summary'] = nameRecord();
  for (const series of collectSeries(events).values()) {
    const summarized = summarizeSeries(series.value, series.step, series.length);
    if (summarized) summary[series.name] = summarized;
  }
  const status = final?.status ?? 'running';
  return bareRunRecord({
    id: runId,
    name: runId,
    notes: 'run.json rebuilt by trainbook doctor from the events',
    status,
    startedAt: new Date(first).toISOString(),
    endedAt: status === 'running' ? null : new Date(last).toISOString(),
    heartbeatAt: new Date(last).toISOString(),
    summary,
    error: final?.error ?? null,
    ...withResumes(resumesOf(events)),
  });
}

const withResumes = (resumes: NonNullable<RunRecord['resumes']>): Pick<RunRecord, 'resumes'> => (resumes.length > 0 ? { resumes } : {});

/** The `resumes` of run.json from the events: each `resume` record, with the status the run had before it. */
export function resumesOf(events: readonly RunEvent[]): NonNullable<RunRecord['resumes']> {
  const resumes: NonNullable<RunRecord['resumes']> = [];
  let status: RunRecord['status'] | null = null;
  for (const event of events) {
    if (event.type === 'status') status = event.status;
    else if (event.type === 'resume') {
      // A run still marked running when another process resumed it had crashed.
      resumes.push({ at: new Date(event.time).toISOString(), fromStep: event.step, fromStatus: status === null || status === 'running' ? 'crashed' : status });
    }
  }
  return resumes;
}

function guessNotebook(dir: string): string | null {
  const name = path.basename(dir);
  return name.endsWith('.trainbook') && name !== '.trainbook' ? `${name.slice(0, -'.trainbook'.length)}.ipynb` : null;
}
