/**
 * The MIME extension (package.json `jupyterlab.mimeExtension`): renders
 * `application/vnd.trainbook.run+json` outputs with the live run renderer.
 */
import type { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import { RUN_MIME } from 'trainbook/core';
import { RunOutputRenderer } from '../renderer/runOutput.js';

export const rendererFactory: IRenderMime.IRendererFactory = {
  // Safe: the renderer builds everything from data it checks; nothing in an output runs as code.
  safe: true,
  mimeTypes: [RUN_MIME],
  defaultRank: 10,
  createRenderer: (options) => new RunOutputRenderer(options),
};

const extension: IRenderMime.IExtension = {
  id: 'trainbook:run-renderer',
  description: 'Live trainbook run output: status, progress and metric charts.',
  rendererFactory,
  rank: 10,
  dataType: 'json',
};

export default extension;
