/**
 * The renderer of `application/vnd.trainbook.run+json`: a header, a progress bar and one chart
 * per metric group. JupyterLab calls `renderModel` again on the same widget for every
 * update_display_data; the charts are kept and fed the new rows.
 */
import type { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import { nullTranslator } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';
import { parseLivePayload, RUN_MIME, type LivePayload } from 'trainbook/core';
import { currentChartTheme, watchTheme } from '../charts/theme.js';
import { ChartPanel } from './liveCharts.js';
import { RunHeader } from './header.js';
import { ProgressBar } from './progress.js';

export class RunOutputRenderer extends Widget implements IRenderMime.IRenderer {
  private readonly mimeType: string;
  private readonly header: RunHeader;
  private readonly progress: ProgressBar;
  private readonly charts: ChartPanel;
  private readonly stopWatchingTheme: () => void;
  /** Chart work runs one job at a time, so an update that arrives mid-render cannot race it. */
  private queue: Promise<void> = Promise.resolve();
  private latest: LivePayload | null = null;
  private received = 0;
  private drawn = 0;

  constructor(options: IRenderMime.IRendererOptions) {
    super();
    this.mimeType = options.mimeType ?? RUN_MIME;
    const trans = (options.translator ?? nullTranslator).load('trainbook');
    this.header = new RunHeader(trans);
    this.progress = new ProgressBar(trans);
    this.charts = new ChartPanel(currentChartTheme, trans);
    this.addClass('tb-RunOutput');
    this.node.append(this.header.node, this.progress.node, this.charts.message, this.charts.node, this.charts.system);
    this.stopWatchingTheme = watchTheme(() => {
      this.enqueue(() => this.charts.retheme());
    });
  }

  renderModel(model: IRenderMime.IMimeModel): Promise<void> {
    const payload = parseLivePayload(model.data[this.mimeType]);
    if (typeof payload === 'string') {
      this.node.dataset.status = 'invalid';
      delete this.node.dataset.runId;
      this.header.showProblem(payload);
      this.progress.update(null, false);
      this.latest = null;
      this.received++;
      return this.enqueue(async () => {
        await this.charts.update([]);
        this.charts.showMessage(null);
      });
    }
    // Text parts are cheap: they show the newest payload at once.
    this.node.dataset.status = payload.run.status;
    this.node.dataset.runId = payload.run.id;
    this.header.update(payload);
    this.progress.update(payload.progress, payload.run.status === 'running');
    this.latest = payload;
    const generation = ++this.received;
    // Updates that pile up while a chart is drawing are merged: only the newest is drawn.
    return this.enqueue(async () => {
      if (this.drawn >= generation || !this.latest) return;
      this.drawn = this.received;
      await this.charts.update(this.latest.series, this.latest.resumes ?? []);
    });
  }

  override dispose(): void {
    if (this.isDisposed) return;
    this.stopWatchingTheme();
    this.charts.dispose();
    super.dispose();
  }

  private enqueue(job: () => Promise<void>): Promise<void> {
    const run = async (): Promise<void> => {
      if (!this.isDisposed) await job();
    };
    this.queue = this.queue.then(run, run);
    return this.queue;
  }
}
