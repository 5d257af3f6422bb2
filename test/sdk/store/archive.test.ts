import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { archiveRun, claimArchiveVersion, nextArchiveVersion, readArchiveMarker } from '../../../sdk/src/store/archive.js';
import { parseArchiveClaim } from '../../../core/src/format/archives.js';
import { tempDir } from '../../helpers/tmp.js';

function store(runs: string[]): string {
  const dir = tempDir();
  for (const id of runs) fs.mkdirSync(path.join(dir, 'runs', id), { recursive: true });
  return dir;
}

describe('store/archive', () => {
  it('numbers archives 1, 2, ... and keeps a run archived under its first name', () => {
    const dir = store(['a', 'b']);
    const now = new Date('2026-12-01T10:00:00Z');
    expect(archiveRun(dir, path.join(dir, 'runs', 'a'), now)).toEqual({ marker: { name: 'archived_v1_2026-12-01', archivedAt: now.toISOString(), version: 1 }, already: false });
    expect(archiveRun(dir, path.join(dir, 'runs', 'b'), now).marker.name).toBe('archived_v2_2026-12-01');
    expect(archiveRun(dir, path.join(dir, 'runs', 'a'), new Date()).already).toBe(true);
    expect(readArchiveMarker(path.join(dir, 'runs', 'a'))!.version).toBe(1);
  });

  it('gives two archivers that saw the same next number different versions', () => {
    const dir = store(['a', 'b']);
    // Both read "next is 1" before either wrote its marker: the exclusive claims still differ.
    const seen = nextArchiveVersion(dir);
    const now = new Date('2026-12-01T10:00:00Z');
    expect([claimArchiveVersion(dir, seen, 'a', now), claimArchiveVersion(dir, seen, 'b', now)]).toEqual([1, 2]);
    expect(parseArchiveClaim(fs.readFileSync(path.join(dir, 'archives', 'v2'), 'utf8'))).toEqual({ run: 'b', name: 'archived_v2_2026-12-01', archivedAt: now.toISOString() });
    expect(parseArchiveClaim('b\n')).toBeNull();
  });
});
