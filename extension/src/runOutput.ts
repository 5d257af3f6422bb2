import type { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import { Widget } from '@lumino/widgets';
import { parseLivePayload, RUN_MIME, summaryLine } from '../../sdk/src/live/payload.js';

/** Placeholder renderer (replaced by the full one): shows the summary line as text. */
export class RunOutputRenderer extends Widget implements IRenderMime.IRenderer {
  constructor(private readonly options: IRenderMime.IRendererOptions) {
    super();
    this.addClass('tb-RunOutput');
  }
  async renderModel(model: IRenderMime.IMimeModel): Promise<void> {
    const payload = parseLivePayload(model.data[this.options.mimeType ?? RUN_MIME]);
    this.node.textContent = typeof payload === 'string' ? payload : summaryLine(payload);
  }
}
