import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // Tests run the sources: the core's package entry maps to its source, as the SDK's build maps it to core/dist.
    alias: [
      { find: /^trainbook\/core$/, replacement: fileURLToPath(new URL('./core/src/index.ts', import.meta.url)) },
      { find: /^trainbook\/hub$/, replacement: fileURLToPath(new URL('./hub/src/index.ts', import.meta.url)) },
    ],
  },
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    // Two cores: at most two test files at once (each browser test runs a lab, a kernel and Chromium).
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
