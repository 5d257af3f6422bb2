import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { init, openStore } from '../../sdk/src/index.js';
import { ImportFormatError, StoreError } from '../../sdk/src/errors.js';
import { fromCsv, guardText, parseCsv, quoteCell, toCsv, unguardText } from '../../sdk/src/exchange/csv.js';
import { detectFormat, formatRun, parseRunFile, type ExchangeFormat } from '../../sdk/src/exchange/formats.js';
import { readPortableRun, writeImportedRun } from '../../sdk/src/exchange/io.js';
import { toJsonExport } from '../../sdk/src/exchange/json.js';
import type { PortableRun } from '../../sdk/src/exchange/portable.js';
import { fromTrackReport, parseTrackJson, toTrackReport } from '../../sdk/src/exchange/track.js';
import { tempDir } from '../helpers/tmp.js';

const NOW = new Date('2026-11-22T21:00:00.000Z');

/** A real run: NaN and ±Infinity, epochs, a long series (stored as base64), steps that jump, a timer, an error. */
async function recordedRun(): Promise<{ dir: string; run: PortableRun }> {
  const dir = tempDir();
  const run = init({ dir, git: false, name: 'hostile,"name"', params: { lr: 0.1, optimizer: { name: 'adam' } }, tags: ['b', '2020', 'a'], metadata: { owner: 'ana', trainbook: 'own value' } });
  for (let step = 0; step < 80; step++) run.log({ loss: 1 / (step + 1), acc: step / 80 }, { step, epoch: Math.floor(step / 10) });
  run.log({ 'val/loss': NaN }, { step: 100 });
  run.log({ 'val/loss': Infinity }, { step: 200 });
  run.log({ 'val/loss': -Infinity }, { step: 150 });
  run.log({ '=HYPERLINK("http://x")': -0.5 }, { step: 3 });
  run.chrono('epoch_time').stop();
  run.chrono('epoch_time').stop();
  await run.fail(new Error('diverged'));
  return { dir, run: readPortableRun(openStore(dir), run.id) };
}

function expectSameSeries(a: PortableRun, b: PortableRun): void {
  expect(b.series.map((s) => s.name)).toEqual(a.series.map((s) => s.name));
  a.series.forEach((series, i) => {
    const other = b.series[i]!;
    expect(other.step).toEqual(series.step);
    expect(other.time).toEqual(series.time);
    expect(other.epoch).toEqual(series.epoch);
    expect(other.value.length).toBe(series.value.length);
    // Object.is: NaN equals NaN, and -Infinity is not Infinity.
    series.value.forEach((v, k) => expect(Object.is(other.value[k], v)).toBe(true));
  });
}

