import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/tmp.js';
import { requireBuilt, ROOT } from '../helpers/sdk.js';

beforeAll(requireBuilt);

const npm = (args: string[], cwd: string): string =>
  execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, npm_config_update_notifier: 'false' } });

describe('the packed SDK package', () => {
  it('installs into an empty folder, imports as trainbook (ESM and require) and runs `npx trainbook ls`', () => {
    const packs = tempDir('trainbook-pack-');
    const packed = JSON.parse(npm(['pack', '--json', '--ignore-scripts', '--pack-destination', packs], ROOT)) as Array<{ filename: string; files: Array<{ path: string }> }>;
    const files = packed[0]!.files.map((file) => file.path);
    expect(files).toContain('sdk/dist/index.js');
    expect(files).toContain('sdk/bin/trainbook.js');
    expect(files.some((file) => file.startsWith('test/') || file.startsWith('sdk/src/'))).toBe(false);

    const project = tempDir('trainbook-user-');
    fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'user-project', private: true }));
    npm(['install', '--no-audit', '--no-fund', '--prefer-offline', path.join(packs, packed[0]!.filename)], project);

    fs.writeFileSync(
      path.join(project, 'train.mjs'),
      `import * as trainbook from 'trainbook';
const run = trainbook.init({ name: 'packed', params: { lr: 0.01 } });
run.log({ loss: 0.5 }, { step: 1 });
await run.finish();
console.log(trainbook.version);`,
    );
    const esm = spawnSync(process.execPath, ['train.mjs'], { cwd: project, encoding: 'utf8' });
    expect(esm.stderr).toBe('');
    expect(esm.stdout.trim()).toBe(JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version);

    // tslab compiles notebook cells to CommonJS, so `import` there becomes require().
    fs.writeFileSync(path.join(project, 'train.cjs'), `const trainbook = require('trainbook'); const run = trainbook.init({ name: 'cjs' }); run.log({ loss: 1 }); run.finish().then(() => console.log('ok'));`);
    const cjs = spawnSync(process.execPath, ['--no-warnings', 'train.cjs'], { cwd: project, encoding: 'utf8' });
    expect(cjs.stdout.trim()).toBe('ok');

    const ls = spawnSync('npx', ['--no-install', 'trainbook', 'ls'], { cwd: project, encoding: 'utf8', env: { ...process.env, TRAINBOOK_DIR: '' } });
    expect(ls.status).toBe(0);
    expect(ls.stdout).toMatch(/packed\s+completed/);
    expect(ls.stdout).toMatch(/cjs\s+completed/);
  }, 180_000);
});
