/** The store format: pure types and functions, safe to import in a browser. */
export * from './types.js';
export * from './numbers.js';
export * from './crc32.js';
export * from './events.js';
export * from './params.js';
export * from './series.js';
export * from './status.js';
export * from './shape.js';
export * from './downsample.js';
export * from './base64.js';
export * from './ids.js';
