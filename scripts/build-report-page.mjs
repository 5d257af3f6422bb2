// Bundles the report's built-in page script (report-templates/report.js) with the core's run
// lookup into sdk/dist/report/page.js, which the report builder inlines (and hashes into its CSP).
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
await build({
  entryPoints: [`${root}report-templates/report.js`],
  outfile: `${root}sdk/dist/report/page.js`,
  bundle: true,
  format: 'iife',
  target: 'es2019',
  alias: { 'trainbook/core': `${root}core/dist/index.js` },
  legalComments: 'none',
  logLevel: 'warning',
});
