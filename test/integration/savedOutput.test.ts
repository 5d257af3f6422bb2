import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/tmp.js';
import { requireBuilt, ROOT, runCli } from '../helpers/sdk.js';
import { linkProject, requireKernel, VENV_PYTHON } from '../helpers/kernel.js';

beforeAll(() => {
  requireBuilt();
  requireKernel();
});

const JUPYTER = path.join(ROOT, '.venv', 'bin', 'jupyter');
const code = (id: string, source: string) => ({ cell_type: 'code', id, metadata: {}, source: source.split(/(?<=\n)/), outputs: [], execution_count: null });
const TRAIN = `import * as trainbook from 'trainbook';
const run = trainbook.init({ git: false, name: 'saved', systemMetrics: false });
for (let step = 0; step < 3000; step++) {
  run.log({ 'batch/loss': 2 * Math.exp(-step / 600) + 0.05 * Math.sin(step), 'batch/acc': 1 - Math.exp(-step / 500) });
  if (step % 300 === 299) run.log({ val_loss: 2.2 * Math.exp(-step / 700), val_acc: 0.9 - Math.exp(-step / 600) });
}
await run.finish();`;

describe('a saved notebook shows its training charts without trainbook', () => {
  it('keeps a PNG of the charts in the final output, which nbconvert --to html shows as an <img>', () => {
    const dir = tempDir();
    linkProject(dir);
    const nb = { nbformat: 4, nbformat_minor: 5, metadata: { kernelspec: { name: 'tslab', display_name: 'TypeScript', language: 'typescript' } }, cells: [code('train', TRAIN)] };
    fs.writeFileSync(path.join(dir, 'nb.ipynb'), JSON.stringify(nb, null, 1));
    const env = { JUPYTER_PATH: path.join(ROOT, '.venv', 'share', 'jupyter') };
    const result = runCli(['run', 'nb.ipynb', '--jupyter-python', VENV_PYTHON], dir, env);
    expect(result.status, result.stderr).toBe(0);
    const executed = fs.readdirSync(dir).find((f) => /^nb\.run-.*\.ipynb$/.test(f))!;
    const saved = JSON.parse(fs.readFileSync(path.join(dir, executed), 'utf8'));
    const train = saved.cells.find((cell: { id: string }) => cell.id === 'train');
    const outputs = train.outputs.filter((output: { output_type: string }) => output.output_type === 'display_data');
    expect(outputs).toHaveLength(1);
    const data = outputs[0].data as Record<string, unknown>;
    expect(Object.keys(data).sort()).toEqual(['application/vnd.trainbook.run+json', 'application/vnd.vegalite.v5+json', 'image/png', 'text/plain']);
    // The final display: the run's end, with its picture.
    expect((data['application/vnd.trainbook.run+json'] as { run: { status: string } }).run.status).toBe('completed');
    expect(JSON.stringify(outputs[0]).length).toBeLessThan(150_000);

    const html = spawnSync(JUPYTER, ['nbconvert', '--to', 'html', '--output', 'nb.html', executed], { cwd: dir, encoding: 'utf8', env: { ...process.env, ...env } });
    expect(html.status, html.stderr).toBe(0);
    const page = fs.readFileSync(path.join(dir, 'nb.html'), 'utf8');
    const image = /<img [^>]*src="data:image\/png;base64,([A-Za-z0-9+/=\s]+)"/.exec(page);
    expect(image).not.toBeNull();
    const png = Buffer.from(image![1]!.replace(/\s+/g, ''), 'base64');
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect(png.equals(Buffer.from(data['image/png'] as string, 'base64'))).toBe(true);
    fs.mkdirSync(path.join(ROOT, 'test-artifacts'), { recursive: true });
    fs.writeFileSync(path.join(ROOT, 'test-artifacts', 'nbconvert-live-output.png'), png);
  }, 180_000);
});
