/**
 * The archive claims of a store, `<store>/archives/v<N>`: one file per archive version, created
 * exclusively by `trainbook archive`, holding `{"run": id, "name": "archived_v<N>_<date>", ...}`.
 * Pure (the JupyterLab panel reads them through the Contents API).
 */
import { parseJsonObject } from './shape.js';

/** Claim file names: `v1`, `v2`, ... */
export const ARCHIVE_CLAIM_NAME = /^v[1-9]\d*$/;

export interface ArchiveClaim {
  run: string;
  name: string;
  archivedAt: string;
}

/** `archived_v2_2026-11-22`: the version, then the UTC date of archiving. */
export function archiveName(version: number, at: Date): string {
  return `archived_v${version}_${at.toISOString().slice(0, 10)}`;
}

/** A claim file's content, or null when it is not one (an older plain run id, damage). */
export function parseArchiveClaim(text: string): ArchiveClaim | null {
  const claim = parseJsonObject(text);
  if (claim === null) return null;
  if (typeof claim.run !== 'string' || typeof claim.name !== 'string' || typeof claim.archivedAt !== 'string') return null;
  return { run: claim.run, name: claim.name, archivedAt: claim.archivedAt };
}
