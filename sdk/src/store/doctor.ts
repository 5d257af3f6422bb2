/**
 * `trainbook doctor`: checks a store and says what is damaged and where; with repair, rewrites
 * damaged events files keeping every readable record (the original is kept beside it as a
 * backup) and rebuilds a missing or unreadable run.json from the run's events.
 */
import * as path from 'node:path';
import { collectSeries, nameRecord, coerceRunRecord, bareRunRecord, summarizeSeries, STORE_FORMAT, type RunEvent, type RunRecord, type StatusEvent, isRunId, frameEvent } from 'trainbook/core';
import { isProcessAlive, writerAlive } from './lock.js';
import { inspectModels } from './modelCheck.js';
import { readEventsFile, readRunRecord } from './reader.js';
import { crcOfText } from './runFiles.js';
import { EVENTS_FILE, LOCK_FILE, MANIFEST_FILE, RUN_FILE, RUNS_DIR } from './paths.js';
import { createStoreFile, findStoreLinks, inRun, inStore, linkTarget, listStoreDir, readStoreBytes, readStoreText, removeInStore, storeEntryKind, writeStoreFile } from './safePath.js';

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

/**
 * Checks the store at `dir`. Every symbolic link inside it is reported (which path, and what it
 * points to) and never followed: nothing behind a link is read, copied or repaired.
 */
export function checkStore(dir: string, options: { repair?: boolean; now?: Date } = {}): DoctorReport {
  const findings: Finding[] = [];
  const repair = options.repair ?? false;
  const stamp = (options.now ?? new Date()).toISOString().replace(/[:.]/g, '-');
  const links = findStoreLinks(inStore(dir));
  for (const link of links) findings.push(linkFinding(dir, link));
  const linked = (relative: string): boolean => links.some((link) => relative === link || relative.startsWith(`${link}/`));
  if (!linked(MANIFEST_FILE)) checkManifest(dir, repair, findings);
  let ids: string[] = [];
  if (!linked(RUNS_DIR)) {
    const entries = listStoreDir(inStore(dir, RUNS_DIR));
    if (entries === null) findings.push({ runId: null, file: path.join(dir, RUNS_DIR), severity: 'warning', message: 'no runs folder: the store holds no runs' });
    ids = (entries ?? []).map((entry) => entry.name).filter((name) => !name.startsWith('.')).sort();
  }
  for (const runId of ids) {
    if (!linked(`${RUNS_DIR}/${runId}`)) checkRun(path.join(dir, RUNS_DIR, runId), runId, repair, stamp, findings, (name) => linked(`${RUNS_DIR}/${runId}/${name}`));
  }
  return { store: dir, runs: ids.length, findings };
}

function linkFinding(dir: string, relative: string): Finding {
  const file = path.join(dir, ...relative.split('/'));
  const target = linkTarget(file);
  const [top, runId] = relative.split('/');
  return {
    runId: top === RUNS_DIR && runId !== undefined ? runId : null,
    file,
    severity: 'damage',
    message: `${relative} is a symbolic link${target === null ? '' : ` to ${target}`}: not followed (nothing was read, copied or repaired through it). Replace it with what it points to if you trust that, or delete it.`,
  };
}

function checkManifest(dir: string, repair: boolean, findings: Finding[]): void {
  const manifestFile = inStore(dir, MANIFEST_FILE);
  let text: string | null = null;
  try {
    text = readStoreText(manifestFile);
    if (text !== null) {
      const manifest = JSON.parse(text) as { format?: unknown } | null;
      if (manifest?.format !== STORE_FORMAT) findings.push({ runId: null, file: manifestFile.path, severity: 'damage', message: `unknown store format ${String(manifest?.format)}` });
      return;
    }
  } catch {
    findings.push({ runId: null, file: manifestFile.path, severity: 'damage', message: 'store.json is unreadable' });
    return;
  }
  const finding: Finding = { runId: null, file: manifestFile.path, severity: 'damage', message: 'store.json is missing' };
  if (repair) {
    writeStoreFile(manifestFile, `${JSON.stringify({ format: STORE_FORMAT, notebook: guessNotebook(dir) })}\n`);
    finding.repaired = 'written anew';
  }
  findings.push(finding);
}

