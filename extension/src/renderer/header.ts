/**
 * The run's header line: name, experiment, status badge and elapsed time, and the error when the
 * run failed. Every name is set as DOM text.
 */
import type { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import { formatSeconds, type LivePayload } from 'trainbook/core';

function span(className: string): HTMLSpanElement {
  const node = document.createElement('span');
  node.className = className;
  return node;
}

/** Seconds the run has taken so far, from the progress or else from its timestamps. */
export function elapsedSeconds(payload: LivePayload): number | null {
  if (payload.progress) return payload.progress.elapsedSeconds;
  const started = Date.parse(payload.run.startedAt);
  const ended = payload.run.endedAt ? Date.parse(payload.run.endedAt) : payload.updatedAt;
  if (!Number.isFinite(started) || !Number.isFinite(ended) || ended <= 0) return null;
  return Math.max(0, (ended - started) / 1000);
}

export class RunHeader {
  readonly node = document.createElement('div');
  private readonly name = span('tb-RunHeader-name');
  private readonly experiment = span('tb-RunHeader-experiment');
  private readonly status = span('tb-StatusBadge');
  private readonly elapsed = span('tb-RunHeader-elapsed');
  private readonly error = document.createElement('div');

  constructor(private readonly trans: Pick<IRenderMime.TranslationBundle, '__'>) {
    this.node.className = 'tb-RunHeader';
    const line = document.createElement('div');
    line.className = 'tb-RunHeader-line';
    line.append(this.name, this.experiment, this.status, this.elapsed);
    this.error.className = 'tb-RunHeader-error';
    this.node.append(line, this.error);
  }

  update(payload: LivePayload): void {
    const { run } = payload;
    this.name.textContent = run.name;
    this.name.title = run.store ? this.trans.__('run %1 · store %2', run.id, run.store) : this.trans.__('run %1', run.id);
    this.experiment.textContent = run.experiment ?? '';
    this.experiment.hidden = !run.experiment;
    this.status.textContent = run.status;
    this.status.dataset.status = run.status;
    const elapsed = elapsedSeconds(payload);
    this.elapsed.textContent = elapsed === null ? '' : formatSeconds(elapsed);
    this.elapsed.title = run.status === 'running' ? this.trans.__('elapsed') : this.trans.__('duration');
    this.error.textContent = run.error ? `${run.error.name}: ${run.error.message}` : '';
    this.error.hidden = !run.error;
  }

  /** Replaces the header with a one-line note (an output that is not a valid run). */
  showProblem(reason: string): void {
    this.name.textContent = 'trainbook';
    this.name.title = '';
    this.experiment.hidden = true;
    this.status.textContent = this.trans.__('invalid output');
    this.status.dataset.status = 'invalid';
    this.elapsed.textContent = '';
    this.error.textContent = reason;
    this.error.hidden = false;
  }
}
