/**
 * The progress bar shown while a run is going: epoch x/y, batch a/b, percentage and ETA.
 */
import type { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import { formatSeconds, type LiveProgress } from 'trainbook/core';

/** `epoch 3/10 · batch 120/469 · 43% · ETA 1m 05s` (the parts that are known). */
export function progressLabel(p: LiveProgress, trans: Pick<IRenderMime.TranslationBundle, '__'>): string {
  const parts: string[] = [];
  // `epoch` counts epochs done, so the one under way is epoch + 1.
  if (p.epochs !== null) parts.push(trans.__('epoch %1/%2', Math.min((p.epoch ?? 0) + 1, p.epochs), p.epochs));
  else if (p.epoch !== null) parts.push(trans.__('epoch %1', p.epoch + 1));
  if (p.batches !== null) parts.push(trans.__('batch %1/%2', Math.min(p.batch ?? 0, p.batches), p.batches));
  else if (p.batch !== null) parts.push(trans.__('batch %1', p.batch));
  if (p.fraction !== null) parts.push(`${Math.floor(p.fraction * 100)}%`);
  if (p.etaSeconds !== null) parts.push(trans.__('ETA %1', formatSeconds(p.etaSeconds)));
  return parts.join(' · ');
}

export class ProgressBar {
  readonly node = document.createElement('div');
  private readonly track = document.createElement('div');
  private readonly fill = document.createElement('div');
  private readonly label = document.createElement('span');

  constructor(private readonly trans: Pick<IRenderMime.TranslationBundle, '__'>) {
    this.node.className = 'tb-Progress';
    this.track.className = 'tb-Progress-track';
    this.fill.className = 'tb-Progress-fill';
    this.label.className = 'tb-Progress-label';
    this.track.setAttribute('role', 'progressbar');
    this.track.setAttribute('aria-valuemin', '0');
    this.track.setAttribute('aria-valuemax', '100');
    this.track.appendChild(this.fill);
    this.node.append(this.track, this.label);
    this.node.hidden = true;
  }

  /** Shows the progress while the run is running; hides the bar otherwise. */
  update(progress: LiveProgress | null, running: boolean): void {
    this.node.hidden = !running || progress === null;
    if (this.node.hidden || progress === null) return;
    const known = progress.fraction !== null;
    this.track.classList.toggle('tb-mod-indeterminate', !known);
    const percent = known ? Math.round(progress.fraction! * 1000) / 10 : 0;
    this.fill.style.width = known ? `${percent}%` : '';
    if (known) this.track.setAttribute('aria-valuenow', String(percent));
    else this.track.removeAttribute('aria-valuenow');
    this.label.textContent = progressLabel(progress, this.trans);
  }
}
