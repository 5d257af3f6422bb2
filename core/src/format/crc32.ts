/**
 * CRC-32 (IEEE 802.3, the one zlib, gzip and PNG use) of the UTF-8 bytes of a string or of a byte
 * range. Pure, for browsers; Node code may use `zlib.crc32`, which gives the same numbers.
 */
const TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

export function crc32Bytes(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let crc = 0xffffffff;
  for (let i = start; i < end; i++) crc = TABLE[(crc ^ bytes[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

export function crc32String(text: string): number {
  return crc32Bytes(new TextEncoder().encode(text));
}

export function toHex32(value: number): string {
  return (value >>> 0).toString(16).padStart(8, '0');
}
