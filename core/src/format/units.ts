/**
 * Durations and sizes as people read them, for the CLI, reports and the runs panel alike (pure:
 * also runs in the browser).
 */

/** `850ms`, `12.3s`, `3m 05s`, `1h 02m`; `spaced` writes `850 ms`, `3 min 05 s`, `1 h 02 min` (reports, panel). */
export function formatDuration(ms: number | null, spaced = false): string {
  if (ms === null || !Number.isFinite(ms) || ms < 0) return '';
  const [msUnit, sUnit, minUnit, hUnit] = spaced ? [' ms', ' s', ' min', ' h'] : ['ms', 's', 'm', 'h'];
  if (ms < 1000) return `${Math.round(ms)}${msUnit}`;
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)}${sUnit}`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}${minUnit} ${String(Math.floor(seconds % 60)).padStart(2, '0')}${sUnit}`;
  return `${Math.floor(minutes / 60)}${hUnit} ${String(minutes % 60).padStart(2, '0')}${minUnit}`;
}

/** `812 B`, `4.2 KiB`, `1.3 MiB`. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '';
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}
