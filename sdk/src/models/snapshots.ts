/**
 * Writing and reading one snapshot folder. A save writes a hidden temporary folder, fsyncs it,
 * renames it to a fresh name, then switches the tag to it in index.json (an atomic replace) and
 * only then removes the tag's previous folder: a crash or a full disk at any point leaves the
 * tag on its previous, complete snapshot.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { MODEL_FILE, MODEL_INDEX_FILE, ModelNotFoundError, ModelSaveError, StoreLinkError, WEIGHTS_FILE } from 'trainbook/core';
import { concatBuffers, decodeModelJson, encodeArtifacts, type ModelArtifacts, type SaveResult } from './artifacts.js';
import { modelsDir, modelsPlace, readModelIndex, withEntry, writeModelIndex, type ModelEntry } from '../store/modelIndex.js';
import { snapshotFolderName } from './tags.js';
import { temporaryOwner } from '../store/modelCheck.js';
import { isProcessAlive } from '../store/lock.js';
import { makeStoreDirs, readStoreBytes } from '../store/safePath.js';

const TEMP_PREFIX = '.tmp-';

/** What a save records besides the files. */
export type SnapshotMeta = Omit<ModelEntry, 'tag' | 'folder' | 'savedAt' | 'bytes'>;

export interface WrittenSnapshot {
  entry: ModelEntry;
  /** Every entry of the index after the save. */
  entries: ModelEntry[];
  dir: string;
  info: SaveResult['modelArtifactsInfo'];
}

/** Writes `artifacts` as the snapshot of `tag` and points the index at it. Throws on any I/O error, leaving the previous snapshot in place. */
export async function writeSnapshot(runDir: string, tag: string, artifacts: ModelArtifacts, meta: SnapshotMeta): Promise<WrittenSnapshot> {
  const { modelJson, weights, info } = encodeArtifacts(artifacts);
  // Made, or checked, one level at a time: a linked artifacts/ or models/ is refused, never written through.
  const root = makeStoreDirs(modelsPlace(runDir));
  await removeAbandonedTemporaries(root);
  // Read the index before writing anything: a damaged index stops the save instead of being overwritten.
  let before: ModelEntry[];
  try {
    before = readModelIndex(runDir);
  } catch (error) {
    throw new ModelSaveError(
      `The model index ${path.join(root, MODEL_INDEX_FILE)} cannot be read (${(error as Error).message}), so saving "${tag}" would lose the other snapshots. Nothing was written: move the file away (or repair it), then save again.`,
      { cause: error },
    );
  }
  const folder = snapshotFolderName(tag, `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`);
  const temporary = path.join(root, `${TEMP_PREFIX}${process.pid}-${folder}`);
  const final = path.join(root, folder);
  try {
    await fsp.mkdir(temporary);
    const jsonBytes = Buffer.from(modelJson, 'utf8');
    await writeDurably(path.join(temporary, MODEL_FILE), jsonBytes);
    await writeDurably(path.join(temporary, WEIGHTS_FILE), weights);
    await fsp.rename(temporary, final);
    syncDirectory(root);
    const entry: ModelEntry = { tag, folder, savedAt: info.dateSaved.toISOString(), ...meta, bytes: jsonBytes.byteLength + weights.byteLength };
    const entries = withEntry(before, entry);
    writeModelIndex(runDir, entries);
    const previous = before.find((e) => e.tag === tag);
    if (previous && previous.folder !== folder) await fsp.rm(path.join(root, previous.folder), { recursive: true, force: true }).catch(() => undefined);
    return { entry, entries, dir: final, info };
  } catch (error) {
    await fsp.rm(temporary, { recursive: true, force: true }).catch(() => undefined);
    // Renamed but not indexed: nothing points at it, so it goes too.
    if (!readModelIndexSafe(runDir).some((e) => e.folder === folder)) await fsp.rm(final, { recursive: true, force: true }).catch(() => undefined);
    throw error;
  }
}

/** The artifacts of `tag`'s snapshot, ready for `tf.loadLayersModel`. */
export async function readSnapshot(runDir: string, tag: string): Promise<{ artifacts: ModelArtifacts; entry: ModelEntry }> {
  // A save in another process may replace the folder between reading the index and the files: look again once.
  for (let attempt = 0; ; attempt++) {
    const entries = readModelIndex(runDir);
    const entry = entries.find((e) => e.tag === tag);
    if (!entry) throw missingTag(tag, entries);
    const dir = path.join(modelsDir(runDir), entry.folder);
    try {
      const { artifacts, weightFiles } = decodeModelJson(readSnapshotFile(runDir, entry.folder, MODEL_FILE).toString('utf8'));
      const shards = weightFiles.map((file) => readSnapshotFile(runDir, entry.folder, file));
      const weights = concatBuffers(shards.map((shard) => shard.buffer.slice(shard.byteOffset, shard.byteOffset + shard.byteLength) as ArrayBuffer));
      return { artifacts: { ...artifacts, weightData: weights.buffer as ArrayBuffer }, entry };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT' && attempt === 0) continue;
      if (error instanceof StoreLinkError) throw error;
      throw new ModelNotFoundError(
        `The snapshot "${tag}" in ${dir} cannot be read (${(error as Error).message}). Save it again, or load another tag: ${entries.map((e) => JSON.stringify(e.tag)).join(', ')}.`,
        entries.map((e) => e.tag),
      );
    }
  }
}

export function missingTag(tag: string, entries: readonly ModelEntry[]): ModelNotFoundError {
  const tags = entries.map((e) => e.tag);
  return new ModelNotFoundError(
    tags.length === 0
      ? `No model saved under "${tag}": this run has no saved models. Save one with await run.saveModel(model, { tag: 'final' }) or run.keepBest({ model }).`
      : `No model saved under "${tag}". This run has: ${tags.map((t) => JSON.stringify(t)).join(', ')}.`,
    tags,
  );
}

/** A file of a snapshot folder, read without following links; an ENOENT error when it is missing. */
function readSnapshotFile(runDir: string, folder: string, name: string): Buffer {
  const bytes = readStoreBytes(modelsPlace(runDir, folder, name));
  if (bytes === null) throw Object.assign(new Error(`${folder}/${name} is missing`), { code: 'ENOENT' });
  return bytes;
}

async function writeDurably(file: string, bytes: Uint8Array): Promise<void> {
  const handle = await fsp.open(file, 'wx', 0o644);
  try {
    let offset = 0;
    while (offset < bytes.byteLength) offset += (await handle.write(bytes, offset, bytes.byteLength - offset)).bytesWritten;
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Makes the rename itself durable where the platform allows fsync on a folder. */
function syncDirectory(dir: string): void {
  try {
    const fd = fs.openSync(dir, 'r');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    // Not supported (Windows); the rename is still atomic.
  }
}

/** Temporary folders of processes that died mid-save. */
async function removeAbandonedTemporaries(root: string): Promise<void> {
  let names: string[];
  try {
    names = await fsp.readdir(root);
  } catch {
    return;
  }
  for (const name of names) {
    const pid = temporaryOwner(name);
    if (pid !== null && pid !== process.pid && !isProcessAlive(pid)) {
      await fsp.rm(path.join(root, name), { recursive: true, force: true }).catch(() => undefined);
    }
  }
}

function readModelIndexSafe(runDir: string): ModelEntry[] {
  try {
    return readModelIndex(runDir);
  } catch {
    return [];
  }
}
