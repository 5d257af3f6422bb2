import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../sdk/src/index.js';
import { tempDir } from '../helpers/tmp.js';
import { requireBuilt, runCli, runScript } from '../helpers/sdk.js';
import { linkProject, requireKernel, runInKernel } from '../helpers/kernel.js';

beforeAll(requireBuilt);

function onlyRun(dir: string) {
  const store = openStore(path.join(dir, '.trainbook'));
  const { runs } = store.list();
  expect(runs).toHaveLength(1);
  return store.read(runs[0]!.record.id);
}

describe('system metrics in a script run', () => {
  it('stores sys/* series on their own steps with increasing wall times, leaving the user\'s auto steps alone', () => {
    const dir = tempDir();
    const result = runScript(
      dir,
      `const run = tb.init({ git: false, systemMetrics: { intervalMs: 100 } });
const started = Date.now();
let busy = 0;
while (Date.now() - started < 650) {
  for (let i = 0; i < 1e5; i++) busy += Math.sqrt(i); // some CPU to measure
  run.log({ loss: busy % 7 });
  await new Promise((r) => setTimeout(r, 20));
}
const finished = await run.finish();
console.log(JSON.stringify({ points: finished.points }));`,
    );
    expect(result.status, result.stderr).toBe(0);
    const data = onlyRun(dir);
    const loss = data.series.get('loss')!;
    expect([...loss.step]).toEqual(Array.from({ length: loss.length }, (_, i) => i));
    expect(JSON.parse(result.stdout.trim().split('\n').at(-1)!)).toEqual({ points: loss.length });

    const startedAt = Date.parse(data.record.startedAt);
    for (const name of ['sys/cpu_percent', 'sys/process_cpu_percent', 'sys/memory_used_percent', 'sys/process_rss_mb', 'sys/process_heap_mb']) {
      const series = data.series.get(name);
      expect(series, name).toBeDefined();
      expect(series!.length, name).toBeGreaterThanOrEqual(3);
      expect([...series!.step], name).toEqual(Array.from({ length: series!.length }, (_, i) => i));
      for (let i = 1; i < series!.length; i++) expect(series!.time[i]!, name).toBeGreaterThan(series!.time[i - 1]!);
      expect(series!.time[0]!).toBeGreaterThanOrEqual(startedAt);
    }
    const cpu = data.series.get('sys/cpu_percent')!;
    for (const value of cpu.value) {
      expect(value).toBeGreaterThanOrEqual(0);
      expect(value).toBeLessThanOrEqual(100);
    }
    expect(data.series.get('sys/process_rss_mb')!.value[0]).toBeGreaterThan(10);
    expect(data.record.summary['sys/cpu_percent']!.count).toBe(cpu.length);

    // The report draws them over seconds since the start, in charts of their own; the table keeps to the user's metrics.
    const report = runCli(['report', '.trainbook', '-o', 'report.html'], dir);
    expect(report.status, report.stderr).toBe(0);
    const html = fs.readFileSync(path.join(dir, 'report.html'), 'utf8');
    const figure = (title: string) => new RegExp(`<span class="chart-title">${title.replace(/[()]/g, '\\$&')}</span>[^]*?</figure>`).exec(html)?.[0] ?? '';
    expect(figure('sys/cpu (%)')).toContain('seconds since start');
    expect(figure('sys/process memory (MB)')).toContain('seconds since start');
    expect(figure('loss')).toContain('<svg');
    expect(figure('loss')).not.toContain('seconds since start');
    expect(/<section id="runs"[^]*?<\/section>/.exec(html)![0]).not.toContain('sys/');
  });

  it('samples nothing with systemMetrics: false or TRAINBOOK_SYSTEM_METRICS=off', () => {
    const dir = tempDir();
    const body = (option: string) => `const run = tb.init({ git: false${option} }); run.log({ loss: 1 }); await new Promise((r) => setTimeout(r, 300)); await run.finish();`;
    expect(runScript(dir, body(', systemMetrics: false')).status).toBe(0);
    expect(runScript(dir, body(''), { TRAINBOOK_SYSTEM_METRICS: 'off' }).status).toBe(0);
    const store = openStore(path.join(dir, '.trainbook'));
    for (const run of store.list().runs) expect([...store.read(run.record.id).series.keys()]).toEqual(['loss']);
  });
});

