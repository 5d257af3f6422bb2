/**
 * The tfjs model artifact layout, without importing tfjs: `model.json` (topology, training
 * config, weights manifest) plus one `weights.bin`, as tfjs-node's `file://` handler writes them,
 * so a snapshot folder also loads with `tf.loadLayersModel('file://.../model.json')`. Pure.
 */
import { WEIGHTS_FILE } from 'trainbook/core';

/** One weight's entry in a weights manifest (tfjs `WeightsManifestEntry`; the same shape, so tfjs types fit). */
export interface WeightSpec {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32' | 'bool' | 'string' | 'complex64';
  group?: 'model' | 'optimizer';
  quantization?: { scale?: number; min?: number; dtype: 'uint16' | 'uint8' | 'float16' };
}

/* eslint-disable @typescript-eslint/no-empty-object-type -- `{}` as tfjs declares them, so its types fit these */
/** How the model was compiled (tfjs `TrainingConfig`). */
export interface TrainingConfig {
  optimizer_config: {};
  loss: string | string[] | { [key: string]: string };
  metrics?: string[] | { [key: string]: string };
  weighted_metrics?: string[];
  sample_weight_mode?: string;
  loss_weights?: number[] | { [key: string]: number };
}

/** What tfjs hands a save handler and expects from a load handler (tfjs `io.ModelArtifacts`). */
export interface ModelArtifacts {
  modelTopology?: {} | ArrayBuffer;
  trainingConfig?: TrainingConfig;
  weightSpecs?: WeightSpec[];
  weightData?: ArrayBuffer | ArrayBuffer[];
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
  signature?: {};
  userDefinedMetadata?: { [key: string]: {} };
  modelInitializer?: {};
  initializerSignature?: {};
}
/* eslint-enable @typescript-eslint/no-empty-object-type */

/** What a save handler returns (tfjs `io.SaveResult`). */
export interface SaveResult {
  modelArtifactsInfo: {
    dateSaved: Date;
    modelTopologyType: 'JSON' | 'GraphDef';
    modelTopologyBytes?: number;
    weightSpecsBytes?: number;
    weightDataBytes?: number;
  };
}

/** The object tfjs `model.save(handler)` and `tf.loadLayersModel(handler)` accept (tfjs `io.IOHandler`). */
export interface ModelIOHandler {
  save(artifacts: ModelArtifacts): Promise<SaveResult>;
  load(): Promise<ModelArtifacts>;
}

/** Keys copied between ModelArtifacts and model.json unchanged, when present. */
const PASSTHROUGH = ['modelTopology', 'trainingConfig', 'format', 'generatedBy', 'convertedBy', 'signature', 'userDefinedMetadata', 'modelInitializer', 'initializerSignature'] as const;

/**
 * Splits artifacts into the text of model.json and the bytes of weights.bin.
 *
 * @example
 * const { modelJson, weights } = encodeArtifacts(artifacts);
 */
export function encodeArtifacts(artifacts: ModelArtifacts): { modelJson: string; weights: Uint8Array; info: SaveResult['modelArtifactsInfo'] } {
  if (artifacts.modelTopology instanceof ArrayBuffer) {
    throw new TypeError('trainbook stores Layers models (JSON topology); this model has a binary GraphDef topology.');
  }
  const weights = concatBuffers(artifacts.weightData);
  const json: Record<string, unknown> = {};
  for (const key of PASSTHROUGH) if (artifacts[key] !== undefined) json[key] = artifacts[key];
  json.weightsManifest = [{ paths: [WEIGHTS_FILE], weights: artifacts.weightSpecs ?? [] }];
  const modelJson = JSON.stringify(json);
  return {
    modelJson,
    weights,
    info: {
      dateSaved: new Date(),
      modelTopologyType: 'JSON',
      modelTopologyBytes: artifacts.modelTopology === undefined ? 0 : JSON.stringify(artifacts.modelTopology).length,
      weightSpecsBytes: JSON.stringify(artifacts.weightSpecs ?? []).length,
      weightDataBytes: weights.byteLength,
    },
  };
}

/**
 * Parses model.json into artifacts (without weight data) and the weight file names it lists, in
 * order. Names are checked: a manifest is data from disk and may say '../../secret'.
 */
export function decodeModelJson(text: string): { artifacts: ModelArtifacts; weightFiles: string[] } {
  const json = JSON.parse(text) as unknown;
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new TypeError('model.json is not a JSON object');
  const source = json as Record<string, unknown>;
  if (typeof source.modelTopology !== 'object' || source.modelTopology === null) throw new TypeError('model.json has no modelTopology');
  const artifacts: Record<string, unknown> = {};
  for (const key of PASSTHROUGH) if (source[key] !== undefined) artifacts[key] = source[key];
  const weightSpecs: WeightSpec[] = [];
  const weightFiles: string[] = [];
  const manifest = source.weightsManifest ?? [];
  if (!Array.isArray(manifest)) throw new TypeError('model.json has a malformed weightsManifest');
  for (const group of manifest as unknown[]) {
    const { paths, weights } = (group ?? {}) as { paths?: unknown; weights?: unknown };
    if (!Array.isArray(paths) || !Array.isArray(weights)) throw new TypeError('model.json has a malformed weightsManifest group');
    for (const file of paths) {
      if (!isPlainFileName(file)) throw new TypeError(`model.json names a weight file outside its folder: ${JSON.stringify(file)}`);
      weightFiles.push(file);
    }
    weightSpecs.push(...(weights as WeightSpec[]));
  }
  artifacts.weightSpecs = weightSpecs;
  return { artifacts: artifacts as ModelArtifacts, weightFiles };
}

/** A file name with no folder part: not empty, no separators, not `.` or `..`. */
export function isPlainFileName(name: unknown): name is string {
  return typeof name === 'string' && name.length > 0 && name.length <= 255 && !/[/\\\0]/.test(name) && name !== '.' && name !== '..';
}

/** One contiguous copy of tfjs weight data (one buffer, or shards in order). */
export function concatBuffers(data: ArrayBuffer | ArrayBuffer[] | undefined): Uint8Array {
  if (data === undefined) return new Uint8Array(0);
  const parts = Array.isArray(data) ? data : [data];
  const total = parts.reduce((sum, part) => sum + part.byteLength, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    out.set(new Uint8Array(part), offset);
    offset += part.byteLength;
  }
  return out;
}