describe('exchange formats', () => {
  describe('json', () => {
    it('round-trips every field, every point (NaN and ±Infinity included), timers and events', async () => {
      const { run } = await recordedRun();
      const text = formatRun(run, 'json');
      expect(text).toContain('"NaN"');
      expect(text).toContain('"-Infinity"');
      const back = parseRunFile(text, { now: NOW });
      expect(formatRun(back, 'json')).toBe(text);
      expect(back.record).toEqual(run.record);
      expectSameSeries(run, back);
      expect(back.chronos).toEqual(run.chronos);
      expect(back.events.map((e) => e.type)).toEqual(run.events.map((e) => e.type));
    });

    it('refuses files that are not exports, with a reason naming the problem', async () => {
      const { run } = await recordedRun();
      const good = toJsonExport(run);
      const broken = (change: (doc: Record<string, unknown>) => void): string => {
        const doc = JSON.parse(JSON.stringify(good)) as Record<string, unknown>;
        change(doc);
        return JSON.stringify(doc);
      };
      const refuse = (text: string, message: RegExp, told: ExchangeFormat | 'detect' = 'json'): void => {
        const format = told === 'detect' ? undefined : told;
        expect(() => parseRunFile(text, { format, now: NOW })).toThrow(ImportFormatError);
        expect(() => parseRunFile(text, { format, now: NOW })).toThrow(message);
      };
      refuse('{"kind": "trainbook-run", ', /not valid JSON/);
      refuse('[1,2]', /"kind" must be "trainbook-run"/);
      refuse(broken((d) => (d.version = 2)), /version 2.*Upgrade trainbook/);
      refuse(broken((d) => delete (d.record as Record<string, unknown>).id), /"id" is missing/);
      refuse(broken((d) => ((d.record as Record<string, unknown>).status = 'exploded')), /"status" must be one of/);
      refuse(broken((d) => ((d.record as Record<string, unknown>).error = { name: 7, message: 'x', stack: null })), /"error" must be/);
      refuse(broken((d) => ((d.series as Array<Record<string, unknown>>)[0]!.time = [1])), /columns of different lengths/);
      refuse(broken((d) => ((d.series as Array<Record<string, unknown>>)[0]!.value = ['1'])), /"value" must be an array of numbers/);
      refuse(broken((d) => ((d.series as Array<Record<string, unknown>>)[1]!.name = (d.series as Array<{ name: string }>)[0]!.name)), /twice/);
      refuse(broken((d) => (d.events = [{ type: 'metrics', time: 1, series: {} }])), /belong in "series"/);
      refuse(broken((d) => (d.events = [{ type: 'status', time: 1, status: 'weird' }])), /unknown status/);
      refuse('{"hello": 1}', /neither a trainbook run export/, 'detect');
      refuse('just text', /Cannot tell the file's format/, 'detect');
    });
  });

  describe('track', () => {
    it("maps a run to the 'track' report fields", async () => {
      const { run } = await recordedRun();
      const report = toTrackReport(run);
      expect(report.name).toBe('hostile,"name"');
      expect(report.parameters).toEqual({ lr: 0.1, 'optimizer.name': 'adam' });
      expect(report.tags).toEqual({ b: true, '2020': true, a: true });
      expect(report.metrics.loss!['0']).toBe(1);
      expect(report.metrics['val/loss']).toEqual({ '100': 'NaN', '200': 'Infinity', '150': '-Infinity' });
      expect(report.chronos.epoch_time).toMatchObject({ count: 2, unit: 's' });
      expect(typeof report.chronos.runtime).toBe('number');
      expect(report.errors).toEqual(['Error: diverged']);
      expect(report.status).toEqual({ value: 202, name: 'Exception' });
      expect(report.metadata.owner).toBe('ana');
      expect(Object.keys(report)).toEqual(['revision', 'name', 'description', 'version', 'tags', 'parameters', 'metadata', 'metrics', 'chronos', 'errors', 'status']);
    });

    it('round-trips every field through metadata.trainbook (tag order, own metadata.trainbook and all)', async () => {
      const { run } = await recordedRun();
      const text = formatRun(run, 'track');
      const back = parseRunFile(text, { now: NOW });
      expect(formatRun(back, 'track')).toBe(text);
      expect(back.record).toEqual(run.record);
      expect(back.record.metadata.trainbook).toBe('own value');
      expectSameSeries(run, back);
      expect(back.chronos).toEqual(run.chronos);
    });

    it("reads a report written by Python's 'track' (bare NaN, dict tags, runtime as a number)", () => {
      const text = `{"revision": 1, "name": "final_trial_2", "description": "almost graduating", "version": "a8c3",
        "tags": {"workers": 8, "hpo": "byopt", "fast": true}, "parameters": {"batch_size": 32, "lr": 0.1, "backend": null},
        "metadata": {"gpu": "V100"}, "metrics": {"epoch_loss": {"1": 2.3, "0": NaN}, "acc": {"0": -Infinity}},
        "chronos": {"runtime": 3142.5, "batch_time": {"avg": 0.67, "min": 0.01, "max": 445.9, "sd": 12.5, "count": 3751, "unit": "s"}},
        "errors": [], "status": {"value": 302, "name": "Completed"}}`;
      expect(detectFormat(text)).toBe('track');
      const run = parseRunFile(text, { now: NOW });
      expect(run.record).toMatchObject({ name: 'final_trial_2', notes: 'almost graduating', status: 'completed', tags: ['workers=8', 'hpo=byopt', 'fast'], startedAt: NOW.toISOString() });
      expect(run.record.params).toEqual({ batch_size: 32, lr: 0.1, backend: null });
      expect(run.record.metadata).toEqual({ gpu: 'V100', trackVersion: 'a8c3' });
      expect(run.series[0]!.step).toEqual([0, 1]);
      expect(run.series[0]!.value).toEqual([NaN, 2.3]);
      expect(run.series[1]!.value).toEqual([-Infinity]);
      expect(run.record.summary.epoch_loss).toEqual({ last: 2.3, min: 2.3, max: 2.3, count: 2, step: 1 });
      expect(run.record.chronos.runtime).toEqual({ avg: 3142.5, min: 3142.5, max: 3142.5, sd: 0, count: 1, unit: 's' });
      expect(run.record.chronos.batch_time!.count).toBe(3751);
      expect(fromTrackReport({ metrics: {}, status: { value: 202, name: 'Exception' }, errors: ['boom'] }, NOW).record).toMatchObject({ status: 'failed', error: { message: 'boom' } });
    });

    it('refuses reports with malformed metrics, steps or chronos', () => {
      const refuse = (report: unknown, message: RegExp): void => expect(() => fromTrackReport(report, NOW)).toThrow(message);
      refuse({ metrics: { loss: [1, 2] }, status: {} }, /must be an object of \{step: value\}/);
      refuse({ metrics: { loss: { one: 1 } }, status: {} }, /step "one" that is not a number/);
      refuse({ metrics: { loss: { '0': 'x' } }, status: {} }, /is not a number/);
      refuse({ metrics: {}, status: {}, chronos: { t: 'slow' } }, /chronos\["t"\]/);
      refuse({ metrics: {}, status: {}, name: 5 }, /"name" must be a string/);
      refuse({ nothing: true }, /Not a 'track' report/);
      // Bare NaN inside a string stays text.
      expect(parseTrackJson('{"a": "NaN Infinity", "b": NaN}')).toEqual({ a: 'NaN Infinity', b: 'NaN' });
    });
  });

  describe('csv', () => {
    it('quotes as RFC 4180 asks and guards text cells against formulas, never numbers', () => {
      expect(quoteCell('a,b')).toBe('"a,b"');
      expect(quoteCell('say "hi"')).toBe('"say ""hi"""');
      expect(quoteCell('two\nlines')).toBe('"two\nlines"');
      for (const hostile of ['=1+1', '+1', '-1', '@SUM(A1)', '\tx', '\rx', "'=x"]) {
        expect(guardText(hostile)).toBe(`'${hostile}`);
        expect(unguardText(guardText(hostile))).toBe(hostile);
      }
      expect(guardText('loss')).toBe('loss');
      expect(unguardText("'quoted")).toBe("'quoted");
    });

    it('writes one row per point and reads the points back exactly', async () => {
      const { run } = await recordedRun();
      const text = toCsv(run);
      const lines = text.split('\r\n');
      expect(lines[0]).toBe('run,metric,step,epoch,time,value');
      expect(lines.length - 2).toBe(run.series.reduce((n, s) => n + s.value.length, 0));
      expect(text).toContain(`'=HYPERLINK(""http://x"")`);
      expect(text).toMatch(/,-0\.5\r\n/); // a negative number is a number, not a formula
      expect(text).toMatch(/,-Infinity\r\n/);
      const rows = parseCsv(text);
      expect(rows.every((row) => row.length === 6 || (row.length === 1 && row[0] === ''))).toBe(true);
      const back = fromCsv(text);
      expectSameSeries(run, back);
      expect(back.record.summary).toEqual(run.record.summary);
      expect(back.record.name).toBe(run.record.id);
      expect(detectFormat(text)).toBe('csv');
    });

    it('refuses CSV that is not an export, mixes runs or holds bad cells', () => {
      const header = 'run,metric,step,epoch,time,value\n';
      const refuse = (text: string, message: RegExp): void => expect(() => fromCsv(text)).toThrow(message);
      refuse('a,b\n1,2\n', /first line must be/);
      refuse(header, /no metric rows/);
      refuse(`${header}r,loss,0,,2026-11-22T21:00:00.000Z\n`, /has 5 cells/);
      refuse(`${header}r,loss,0,,2026-11-22T21:00:00.000Z,1\nq,loss,1,,2026-11-22T21:00:00.000Z,1\n`, /import one run per file/);
      refuse(`${header}r,loss,x,,2026-11-22T21:00:00.000Z,1\n`, /step "x"/);
      refuse(`${header}r,loss,0,,yesterday,1\n`, /time "yesterday"/);
      refuse(`${header}r,loss,0,,2026-11-22T21:00:00.000Z,=1+1\n`, /value "=1\+1"/);
      refuse(`${header}r,"loss,0,,1,1\n`, /ends inside a quoted cell/);
    });
  });

  describe('store', () => {
    it('imports as a new finished run with a fresh id; exporting it again gives the same file but for the id', async () => {
      const { dir, run } = await recordedRun();
      for (const format of ['json', 'track', 'csv'] as const) {
        const text = formatRun(run, format);
        const { id } = writeImportedRun(dir, parseRunFile(text, { now: NOW }), `run.${format}`, NOW);
        expect(id).not.toBe(run.record.id);
        const imported = readPortableRun(openStore(dir), id);
        expect(imported.record.metadata.importedFrom).toBe(run.record.id);
        expectSameSeries(run, imported);
        if (format === 'csv') continue;
        const again = formatRun({ ...imported, record: { ...imported.record, id: run.record.id, metadata: run.record.metadata } }, format);
        expect(again).toBe(text);
      }
      expect(openStore(dir).list().runs).toHaveLength(4);
    });

    it('leaves nothing behind when writing fails midway', () => {
      const storeDir = path.join(tempDir(), '.trainbook');
      const run = fromCsv('run,metric,step,epoch,time,value\nr,loss,0,,2026-11-22T21:00:00.000Z,1\n');
      // An event JSON cannot hold makes the write fail after the run folder was started.
      const unwritable = { ...run, events: [{ type: 'log', time: 1, level: 'info', message: 1n }] } as unknown as PortableRun;
      expect(() => writeImportedRun(storeDir, unwritable, 'run.csv', NOW)).toThrow(StoreError);
      expect(fs.readdirSync(path.join(storeDir, 'runs'))).toEqual([]);
    });
  });
});
