/**
 * trainbook: experiment tracking that lives in Jupyter notebooks.
 *
 * @example
 * import * as trainbook from 'trainbook';
 * const run = trainbook.init({ params: { lr: 0.01 } });
 * await model.fit(x, y, { epochs: 3, callbacks: run.tfCallback() });
 * await run.finish();
 */
export { init, type InitOptions } from './run/init.js';
export { Run, type LogOptions, type FinishOptions, type FinishResult } from './run/run.js';
export type { Chrono } from './run/chrono.js';
export { selectBackend, type BackendChoice } from './tfjs/backend.js';
export type { TfCallback, TfCallbackOptions } from './tfjs/callback.js';
export { openStore, type Store, type RunSummary, type RunData } from './store/reader.js';
export { findStores, storeDirForNotebook } from './store/paths.js';
export { loadModel, listModels, type LoadModelOptions, type LayersModelLike, type TfjsModelLoader } from './models/load.js';
export type { SaveModelOptions, SavedModel, SaveableModel } from './models/save.js';
export type { KeepBestOptions, KeepBestCallback } from './models/keepBest.js';
export type { ModelEntry } from './store/modelIndex.js';
// Typed errors live in the core: every layer throws the same ones.
export {
  TrainbookError,
  InvalidValueError,
  ParamCollisionError,
  StoreError,
  StoreLinkError,
  RunLockedError,
  RunNotFoundError,
  ResumeConflictError,
  ModelTagError,
  ModelSaveError,
  ModelNotFoundError,
  TfjsNotFoundError,
  ImportFormatError,
  InvalidParameterError,
  NotebookFormatError,
  JupyterSetupError,
} from 'trainbook/core';
export { SDK_VERSION as version } from './version.js';
