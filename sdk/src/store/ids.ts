import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
let lastStamp = '';
let sequence = 0;

/**
 * A new run id such as `20261122-210850123-k3f9q`: UTC date and time to the millisecond, then
 * random letters. Ids sort by start time, are unique across processes, and are safe file names
 * on every OS (lower-case ASCII letters, digits and '-').
 */
export function newRunId(now: Date = new Date()): string {
  const iso = now.toISOString(); // 2026-11-22T21:08:50.123Z
  let stamp = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}-${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}${iso.slice(20, 23)}`;
  // Within one process and millisecond, a counter keeps ids in creation order.
  sequence = stamp === lastStamp ? sequence + 1 : 0;
  lastStamp = stamp;
  const bytes = randomBytes(5);
  let suffix = ALPHABET[sequence % 32]!;
  for (let i = 1; i < 5; i++) suffix += ALPHABET[bytes[i]! % 32]!;
  return `${stamp}-${suffix}`;
}

const RUN_ID_PATTERN = /^[0-9]{8}-[0-9]{9}-[0-9a-z]{5}$/;

/** True for strings shaped like ids this module makes: a run folder name never comes from anything else. */
export function isRunId(value: string): boolean {
  return RUN_ID_PATTERN.test(value);
}