describe('output capture in a script run', () => {
  it('keeps what was printed while the run was active, on its stream, and nothing before or after', () => {
    const dir = tempDir();
    const result = runScript(
      dir,
      `console.log('before init');
const run = tb.init({ git: false, systemMetrics: false });
console.log('epoch 1 loss=0.5');
process.stderr.write('careful: \\u001b[33mlr high\\u001b[0m\\n');
console.log('<script>alert(1)</script> done');
run.log({ loss: 0.5 });
await run.finish();
console.log('after finish');
process.stderr.write('after finish too\\n');`,
    );
    expect(result.status, result.stderr).toBe(0);
    // Printing still works as before.
    expect(result.stdout).toBe('before init\nepoch 1 loss=0.5\n<script>alert(1)</script> done\nafter finish\n');
    const data = onlyRun(dir);
    expect(data.output).toEqual({
      chunks: [
        { time: expect.any(Number), stream: 'stdout', text: 'epoch 1 loss=0.5\n' },
        { time: expect.any(Number), stream: 'stderr', text: 'careful: \u001b[33mlr high\u001b[0m\n' },
        { time: expect.any(Number), stream: 'stdout', text: '<script>alert(1)</script> done\n' },
      ],
      cutAfterBytes: null,
    });
    expect(data.record.output).toEqual({ keptBytes: Buffer.byteLength('epoch 1 loss=0.5\ncareful: \u001b[33mlr high\u001b[0m\n<script>alert(1)</script> done\n'), droppedBytes: 0 });
    // Written with the run's batched flush: three prints, one flush at finish.
    const eventsFile = fs.readFileSync(path.join(data.dir, 'events.jsonl'), 'utf8').trim().split('\n');
    expect(eventsFile.filter((line) => line.includes('"type":"output"'))).toHaveLength(3);

    const show = runCli(['show', data.record.id, '.trainbook'], dir);
    expect(show.status, show.stderr).toBe(0);
    expect(show.stdout).toContain('output (stdout and stderr)');
    expect(show.stdout).toContain('  epoch 1 loss=0.5\n  careful: lr high\n  <script>alert(1)</script> done');

    const report = runCli(['report', '.trainbook', '-o', 'report.html'], dir);
    expect(report.status, report.stderr).toBe(0);
    const html = fs.readFileSync(path.join(dir, 'report.html'), 'utf8');
    const block = /<details class="output"><summary>Output<\/summary><pre class="output-text" tabindex="0">([^]*?)<\/pre><\/details>/.exec(html);
    expect(block?.[1]).toBe('epoch 1 loss&#x3D;0.5\ncareful: lr high\n&lt;script&gt;alert(1)&lt;/script&gt; done\n');
    expect(html).not.toContain('<script>alert(1)');
  });

  it("never keeps trainbook's own progress lines", () => {
    const dir = tempDir();
    const result = runScript(
      dir,
      `const run = tb.init({ git: false, systemMetrics: false });
run.setProgress({ epoch: 0, epochs: 2, fraction: 0 });
run.log({ loss: 1 }); run.setProgress({ epoch: 1, fraction: 0.5 });
console.log('mine');
run.log({ loss: 0.5 }); run.setProgress({ epoch: 2, fraction: 1 });
await run.finish();`,
    );
    expect(result.status, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/^trainbook /m); // progress was shown...
    expect(onlyRun(dir).output.chunks.map((c) => c.text)).toEqual(['mine\n']); // ...and not kept
  });

  it('cuts at the cap with one note and counts the dropped bytes', () => {
    const dir = tempDir();
    const result = runScript(
      dir,
      `const run = tb.init({ git: false, systemMetrics: false, captureOutput: { maxBytes: 100 } });
for (let i = 0; i < 50; i++) console.log('line ' + String(i).padStart(4, '0'));
await run.finish();`,
    );
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout.split('\n')).toHaveLength(51); // everything was still printed
    const data = onlyRun(dir);
    const kept = data.output.chunks.map((c) => c.text).join('');
    expect(kept).toBe(result.stdout.slice(0, 100));
    expect(data.output.cutAfterBytes).toBe(100);
    expect(data.record.output).toEqual({ keptBytes: 100, droppedBytes: 50 * 10 - 100 });
    expect(data.events.filter((e) => e.type === 'output-cut')).toHaveLength(1);
    const show = runCli(['show', data.record.id, '.trainbook'], dir);
    expect(show.stdout).toContain('cut after 100 bytes, 400 bytes dropped');
  });

  it('keeps both runs\' output when two are active, and stops each at its own finish', () => {
    const dir = tempDir();
    const result = runScript(
      dir,
      `const a = tb.init({ git: false, systemMetrics: false, name: 'a' });
console.log('one');
const b = tb.init({ git: false, systemMetrics: false, name: 'b' });
console.log('two');
await a.finish();
console.log('three');
await b.finish();
console.log('four');`,
    );
    expect(result.status, result.stderr).toBe(0);
    const store = openStore(path.join(dir, '.trainbook'));
    const text = (name: string) => store.read(name).output.chunks.map((c) => c.text).join('');
    expect(text('a')).toBe('one\ntwo\n');
    expect(text('b')).toBe('two\nthree\n');
  });
});

describe('output capture in a real tslab kernel', () => {
  beforeAll(requireKernel);

  it("stores a cell's console.log during a run, from the cell that started it and from later cells", () => {
    const dir = tempDir();
    linkProject(dir);
    fs.writeFileSync(path.join(dir, 'nb.ipynb'), '{}');
    const messages = runInKernel(
      dir,
      [
        `import * as trainbook from 'trainbook';
const run = trainbook.init({ name: 'printing', git: false, display: false, systemMetrics: false });
console.log('from cell 1');`,
        `for (let epoch = 0; epoch < 2; epoch++) { run.log({ loss: 1 / (epoch + 1) }); console.log(\`epoch \${epoch} done\`); }
console.error('a warning in cell 2');`,
        `await run.finish();
console.log('after finish');`,
      ],
      { env: { JPY_SESSION_NAME: path.join(dir, 'nb.ipynb') } },
    );
    // The notebook still shows every line under its cell.
    const streamed = (cell: number) => messages.filter((m) => m.cell === cell && m.msg_type === 'stream').map((m) => m.content.text).join('');
    expect(streamed(0)).toContain('from cell 1');
    expect(streamed(1)).toContain('epoch 1 done');
    expect(streamed(2)).toContain('after finish');
    const store = openStore(path.join(dir, 'nb.trainbook'));
    const data = store.read('printing');
    const text = (stream: string) => data.output.chunks.filter((c) => c.stream === stream).map((c) => c.text).join('');
    expect(text('stdout')).toBe('from cell 1\nepoch 0 done\nepoch 1 done\n');
    expect(text('stderr')).toBe('a warning in cell 2\n');
  }, 180_000);
});
