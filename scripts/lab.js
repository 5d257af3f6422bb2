#!/usr/bin/env node
// `npm run lab`: starts JupyterLab (from the project's venv, set up by scripts/setup.sh) with the
// trainbook extension and the TypeScript kernel, on the example notebook.
//   PORT=8888 (default), TRAINBOOK_LAB_TOKEN=<token> (default: JupyterLab makes one), extra args pass through.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const jupyter = path.join(root, '.venv', 'bin', 'jupyter');
if (!fs.existsSync(jupyter)) {
  process.stderr.write('trainbook: JupyterLab is not set up; run `bash scripts/setup.sh` (npm run lab does it first).\n');
  process.exit(2);
}
const args = [
  'lab',
  `--ServerApp.root_dir=${path.join(root, 'examples')}`,
  '--LabApp.default_url=/lab/tree/train.ipynb',
  `--port=${process.env.PORT ?? '8888'}`,
  '--ip=127.0.0.1',
];
if (process.getuid?.() === 0) args.push('--allow-root');
if (!process.env.DISPLAY && process.platform === 'linux') args.push('--no-browser');
if (process.env.TRAINBOOK_LAB_TOKEN !== undefined) args.push(`--IdentityProvider.token=${process.env.TRAINBOOK_LAB_TOKEN}`);
args.push(...process.argv.slice(2));

process.stderr.write(`trainbook: starting JupyterLab on examples/train.ipynb (Ctrl-C to stop)\n`);
const child = spawn(jupyter, args, {
  cwd: path.join(root, 'examples'),
  stdio: 'inherit',
  env: { ...process.env, PATH: `${path.join(root, '.venv', 'bin')}${path.delimiter}${process.env.PATH ?? ''}` },
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
