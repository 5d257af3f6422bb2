import { describe, expect, it } from 'vitest';
import { chunksCopy, CopyBinaryWriter, columnJson, columnText, eventsCopy, metricRows, NUL_STAND_IN, readCopyBinary, readFloat8Array, runColumns, HubDataError } from 'trainbook/hub';

describe('copyBinary', () => {
  describe('CopyBinaryWriter', () => {
    it('writes float8[] that reads back bit for bit, NaN and ±Infinity included, NaN as NULL when asked', () => {
      const values = new Float64Array([1.5, NaN, Infinity, -Infinity, -0, 5e-324, Number.MAX_VALUE]);
      const copy = new CopyBinaryWriter(8);
      copy.row(3).float8Array(values).float8Array(values, values.length, true).float8Array(values, 0);
      const [row] = readCopyBinary(copy.finish());
      expect([...readFloat8Array(row![0]!).values]).toEqual([...values]);
      expect(Object.is(readFloat8Array(row![0]!).values[4], -0)).toBe(true);
      expect(row![1]!.readInt32BE(4)).toBe(1); // has-null flag: NaN went in as NULL
      expect([...readFloat8Array(row![1]!).values]).toEqual([...values]); // and reads back as NaN
      expect(readFloat8Array(row![2]!).count).toBe(0);
    });
    it('writes text, int4, int8 and NULL fields', () => {
      const copy = new CopyBinaryWriter(4);
      copy.row(4).text('héllo ✓').int4(-7).int8(2 ** 40).null();
      const [row] = readCopyBinary(copy.finish());
      expect(row![0]!.toString('utf8')).toBe('héllo ✓');
      expect(row![1]!.readInt32BE(0)).toBe(-7);
      expect(Number(row![2]!.readBigInt64BE(0))).toBe(2 ** 40);
      expect(row![3]).toBeNull();
    });
  });
});

describe('text', () => {
  describe('columnText()', () => {
    it('stands in for NUL and unpaired surrogates, and leaves other text alone', () => {
      expect(columnText('a\u0000b')).toBe(`a${NUL_STAND_IN}b`);
      expect(columnText('x\ud800y')).toBe('x\ufffdy');
      expect(columnText('🚀 עברית')).toBe('🚀 עברית');
      expect(columnJson({ 'k\u0000': ['v\u0000', 1, null] })).toEqual({ [`k${NUL_STAND_IN}`]: [`v${NUL_STAND_IN}`, 1, null] });
    });
  });
});

describe('rows', () => {
  const record = {
    id: '20261201-120000000-abcde', name: 'n\u0000', experiment: null, group: 'g', tags: ['t', 3], params: { lr: 0.1 }, summary: { loss: { last: 'NaN', min: -1, max: 'Infinity', count: 3, step: 2 } },
    status: 'running', startedAt: '2026-12-01T12:00:00.000Z', heartbeatAt: 'not a time', endedAt: null, notebook: 'train.ipynb', writer: { pid: 1, host: 'gpu-box' },
  };
  describe('runColumns()', () => {
    it('derives query columns from the record and keeps its text verbatim', () => {
      const columns = runColumns(record, '{"verbatim": "\\u0000"}', { store: 'train.trainbook', username: 'ana' });
      expect(columns).toMatchObject({ name: `n${NUL_STAND_IN}`, host: 'gpu-box', tags: ['t', '3'], heartbeatAt: null, record: '{"verbatim": "\\u0000"}' });
    });
    it('refuses an id that cannot be a key', () => {
      expect(() => runColumns({ ...record, id: 'a\u0000b' }, '{}', { store: 's', username: 'u' })).toThrow(HubDataError);
    });
  });
  describe('metricRows()', () => {
    it('decodes the store\'s non-finite summaries to float8 values', () => {
      expect(metricRows(record.summary)).toEqual({ metric: ['loss'], last: [NaN], min: [-1], max: [Infinity], count: [3], step: [2] });
    });
  });
  describe('chunksCopy()', () => {
    it('writes one row per metric per event line with its points, and counts them', () => {
      const columns = (n: number) => ({ length: n, step: new Float64Array(n).map((_, i) => i), time: new Float64Array(n), value: new Float64Array(n).fill(NaN), epoch: new Float64Array(n).fill(NaN) });
      const lines = [
        { start: 0, end: 10, text: '{}', type: 'metrics', crc: '00000000', points: new Map([['loss', columns(3)], ['acc', columns(2)]]) },
        { start: 10, end: 20, text: '{}', type: 'status', crc: '00000000' },
      ];
      const chunks = chunksCopy('r', 4, lines);
      expect(chunks).toMatchObject({ points: 5, rows: 2 });
      const rows = readCopyBinary(chunks.data);
      expect(rows.map((row) => [row[1]!.toString(), row[2]!.readInt32BE(0), row[3]!.readInt32BE(0)])).toEqual([['loss', 4, 3], ['acc', 4, 2]]);
      expect(readCopyBinary(eventsCopy('r', 4, lines)).map((row) => row[1]!.readInt32BE(0))).toEqual([4, 5]);
    });
    it('refuses two metrics of one record that the hub would store under one name', () => {
      const n = { length: 0, step: new Float64Array(0), time: new Float64Array(0), value: new Float64Array(0), epoch: new Float64Array(0) };
      const lines = [{ start: 0, end: 1, text: '', type: 'metrics', crc: '', points: new Map([['a\u0000', n], [`a${NUL_STAND_IN}`, n]]) }];
      expect(() => chunksCopy('r', 0, lines)).toThrow(/rename one/);
    });
  });
});
