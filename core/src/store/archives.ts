/**
 * Which archive a run belongs to: the one rule both hosts use. The store's claim files
 * `archives/v<N>` (created exclusively by `trainbook archive`, naming run and archive) come
 * first: the highest version that names the run wins, so a run archived again, or an archive that
 * stopped before writing the run's own marker, still reads right. The run's marker
 * `runs/<id>/archive.json` is the fallback, for stores archived before claims named their run.
 * Store tasks, pure.
 */
import { ARCHIVE_CLAIM_NAME, parseArchiveClaim } from '../format/archives.js';
import { isRunId } from '../format/ids.js';
import { parseJsonObject } from '../format/shape.js';
import { ARCHIVE_CLAIMS_DIR, archiveMarkerFile, storePath } from './layout.js';
import { list, readText, type StoreTask } from './task.js';

/** A run's archive: `archived_v<version>_<yyyy-mm-dd>`, when, and the store-wide version. */
export interface ArchiveMarker {
  name: string;
  archivedAt: string;
  version: number;
}

/** A marker file's content (`runs/<id>/archive.json`), or null when it is not one. */
export function parseArchiveMarker(text: string): ArchiveMarker | null {
  const marker = parseJsonObject(text);
  if (marker === null) return null;
  if (typeof marker.name !== 'string' || typeof marker.archivedAt !== 'string' || typeof marker.version !== 'number') return null;
  return { name: marker.name, archivedAt: marker.archivedAt, version: marker.version };
}

/** Claim files already read, by name: a claim never changes once written. */
export type ClaimCache = Map<string, ArchiveMarker & { run: string }>;

/**
 * The archives the store's claims name, per run id (the highest version per run). Never fails: an
 * unreadable claim (being written, damaged) is skipped and tried again next time.
 */
export function* readArchiveClaims(cache: ClaimCache = new Map()): StoreTask<Map<string, ArchiveMarker>> {
  const claims = new Map<string, ArchiveMarker>();
  let entries;
  try {
    entries = (yield* list(ARCHIVE_CLAIMS_DIR)) ?? [];
  } catch {
    return claims;
  }
  for (const entry of entries) {
    if (entry.kind !== 'file' || !ARCHIVE_CLAIM_NAME.test(entry.name)) continue;
    let claim = cache.get(entry.name) ?? null;
    if (!claim) {
      try {
        const text = yield* readText(storePath(ARCHIVE_CLAIMS_DIR, entry.name));
        const parsed = text === null ? null : parseArchiveClaim(text);
        claim = parsed && isRunId(parsed.run) ? { run: parsed.run, name: parsed.name, archivedAt: parsed.archivedAt, version: Number(entry.name.slice(1)) } : null;
      } catch {
        claim = null;
      }
      if (claim) cache.set(entry.name, claim);
    }
    if (!claim || (claims.get(claim.run)?.version ?? 0) > claim.version) continue;
    claims.set(claim.run, { name: claim.name, archivedAt: claim.archivedAt, version: claim.version });
  }
  return claims;
}

/** The run's marker file, or null when it has none (or an unreadable one). */
export function* readArchiveMarker(runId: string): StoreTask<ArchiveMarker | null> {
  try {
    const text = yield* readText(archiveMarkerFile(runId));
    return text === null ? null : parseArchiveMarker(text);
  } catch {
    return null;
  }
}

/**
 * The run's archive by the one rule: its highest claim, else its marker (read only when the run
 * folder has one: `hasMarker`), else null.
 */
export function* archiveOf(runId: string, claims: ReadonlyMap<string, ArchiveMarker>, hasMarker: boolean): StoreTask<ArchiveMarker | null> {
  return claims.get(runId) ?? (hasMarker ? yield* readArchiveMarker(runId) : null);
}