/** `linked(name)`: whether `name` in the run folder is (or lies below) a link, reported already. */
function checkRun(runDir: string, runId: string, repair: boolean, stamp: string, findings: Finding[], linked: (name: string) => boolean): void {
  if (storeEntryKind(inRun(runDir)) !== 'directory') {
    findings.push({ runId, file: runDir, severity: 'warning', message: 'not a run folder (a stray file)' });
    return;
  }
  const runFile = path.join(runDir, RUN_FILE);
  const eventsFile = path.join(runDir, EVENTS_FILE);
  const read = linked(RUN_FILE) ? null : readRunRecord(runDir);
  if (typeof read === 'string') findings.push({ runId, file: runFile, severity: 'damage', message: read });
  const record = typeof read === 'string' ? null : read;
  const alive = record ? writerAlive(record.writer) : null;
  const eventsLinked = linked(EVENTS_FILE);
  const parsed = eventsLinked ? null : readEventsFile(eventsFile);
  for (const problem of parsed?.problems ?? []) {
    findings.push({ runId, file: eventsFile, severity: 'damage', message: `damaged record: ${problem.reason}`, line: problem.line, offset: problem.offset });
  }
  if (parsed?.tornTail) {
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
  if (!linked(LOCK_FILE) && storeEntryKind(inRun(runDir, LOCK_FILE)) !== null && alive === false) {
    findings.push({ runId, file: lock, severity: 'warning', message: 'stale writer lock (its process is gone); the next writer takes it over' });
  }
  // A run being written may be saving a model right now: its folders are left alone.
  const beingWritten = alive === true && record?.status === 'running';
  for (const problem of inspectModels(runDir, isProcessAlive)) {
    const finding: Finding = { runId, file: problem.file, severity: problem.severity, message: problem.message };
    if (repair && problem.removable && !beingWritten) {
      removeInStore(inRun(runDir, ...path.relative(runDir, problem.removable).split(path.sep)));
      finding.repaired = 'removed';
    }
    findings.push(finding);
  }
  if (!repair) return;
  // A run still being written is left alone; a finished run's writer may live on (a kernel).
  if (alive === true && record?.status === 'running') {
    if ((parsed?.problems.length ?? 0) > 0 || !record) findings.push({ runId, file: runDir, severity: 'warning', message: 'not repaired: its writer is still running' });
    return;
  }
  if (parsed && (parsed.problems.length > 0 || parsed.tornTail)) {
    const original = readStoreBytes(inRun(runDir, EVENTS_FILE));
    if (original !== null) {
      const backup = writeBackup(runDir, `${EVENTS_FILE}.${stamp}`, original);
      writeStoreFile(inRun(runDir, EVENTS_FILE), parsed.events.map((event) => frameEvent(event, crcOfText)).join(''));
      for (const finding of findings) {
        if (finding.runId === runId && finding.file === eventsFile) finding.repaired = `kept ${parsed.events.length} readable records; original in ${backup}`;
      }
    }
  }
  if (!record && !linked(RUN_FILE) && parsed && storeEntryKind(inRun(runDir, EVENTS_FILE)) === 'file' && isRunId(runId)) {
    writeStoreFile(inRun(runDir, RUN_FILE), `${JSON.stringify(rebuildRecord(runId, parsed.events), null, 1)}\n`);
    for (const finding of findings) if (finding.runId === runId && finding.file === runFile) finding.repaired = 'rebuilt from the events';
  }
}

/** Keeps `bytes` as `<name>.bak` in the run folder, created exclusively (never over a file or link already there). */
function writeBackup(runDir: string, name: string, bytes: Uint8Array): string {
  for (let attempt = 0; ; attempt++) {
    const backup = `${name}${attempt === 0 ? '' : `-${attempt}`}.bak`;
    try {
      createStoreFile(inRun(runDir, backup), bytes);
      return backup;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 100) throw error;
    }
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
