/**
 * A run's saved models on disk: `runs/<id>/artifacts/models/index.json` says which snapshot folder
 * holds each tag, and each folder holds `model.json` and `weights.bin`. Parsing is pure and checks
 * every field (the file may be damaged or written by someone else); reading and writing are the
 * only I/O here, and writes replace the file atomically. Saving and loading models (`models/`)
 * and `trainbook doctor` build on it.
 */
import * as path from 'node:path';
import { encodeNumber, ARTIFACTS_DIR, MODELS_DIR, MODEL_INDEX_FILE, type EncodedNumber, type ModelSummary } from 'trainbook/core';
import { inRun, readStoreText, writeStoreFile, type StorePlace } from './safePath.js';

const INDEX_FORMAT = 1;
/** Folder names `models/tags.ts` makes, and the only ones a reader follows from index.json. */
const SAFE_FOLDER = /^[a-z0-9][a-z0-9_-]{0,63}$/;

/** Whether a folder name read from index.json is one trainbook could have made (never `..`, `/`, dots). */
export function isSafeFolderName(name: unknown): name is string {
  return typeof name === 'string' && SAFE_FOLDER.test(name);
}

/** One saved snapshot, as index.json lists it. */
export interface ModelEntry {
  tag: string;
  /** Folder under artifacts/models/ (made by trainbook from the tag; never the tag itself). */
  folder: string;
  savedAt: string;
  step: number | null;
  /** tfjs epoch index (0-based) of the last completed epoch, when known. */
  epoch: number | null;
  bytes: number;
  /** The monitored metric and its value, for snapshots kept by `keepBest`. */
  metric?: { name: string; value: EncodedNumber };
  /** Epoch metrics at the save, when known. */
  metrics?: Record<string, EncodedNumber>;
}

/** `<run>/artifacts/models`. */
export function modelsDir(runDir: string): string {
  return path.join(runDir, ARTIFACTS_DIR, MODELS_DIR);
}

/** `<run>/artifacts/models[/...]` as a store place: reached without following links. */
export function modelsPlace(runDir: string, ...segments: string[]): StorePlace {
  return inRun(runDir, ARTIFACTS_DIR, MODELS_DIR, ...segments);
}

/** The entries of an index.json text; throws TypeError on anything malformed. Duplicate tags: the last wins. */
export function parseModelIndex(text: string): ModelEntry[] {
  const json = JSON.parse(text) as unknown;
  if (typeof json !== 'object' || json === null || !Array.isArray((json as { models?: unknown }).models)) {
    throw new TypeError('not an object with a "models" list');
  }
  const byTag = new Map<string, ModelEntry>();
  for (const item of (json as { models: unknown[] }).models) {
    const entry = item as Partial<ModelEntry> | null;
    if (
      typeof entry !== 'object' ||
      entry === null ||
      typeof entry.tag !== 'string' ||
      !isSafeFolderName(entry.folder) ||
      typeof entry.savedAt !== 'string' ||
      typeof entry.bytes !== 'number'
    ) {
      throw new TypeError(`malformed entry ${JSON.stringify(item)?.slice(0, 200)}`);
    }
    byTag.set(entry.tag, {
      tag: entry.tag,
      folder: entry.folder,
      savedAt: entry.savedAt,
      step: typeof entry.step === 'number' ? entry.step : null,
      epoch: typeof entry.epoch === 'number' ? entry.epoch : null,
      bytes: entry.bytes,
      ...(entry.metric && typeof entry.metric.name === 'string' ? { metric: { name: entry.metric.name, value: entry.metric.value } } : {}),
      ...(entry.metrics && typeof entry.metrics === 'object' ? { metrics: entry.metrics } : {}),
    });
  }
  return [...byTag.values()];
}

export function formatModelIndex(entries: readonly ModelEntry[]): string {
  return `${JSON.stringify({ format: INDEX_FORMAT, models: entries }, null, 1)}\n`;
}

/** The run's saved snapshots; none when the run has no index yet. Throws TypeError/IO errors when it is unreadable. */
export function readModelIndex(runDir: string): ModelEntry[] {
  const text = readStoreText(modelsPlace(runDir, MODEL_INDEX_FILE));
  return text === null ? [] : parseModelIndex(text);
}

export function writeModelIndex(runDir: string, entries: readonly ModelEntry[]): void {
  writeStoreFile(modelsPlace(runDir, MODEL_INDEX_FILE), formatModelIndex(entries));
}

/** Replaces the entry of `entry.tag` (or adds it), keeping the others in order. */
export function withEntry(entries: readonly ModelEntry[], entry: ModelEntry): ModelEntry[] {
  const at = entries.findIndex((e) => e.tag === entry.tag);
  return at < 0 ? [...entries, entry] : entries.map((e, i) => (i === at ? entry : e));
}

/** run.json's `models` map, built from the index. Object.fromEntries keeps a tag like `__proto__` as data. */
export function summarizeModels(entries: readonly ModelEntry[]): Record<string, ModelSummary> {
  return Object.fromEntries(
    entries.map((e) => [e.tag, { savedAt: e.savedAt, epoch: e.epoch, step: e.step, bytes: e.bytes, ...(e.metric ? { metric: e.metric } : {}) }]),
  );
}

/** Metric values as stored (NaN and ±Infinity encoded), skipping anything that is not a number. */
export function encodeMetrics(values: Record<string, unknown> | undefined): Record<string, EncodedNumber> | undefined {
  if (!values) return undefined;
  const out: Array<[string, EncodedNumber]> = [];
  for (const [name, value] of Object.entries(values)) if (typeof value === 'number') out.push([name, encodeNumber(value)]);
  return out.length > 0 ? Object.fromEntries(out) : undefined;
}
