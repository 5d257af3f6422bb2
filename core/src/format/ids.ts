/**
 * Run ids such as `20261122-210850123-k3f9q`: UTC date and time to the millisecond, then five
 * letters, the first a per-millisecond counter. Ids sort by creation time, are unique across
 * processes, and are safe file names on every OS (lower-case ASCII letters, digits and '-').
 * Pure: the SDK (Node) and the JupyterLab extension (browser) make them the same way.
 */
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
let lastStamp = '';
let sequence = 0;

/** Fills `bytes` with random values. */
export type RandomFill = (bytes: Uint8Array) => void;
const cryptoFill: RandomFill = (bytes) => {
  globalThis.crypto.getRandomValues(bytes); // browsers and Node 20
};

export function newRunId(now: Date = new Date(), fill: RandomFill = cryptoFill): string {
  const iso = now.toISOString(); // 2026-11-22T21:08:50.123Z
  const stamp = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}-${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}${iso.slice(20, 23)}`;
  // Within one process and millisecond, a counter keeps ids in creation order.
  sequence = stamp === lastStamp ? sequence + 1 : 0;
  lastStamp = stamp;
  const bytes = new Uint8Array(5);
  fill(bytes);
  let suffix = ALPHABET[sequence % 32]!;
  for (let i = 1; i < 5; i++) suffix += ALPHABET[bytes[i]! % 32]!;
  return `${stamp}-${suffix}`;
}

const RUN_ID_PATTERN = /^[0-9]{8}-[0-9]{9}-[0-9a-z]{5}$/;

/** True for strings shaped like ids this module makes: a run folder name never comes from anything else. */
export function isRunId(value: string): boolean {
  return RUN_ID_PATTERN.test(value);
}
