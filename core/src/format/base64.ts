/**
 * Float64 columns as base64 of their little-endian bytes: exact (NaN, ±Infinity and every bit of
 * a double survive), 10.7 bytes per value, and decoded far faster than JSON numbers. Pure: uses
 * Node's Buffer when present, else atob/btoa.
 */
const LITTLE_ENDIAN = new Uint8Array(new Float64Array([1]).buffer)[7] === 0x3f;

interface BufferLike {
  from(data: Uint8Array | string, encoding?: string): Uint8Array & { toString(encoding: string): string };
}
const NodeBuffer = (globalThis as { Buffer?: BufferLike }).Buffer;

function toLittleEndianBytes(values: Float64Array): Uint8Array {
  if (LITTLE_ENDIAN) return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  const bytes = new Uint8Array(values.length * 8);
  const view = new DataView(bytes.buffer);
  values.forEach((v, i) => view.setFloat64(i * 8, v, true));
  return bytes;
}

export function encodeFloat64(values: ArrayLike<number>): string {
  const bytes = toLittleEndianBytes(Float64Array.from(values));
  if (NodeBuffer) return NodeBuffer.from(bytes).toString('base64');
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

function decodeBytes(text: string): Uint8Array {
  if (NodeBuffer) return NodeBuffer.from(text, 'base64');
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/**
 * Number of float64 values a base64 column holds, or -1 when its length cannot be one. (The
 * characters themselves are not scanned: the line's CRC vouches for them, and a decode that
 * yields the wrong number of bytes fills its range with NaN.)
 */
export function float64Count(text: string): number {
  if (text.length % 4 !== 0) return -1;
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  const bytes = (text.length / 4) * 3 - padding;
  return bytes % 8 === 0 ? bytes / 8 : -1;
}

/** Decodes a column into `target` at `offset` (no intermediate array of numbers). */
export function decodeFloat64Into(text: string, target: Float64Array, offset: number): number {
  const expected = float64Count(text);
  let bytes: Uint8Array;
  try {
    bytes = decodeBytes(text);
  } catch {
    bytes = new Uint8Array(0);
  }
  if (expected < 0 || bytes.length !== expected * 8) {
    const count = Math.max(0, expected);
    target.fill(NaN, offset, offset + count);
    return count;
  }
  const count = expected;
  if (LITTLE_ENDIAN) {
    new Uint8Array(target.buffer, target.byteOffset + offset * 8, count * 8).set(bytes.subarray(0, count * 8));
  } else {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let i = 0; i < count; i++) target[offset + i] = view.getFloat64(i * 8, true);
  }
  return count;
}
