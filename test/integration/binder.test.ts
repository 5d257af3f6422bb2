import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/tmp.js';
import { requireBuilt, ROOT } from '../helpers/sdk.js';
import { requireKernel, runInKernel, VENV_PYTHON } from '../helpers/kernel.js';

beforeAll(() => {
  requireBuilt();
  requireKernel();
});

describe('binder install steps (scripts/install-demo.sh, from the packed package)', () => {
  it('brings up the extension and the TypeScript kernel, which imports trainbook and tfjs', () => {
    const demo = tempDir('trainbook-demo-');
    const prefix = tempDir('trainbook-prefix-');
    const install = spawnSync('bash', [path.join(ROOT, 'scripts/install-demo.sh'), demo, prefix], { encoding: 'utf8', timeout: 300_000 });
    expect(install.status, install.stderr).toBe(0);
    expect(fs.existsSync(path.join(demo, 'train.ipynb'))).toBe(true);
    // Installed as a copy from the package, not a link into this checkout.
    const extensionDir = path.join(prefix, 'share/jupyter/labextensions/trainbook');
    expect(fs.lstatSync(extensionDir).isSymbolicLink()).toBe(false);
    expect(fs.realpathSync(path.join(demo, 'node_modules/trainbook')).startsWith(ROOT)).toBe(false);

    const env = { ...process.env, JUPYTER_PATH: path.join(prefix, 'share/jupyter') };
    const jupyter = path.join(ROOT, '.venv/bin/jupyter');
    const list = spawnSync(jupyter, ['labextension', 'list'], { encoding: 'utf8', env });
    expect(`${list.stdout}${list.stderr}`.replace(/\u001b\[\d+m/g, '')).toMatch(/trainbook v\d+\.\d+\.\d+ enabled\s+OK/);
    const kernels = spawnSync(jupyter, ['kernelspec', 'list', '--json'], { encoding: 'utf8', env });
    const spec = JSON.parse(kernels.stdout).kernelspecs.tslab;
    expect(spec.resource_dir.startsWith(prefix)).toBe(true);
    expect(spec.spec.argv[1]).toBe(path.join(fs.realpathSync(demo), 'node_modules/tslab/bin/tslab'));

    const messages = runInKernel(demo, [`import * as tf from '@tensorflow/tfjs';\nimport * as trainbook from 'trainbook';\nconsole.log('trainbook', trainbook.version, 'tfjs', tf.version_core);`], {
      env: { JUPYTER_PATH: path.join(prefix, 'share/jupyter') },
    });
    const stdout = messages.filter((m) => m.msg_type === 'stream').map((m) => m.content.text).join('');
    const version = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version;
    expect(stdout).toContain(`trainbook ${version} tfjs 4.22.0`);
    expect(fs.existsSync(VENV_PYTHON)).toBe(true);
  }, 320_000);
});
