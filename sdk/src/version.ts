import { readFileSync } from 'node:fs';

/** The SDK's own version, read from the package it ships in. */
export const SDK_VERSION: string = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;
