import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { init, openStore } from '../../../sdk/src/index.js';
import { ImportFormatError, StoreError } from '../../../core/src/errors.js';
import { fromCsv, guardText, parseCsv, quoteCell, toCsv, unguardText } from '../../../sdk/src/exchange/csv.js';
import { detectFormat, formatRun, parseRunFile, type ExchangeFormat } from '../../../sdk/src/exchange/formats.js';
import { readPortableRun, writeImportedRun } from '../../../sdk/src/exchange/io.js';
import { toJsonExport } from '../../../sdk/src/exchange/json.js';
import type { PortableRun } from '../../../sdk/src/exchange/portable.js';
import { fromTrackReport, parseTrackJson, toTrackReport } from '../../../sdk/src/exchange/track.js';
import { tempDir } from '../../helpers/tmp.js';

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
      expect(run.record).toMatchObject({ name: 'final_trial_2', notes: 'almost graduating', status: 'completed', tags: [], startedAt: NOW.toISOString() });
      // 'track' tags are key-value tags; what trainbook has no field for (the version) is kept for the export.
      expect(run.record.tagValues).toEqual({ workers: 8, hpo: 'byopt', fast: true });
      expect(run.record.params).toEqual({ batch_size: 32, lr: 0.1, backend: null });
      expect(run.record.metadata).toEqual({ gpu: 'V100' });
      expect(run.record.origin).toMatchObject({ format: 'track', verbatim: { revision: 1, version: 'a8c3' } });
      expect(run.series[0]!.step).toEqual([0, 1]);
      expect(run.series[0]!.value).toEqual([NaN, 2.3]);
      expect(run.series[1]!.value).toEqual([-Infinity]);
      expect(run.record.summary.epoch_loss).toEqual({ last: 2.3, min: 2.3, max: 2.3, count: 2, step: 1 });
      expect(run.record.chronos.runtime).toEqual({ avg: 3142.5, min: 3142.5, max: 3142.5, sd: 0, count: 1, unit: 's' });
      expect(run.record.chronos.batch_time!.count).toBe(3751);
      expect(fromTrackReport({ metrics: {}, status: { value: 202, name: 'Exception' }, errors: ['boom'] }, NOW).record).toMatchObject({ status: 'failed', error: { message: 'boom' } });
    });

    /** The sample report of track's README ("Report"), as Python's json writes it. */
    const SAMPLE = {
      revision: 2,
      name: '9893d1b6ad5d2a3e0a7a2ba1a4fd5ab7',
      uid: '5c0f7b8e2d6a4c1f9e3b7a5d8c2e4f60',
      version: 'e8f3d7c4b1a29f0e6d5c4b3a2f1e0d9c8b7a6f5e',
      project_id: null,
      trial_id: null,
      tags: { workers: 8, hpo: 'byopt' },
      parameters: { batch_size: 128, lr: 0.01 },
      metadata: { chrono: 'track.chrono' },
      metrics: { epoch_loss: { '0': 2.3, '1': 1.9 }, test_acc: { '2': 0.81 } },
      chronos: { runtime: 92.23, epoch_time: { avg: 1.2, min: 1.1, max: 1.4, sd: 0.05, count: 10, unit: 's' } },
      errors: [],
      status: { name: 'completed', value: 300 },
    };

    /** Imports a report's text into a store and exports the stored run as 'track' again. */
    function importAndExport(text: string): { doc: Record<string, any>; text: string; run: PortableRun } {
      const dir = path.join(tempDir(), '.trainbook');
      const { id } = writeImportedRun(dir, parseRunFile(text, { now: NOW }), 'report.json', NOW);
      const run = readPortableRun(openStore(dir), id);
      const exported = formatRun(run, 'track');
      return { doc: JSON.parse(exported) as Record<string, any>, text: exported, run };
    }

    /** A report as 'track' sees it: without the `metadata.trainbook` that trainbook adds for its own fields. */
    function asTrackSees(doc: Record<string, any>): Record<string, unknown> {
      const copy = structuredClone(doc);
      expect(copy.metadata.trainbook.kind).toBe('trainbook-track-extension');
      delete copy.metadata.trainbook;
      return copy;
    }

    function expectFieldForField(report: unknown, text = JSON.stringify(report)): void {
      const input = parseTrackJson(text) as Record<string, unknown>;
      const { doc } = importAndExport(text);
      const seen = asTrackSees(doc);
      // The namespace needs a home: a report without metadata gets one, holding nothing else.
      if (!('metadata' in input)) expect(seen.metadata).toEqual({});
      if (!('metadata' in input)) delete seen.metadata;
      expect(seen).toEqual(input);
      // Same fields in the same order, and nothing else added at the top level.
      expect(Object.keys(doc)).toEqual([...Object.keys(input), ...('metadata' in input ? [] : ['metadata'])]);
    }

    it('round-trips the sample report field for field', () => {
      const { doc, run } = importAndExport(JSON.stringify(SAMPLE, null, 2));
      expect(asTrackSees(doc)).toEqual(SAMPLE);
      expect(Object.keys(doc)).toEqual(Object.keys(SAMPLE));
      // Not stringified tags, a null version or a stats object: the report's own values.
      expect(doc.tags).toEqual({ workers: 8, hpo: 'byopt' });
      expect(doc.version).toBe(SAMPLE.version);
      expect(doc.chronos.runtime).toBe(92.23);
      // Inside trainbook the tags are key-value tags and the metadata is the report's.
      expect(run.record.tagValues).toEqual({ workers: 8, hpo: 'byopt' });
      expect(run.record.tags).toEqual([]);
      expect(run.record.status).toBe('completed');
      expect(run.record.metadata).toEqual({ chrono: 'track.chrono', importedFrom: SAMPLE.uid });
    });

    it('round-trips chronos given as plain numbers, as stats objects, and both', () => {
      const stats = { avg: 0.67, min: 0.01, max: 445.9, sd: 12.5, count: 3751, unit: 's' };
      expectFieldForField({ ...SAMPLE, chronos: { runtime: 3142.5, load: 2 } });
      expectFieldForField({ ...SAMPLE, chronos: { batch_time: stats, epoch_time: { avg: 1, min: 1, max: 1, sd: 0, count: 1 } } });
      expectFieldForField({ ...SAMPLE, chronos: { runtime: 1.5, batch_time: stats } });
      expectFieldForField({ ...SAMPLE, chronos: {} });
    });

    it('round-trips tags of every JSON scalar type, and structured ones', () => {
      const tags = { workers: 8, scale: 0.5, offset: -3, big: 1e21, hpo: 'byopt', empty: '', fast: true, slow: false, owner: null };
      expectFieldForField({ ...SAMPLE, tags });
      const { run } = importAndExport(JSON.stringify({ ...SAMPLE, tags }));
      expect(run.record.tagValues).toEqual(tags);
      expectFieldForField({ ...SAMPLE, tags: { layers: [64, 32], optimizer: { name: 'adam' }, workers: 8 } });
      expectFieldForField({ ...SAMPLE, tags: {} });
    });

    it('round-trips reports with and without version, revision, uid and description', () => {
      expectFieldForField({ metrics: { loss: { '0': 1 } }, status: { name: 'Completed', value: 302 } });
      expectFieldForField({ revision: 0, metrics: {}, parameters: {} });
      expectFieldForField({ ...SAMPLE, description: 'almost graduating', group_id: 'g1', extra: { nested: [1, { a: null }] } });
      const { version, uid, revision, ...rest } = SAMPLE;
      expectFieldForField(rest);
      expectFieldForField({ ...rest, version: null, revision: 7 });
      expect([version, uid, revision]).toHaveLength(3);
    });

    it('round-trips what trainbook stores differently: status codes, errors, nested parameters, bare NaN', () => {
      expectFieldForField({ ...SAMPLE, status: { value: 202, name: 'Exception' }, errors: ['RuntimeError: one', { type: 'two' }] });
      expectFieldForField({ ...SAMPLE, status: 'interrupted' });
      expectFieldForField({ ...SAMPLE, parameters: { optimizer: { name: 'adam', betas: [0.9, 0.999] }, 'optimizer.lr': 0.1 } });
      expectFieldForField(null, '{"name": "x", "metrics": {"loss": {"0": NaN, "1": Infinity, "2": -Infinity}}, "status": {"value": 302, "name": "Completed"}}');
      // metadata.trainbook is where trainbook keeps its own fields: a report's own value moves inside and comes back on import.
      const own = importAndExport(JSON.stringify({ ...SAMPLE, metadata: { trainbook: 'own', chrono: 'c' } }));
      expect(own.doc.metadata.trainbook.metadataTrainbook).toBe('own');
      expect(importAndExport(own.text).run.record.metadata).toMatchObject({ trainbook: 'own', chrono: 'c' });
    });

    it('exports an exported report again unchanged (the namespace keeps the origin)', () => {
      const first = importAndExport(JSON.stringify(SAMPLE));
      const second = importAndExport(first.text);
      expect(asTrackSees(second.doc)).toEqual(SAMPLE);
      expect(second.run.record.chronos).toEqual(first.run.record.chronos);
      expect(second.run.record.tagValues).toEqual(first.run.record.tagValues);
      expect(second.run.record.origin).toEqual(first.run.record.origin);
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

describe('names are data', () => {
  const NAMES = ['__proto__', 'constructor', 'toString'] as const;
  /** An object with these own keys, as JSON.parse makes it (a literal would set the prototype). */
  const named = <T>(value: (name: string, i: number) => T): Record<string, T> => JSON.parse(JSON.stringify(Object.fromEntries(NAMES.map((name, i) => [name, value(name, i)]))));
  const ownKeys = (value: object): string[] => Object.keys(value).filter((key) => Object.prototype.hasOwnProperty.call(value, key)).sort();

  async function namedRun(): Promise<{ dir: string; run: PortableRun }> {
    const dir = tempDir();
    const params = { ...named((_, i) => i), nested: JSON.parse('{"__proto__": {"polluted": "params"}}') as unknown };
    const run = init({ dir, git: false, display: false, systemMetrics: false, captureOutput: false, params, tags: [...NAMES], tagValues: named((name) => name), metadata: named(() => ({ polluted: 'metadata' })) });
    run.setMetadata(JSON.parse('{"__proto__": {"polluted": "setMetadata"}, "extra": 1}'));
    run.log(named((_, i) => i), { step: 0 });
    run.log(named((_, i) => i + 10), { step: 1 });
    for (const name of NAMES) run.chrono(name).stop();
    await run.finish();
    return { dir, run: readPortableRun(openStore(dir), run.id) };
  }

  function expectNamesKept(run: PortableRun, what: { timers: boolean; record: boolean }): void {
    expect(run.series.map((s) => s.name).sort()).toEqual([...NAMES].sort());
    expect(ownKeys(run.record.summary)).toEqual([...NAMES].sort());
    NAMES.forEach((name, i) => expect(run.record.summary[name]).toMatchObject({ last: i + 10, min: i, max: i + 10, count: 2, step: 1 }));
    if (what.timers) expect(ownKeys(run.record.chronos)).toEqual([...NAMES].sort());
    if (what.record) {
      expect(run.record.params).toEqual(JSON.parse('{"__proto__": 0, "constructor": 1, "toString": 2, "nested.__proto__.polluted": "params"}'));
      expect(ownKeys(run.record.params)).toEqual(['__proto__', 'constructor', 'nested.__proto__.polluted', 'toString']);
      expect(run.record.tags).toEqual([...NAMES]);
      expect(ownKeys(run.record.tagValues!)).toEqual([...NAMES].sort());
      NAMES.forEach((name) => expect(run.record.tagValues![name]).toBe(name));
      expect(ownKeys(run.record.metadata)).toEqual(expect.arrayContaining([...NAMES, 'extra']));
      expect(run.record.metadata.__proto__).toEqual({ polluted: 'setMetadata' });
    }
    // Nothing reached a prototype.
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted')).toBe(false);
  }

  it('logs, stores and reads back a __proto__, constructor and toString param, metric, timer, tag and metadata key', async () => {
    const { run } = await namedRun();
    expectNamesKept(run, { timers: true, record: true });
  });

  for (const format of ['json', 'track', 'csv'] as const) {
    it(`exports and imports them exactly (${format})`, async () => {
      const { dir, run } = await namedRun();
      const text = formatRun(run, format);
      if (format === 'track') {
        const report = JSON.parse(text) as Record<string, Record<string, unknown>>;
        for (const field of ['metrics', 'tags', 'chronos'] as const) expect(ownKeys(report[field]!)).toEqual(expect.arrayContaining([...NAMES]));
        expect(report.metrics!.__proto__).toEqual({ '0': 0, '1': 10 });
      }
      const { id } = writeImportedRun(dir, parseRunFile(text, { now: NOW }), `run.${format}`, NOW);
      const back = readPortableRun(openStore(dir), id);
      expectNamesKept(back, { timers: format !== 'csv', record: format !== 'csv' });
      if (format !== 'csv') expect(formatRun({ ...back, record: { ...back.record, id: run.record.id, metadata: run.record.metadata } }, format)).toBe(text);
    });
  }

  it("imports a 'track' report written elsewhere with such names, and gives it back", () => {
    const text = `{"name": "n", "tags": {"__proto__": 1, "constructor": "c", "toString": null},
      "parameters": {"__proto__": {"polluted": 1}, "constructor": 2, "toString": "x"}, "metadata": {"__proto__": {"polluted": 2}},
      "metrics": {"__proto__": {"0": 1}, "constructor": {"0": 2}, "toString": {"0": 3}}, "chronos": {"__proto__": 1.5, "toString": 2},
      "status": {"value": 302, "name": "Completed"}, "__proto__": {"polluted": 3}}`;
    const run = parseRunFile(text, { now: NOW });
    expect(ownKeys(run.record.tagValues!)).toEqual([...NAMES].sort());
    expect(run.record.params).toEqual({ '__proto__.polluted': 1, constructor: 2, toString: 'x' });
    expect(ownKeys(run.record.summary)).toEqual([...NAMES].sort());
    expect(ownKeys(run.record.chronos)).toEqual(['__proto__', 'toString']);
    const doc = JSON.parse(formatRun(run, 'track')) as Record<string, any>;
    delete doc.metadata.trainbook;
    expect(doc).toEqual(JSON.parse(text));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
