import { describe, expect, it } from 'vitest';
import { readTemplateFiles } from '../../../sdk/src/report/assets.js';
import { buildReportModel, type ReportRunInput } from '../../../sdk/src/report/model.js';
import { compileTemplates } from '../../../sdk/src/report/templates.js';
import { coerceRunRecord } from '../../../core/src/format/shape.js';
import type { RunRecord } from '../../../core/src/format/types.js';

const record = (fields: Record<string, unknown>): RunRecord => {
  const coerced = coerceRunRecord({ status: 'completed', startedAt: '2026-01-01T00:00:00Z', endedAt: '2026-01-01T00:01:00Z', ...fields });
  if (typeof coerced === 'string') throw new Error(coerced);
  return coerced;
};
const input = (r: RunRecord): ReportRunInput => ({ record: r, status: r.status, series: new Map(), problems: [], store: 's' });
const model = (records: RunRecord[]) => buildReportModel({ title: 't', generatedAt: '2026-01-01T00:00:00Z', version: '0', stores: [], runs: records.map(input), problems: [] });

/** The run sections and the runs table as the shipped partials render them. */
function render(records: RunRecord[]): string {
  const files = readTemplateFiles();
  const page = { ...files.get('partials/run.hbs')!, name: 'view.hbs', source: '{{> runs-table}}{{#each runs}}{{> run}}{{/each}}' };
  return compileTemplates(new Map([...files, ['view.hbs', page]])).render('view', model(records));
}

describe('report model', () => {
  const tagged = record({ id: 'r1', name: 'a', tags: ['mnist'], tagValues: { workers: 8, hpo: '<b>byopt</b>', fast: true } });
  const plain = record({ id: 'r2', name: 'b' });

  it('shows key-value tags in the run details and a tags column in the runs table', () => {
    const m = model([tagged, plain]);
    expect(m.runs[0]!.tags).toEqual(['mnist']);
    expect(m.runs[0]!.tagValues).toEqual([{ key: 'workers', value: '8' }, { key: 'hpo', value: '<b>byopt</b>' }, { key: 'fast', value: 'true' }]);
    expect(m.table.tagColumn).toBe(true);
    expect(m.table.rows[0]!.cells[2]).toMatchObject({ text: 'mnist, workers=8, hpo=<b>byopt</b>, fast=true' });
    expect(m.table.rows[1]!.cells[2]).toMatchObject({ text: '' });
    expect(model([plain]).table.tagColumn).toBe(false);

    const html = render([tagged, plain]);
    expect(html).toContain('<th scope="col" class="tags-col" data-sort-type="text">tags</th>');
    expect(html).toContain('<span class="tag tag-kv" data-tag-key="workers"><span class="tag-key">workers</span>=<span class="tag-value">8</span></span>');
    expect(html).toContain('class="tags">mnist, workers&#x3D;8, hpo&#x3D;&lt;b&gt;byopt&lt;/b&gt;, fast&#x3D;true</td>');
    expect(html).not.toContain('<b>byopt');
    // Header and rows keep the same number of columns.
    const headers = html.slice(0, html.indexOf('</thead>')).match(/<th /g)!.length;
    const firstRow = html.slice(html.indexOf('<tr data-run="r1">'), html.indexOf('</tr>', html.indexOf('<tr data-run="r1">')));
    expect(firstRow.match(/<td/g)!.length).toBe(headers);
    expect(render([plain])).not.toContain('tags-col');
  });

  it('shows params and metrics named toString or constructor only for the runs that have them', () => {
    const named = record({ id: 'r3', name: 'n', params: JSON.parse('{"toString": 1}'), summary: JSON.parse('{"constructor": {"last": 7, "min": 7, "max": 7, "count": 1, "step": 0}}') });
    const other = record({ id: 'r4', name: 'o', params: { lr: 1 } });
    const m = model([named, other]);
    expect(m.table.paramColumns).toEqual(['toString', 'lr']);
    expect(m.table.metricColumns).toEqual(['constructor']);
    const cells = m.table.rows[1]!.cells.map((c) => c.text);
    expect(cells.slice(2)).toEqual(['—', '1', '—']);
    expect(m.paramDiff.rows.find((row) => row.key === 'toString')!.values).toEqual(['1', '—']);
    expect(m.summary.best).toEqual([{ metric: 'constructor', value: '7', run: 'n', anchor: 'run=r3' }]);
  });

  it('shows each run in the runs table in the colour its lines have in every chart', () => {
    const m = model([tagged, plain]);
    const colors = m.table.rows.map((row) => row.color);
    expect(colors).toEqual(m.chartModel.runs.map((run) => run.color));
    expect(new Set(colors).size).toBe(2);
    const html = render([tagged, plain]);
    expect(html).toContain(`<span class="run-swatch" style="background-color: ${colors[0]}" aria-hidden="true"></span><a href="#run&#x3D;r1">a</a>`);
  });

  it('picks each best value in the direction keepBest uses: highest bleu and reward, lowest error_rate', () => {
    const summary = (values: Record<string, number>) => Object.fromEntries(Object.entries(values).map(([name, v]) => [name, { last: v, min: v, max: v, count: 1, step: 0 }]));
    const low = record({ id: 'r5', name: 'low', summary: summary({ bleu: 0.1, reward: 1, error_rate: 0.1 }) });
    const high = record({ id: 'r6', name: 'high', summary: summary({ bleu: 0.4, reward: 9, error_rate: 0.3 }) });
    const best = Object.fromEntries(model([low, high]).summary.best.map((b) => [b.metric, b.run]));
    expect(best).toEqual({ bleu: 'high', reward: 'high', error_rate: 'low' });
  });
});

describe('report charts', () => {
  // Old: build.ts M4-reduced each series to 2,000 points as it read it, and the chart M4-reduced
  // that again to its own buckets: two downsamplings, with bucket edges that did not line up.
  it('reduce each series once: a chart line is one M4 of the stored series at the chart\'s buckets', async () => {
    const { m4, plannedBuckets, reduceForChart } = await import('../../../core/src/index.js');
    const n = 100_000;
    const step = Float64Array.from({ length: n }, (_, i) => i);
    const value = step.map((i) => Math.exp(-i / 20_000) + 0.05 * Math.sin(i * 0.37) + (i === 77_777 ? 5 : 0));
    const records = ['a', 'b'].map((id) => record({ id: `20260101-000000000-${id}aaaa`, name: id, summary: { loss: { last: 0, min: 0, max: 0, count: n } } }));
    const bucketsOf = plannedBuckets(records.map((r) => Object.keys(r.summary)));
    const inputs = records.map((r) => ({ ...input(r), series: new Map([['loss', reduceForChart({ run: 0, metric: 'loss', length: n, step, value }, bucketsOf('loss'))]]) }));
    const model = buildReportModel({ title: 't', generatedAt: '', version: '0', stores: [], runs: inputs, problems: [] });
    const once = m4(step, value, n, bucketsOf('loss'));
    expect(model.charts[0]!.lines[0]!.x).toEqual(once.x);
    expect(model.charts[0]!.logged).toBe(2 * n);
    expect(Math.max(...model.charts[0]!.lines[0]!.value)).toBeGreaterThan(5);
  });
});
