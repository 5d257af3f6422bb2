import { describe, expect, it } from 'vitest';
import { ModelNotFoundError, ModelTagError } from '../../../sdk/src/index.js';
import { coerceRunRecord } from '../../../core/src/format/shape.js';
import { decodeModelJson, encodeArtifacts, isPlainFileName, type WeightSpec } from '../../../sdk/src/models/artifacts.js';
import { defaultTag } from '../../../sdk/src/models/load.js';
import { isSafeFolderName, parseModelIndex, formatModelIndex, summarizeModels, withEntry, type ModelEntry } from '../../../sdk/src/store/modelIndex.js';
import { isImprovement, resolveMode } from '../../../sdk/src/models/monitor.js';
import { checkTag, MAX_TAG_LENGTH, snapshotFolderName } from '../../../sdk/src/models/tags.js';
import { renderRunDetails } from '../../../sdk/src/cli/views.js';

const entry = (tag: string, folder = 'm-1'): ModelEntry => ({ tag, folder, savedAt: '2026-01-01T00:00:00.000Z', step: 5, epoch: 0, bytes: 100 });

describe('models', () => {
  describe('checkTag()', () => {
    it('accepts any text, unicode and path-like text included', () => {
      for (const tag of ['best', 'final', 'epoch 3 ✓', '../../x', '名前', '__proto__', 'a/b\\c', '.']) expect(checkTag(tag)).toBe(tag);
      expect(checkTag('é'.repeat(MAX_TAG_LENGTH))).toHaveLength(MAX_TAG_LENGTH);
    });
    it('refuses empty, blank, over-long and non-string tags with ModelTagError', () => {
      for (const tag of ['', '   ', 'x'.repeat(MAX_TAG_LENGTH + 1), undefined, 3, null]) {
        expect(() => checkTag(tag), String(tag)).toThrow(ModelTagError);
      }
      expect(() => checkTag('')).toThrow(/must not be empty/);
      expect(() => checkTag('x'.repeat(200))).toThrow(/at most 128 characters; this one has 200/);
    });
  });

  describe('snapshotFolderName()', () => {
    it('maps a tag to a short safe slug plus the unique part', () => {
      expect(snapshotFolderName('best', 'abc123')).toBe('best-abc123');
      expect(snapshotFolderName('Best val_loss!', 'u1')).toBe('best-val_loss-u1');
      expect(snapshotFolderName('../../x', 'u1')).toBe('x-u1');
      expect(snapshotFolderName('Ünïcödé', 'u1')).toBe('unicode-u1');
    });
    it('never yields separators, dots or an empty slug, whatever the tag', () => {
      const hostile = ['..', '.', '/', '\\', '../../etc/passwd', 'C:\\x', '名前', '🚀', '__proto__', 'con', 'a\u0000b', ' ', 'x'.repeat(128), '-_-'];
      for (const tag of hostile) {
        const name = snapshotFolderName(tag, 'Z9!');
        expect(name, tag).toMatch(/^[a-z0-9][a-z0-9_-]*-z9$/);
        expect(isSafeFolderName(name), tag).toBe(true);
        expect(name.length).toBeLessThanOrEqual(64);
      }
      expect(snapshotFolderName('名前', 'u')).toBe('model-u');
    });
    it('isSafeFolderName() refuses what a damaged index might say', () => {
      for (const name of ['..', '../x', 'a/b', '.tmp-1-x', '', 'A', 'x'.repeat(65), 3, null]) expect(isSafeFolderName(name), String(name)).toBe(false);
    });
  });

  describe('resolveMode()', () => {
    it("auto is max for accuracy-like names and min otherwise", () => {
      for (const name of ['acc', 'val_acc', 'accuracy', 'val_accuracy', 'auc', 'val_AUC', 'precision', 'recall', 'f1', 'val_f1_score']) expect(resolveMode(name, 'auto'), name).toBe('max');
      for (const name of ['loss', 'val_loss', 'mae', 'mse', 'val_mean_squared_error']) expect(resolveMode(name, 'auto'), name).toBe('min');
      expect(resolveMode('val_loss')).toBe('min');
      // The report's rule too (core metricDirection): scores such as bleu and reward are better high.
      for (const name of ['bleu', 'val_bleu', 'reward', 'episode_reward']) expect(resolveMode(name, 'auto'), name).toBe('max');
      expect(resolveMode('error_rate', 'auto')).toBe('min');
    });
    it('an explicit mode wins', () => {
      expect(resolveMode('val_acc', 'min')).toBe('min');
      expect(resolveMode('val_loss', 'max')).toBe('max');
    });
  });

  describe('isImprovement()', () => {
    it('compares by mode, with minDelta; the first value always counts; NaN never does', () => {
      expect(isImprovement('min', 0.5, null)).toBe(true);
      expect(isImprovement('min', 0.4, 0.5)).toBe(true);
      expect(isImprovement('min', 0.5, 0.5)).toBe(false);
      expect(isImprovement('max', 0.9, 0.8)).toBe(true);
      expect(isImprovement('max', 0.7, 0.8)).toBe(false);
      expect(isImprovement('min', 0.45, 0.5, 0.1)).toBe(false);
      expect(isImprovement('min', NaN, null)).toBe(false);
      expect(isImprovement('min', NaN, 0.5)).toBe(false);
    });
  });

  describe('encodeArtifacts() / decodeModelJson()', () => {
    it('round-trips topology, manifest and sharded weights as one weights.bin', () => {
      const a = new Float32Array([1, 2, 3]).buffer;
      const b = new Float32Array([4.5]).buffer;
      const specs: WeightSpec[] = [
        { name: 'w', shape: [3], dtype: 'float32' },
        { name: 'b', shape: [1], dtype: 'float32' },
      ];
      const { modelJson, weights, info } = encodeArtifacts({ modelTopology: { class_name: 'Sequential' }, weightSpecs: specs, weightData: [a, b], format: 'layers-model', generatedBy: 'test' });
      expect(info.weightDataBytes).toBe(16);
      expect([...new Float32Array(weights.buffer)]).toEqual([1, 2, 3, 4.5]);
      const { artifacts, weightFiles } = decodeModelJson(modelJson);
      expect(weightFiles).toEqual(['weights.bin']);
      expect(artifacts).toEqual({ modelTopology: { class_name: 'Sequential' }, weightSpecs: specs, format: 'layers-model', generatedBy: 'test' });
    });
    it('refuses weight paths that leave the folder', () => {
      for (const bad of ['../x.bin', '/etc/passwd', 'a/b.bin', '..', '']) {
        const text = JSON.stringify({ modelTopology: {}, weightsManifest: [{ paths: [bad], weights: [] }] });
        expect(() => decodeModelJson(text), bad).toThrow(/outside its folder/);
        expect(isPlainFileName(bad)).toBe(false);
      }
    });
  });

  describe('model index', () => {
    it('parses what it writes and replaces one tag in place', () => {
      const entries = withEntry(withEntry([entry('best', 'best-1')], entry('final', 'final-1')), entry('best', 'best-2'));
      expect(entries.map((e) => [e.tag, e.folder])).toEqual([
        ['best', 'best-2'],
        ['final', 'final-1'],
      ]);
      expect(parseModelIndex(formatModelIndex(entries))).toEqual(entries);
    });
    it('refuses unsafe folders and malformed entries', () => {
      expect(() => parseModelIndex(JSON.stringify({ models: [{ ...entry('x'), folder: '../../etc' }] }))).toThrow(TypeError);
      expect(() => parseModelIndex('{"models": 3}')).toThrow(TypeError);
      expect(() => parseModelIndex('not json')).toThrow();
    });
    it("summarizeModels() keeps a '__proto__' tag as data", () => {
      const summary = summarizeModels([entry('__proto__'), entry('best')]);
      expect(Object.keys(summary)).toEqual(['__proto__', 'best']);
      expect(Object.getPrototypeOf(summary)).toBe(Object.prototype);
      const reread = coerceRunRecord({ id: 'r', status: 'completed', startedAt: '2026-01-01T00:00:00Z', models: JSON.parse(JSON.stringify(summary)) });
      expect(typeof reread === 'object' && Object.keys(reread.models!)).toEqual(['__proto__', 'best']);
    });
  });

  describe('defaultTag()', () => {
    it("prefers 'best', then 'final', then the only snapshot", () => {
      expect(defaultTag([entry('final'), entry('best')])).toBe('best');
      expect(defaultTag([entry('initial'), entry('final')])).toBe('final');
      expect(defaultTag([entry('epoch 3')])).toBe('epoch 3');
    });
    it('lists the tags when it cannot choose', () => {
      expect(() => defaultTag([])).toThrow(ModelNotFoundError);
      try {
        defaultTag([entry('a'), entry('b')]);
        expect.unreachable();
      } catch (error) {
        expect(error).toBeInstanceOf(ModelNotFoundError);
        expect((error as ModelNotFoundError).tags).toEqual(['a', 'b']);
        expect((error as Error).message).toMatch(/"a", "b"/);
      }
    });
  });

  describe('coerceRunRecord() models', () => {
    it('keeps well-formed entries and drops the rest', () => {
      const record = coerceRunRecord({
        id: 'r',
        status: 'completed',
        startedAt: '2026-01-01T00:00:00Z',
        models: { best: { savedAt: 'x', bytes: 10, epoch: 2, step: 17, metric: { name: 'val_loss', value: 'NaN' } }, bad: { bytes: 'many' }, junk: 3 },
      });
      expect(typeof record === 'object' && record.models).toEqual({ best: { savedAt: 'x', bytes: 10, epoch: 2, step: 17, metric: { name: 'val_loss', value: 'NaN' } } });
      const none = coerceRunRecord({ id: 'r', status: 'completed', startedAt: '2026-01-01T00:00:00Z', models: 'junk' });
      expect(typeof none === 'object' && none.models).toBeUndefined();
    });
  });

  describe('renderRunDetails() models section', () => {
    it('lists each snapshot with its epoch, metric and size, escaping tags', () => {
      const record = coerceRunRecord({
        id: 'r1',
        status: 'completed',
        startedAt: '2026-01-01T00:00:00Z',
        models: {
          best: { savedAt: '2026-01-01T00:01:00.000Z', bytes: 4300, epoch: 2, step: 17, metric: { name: 'val_loss', value: 0.25 } },
          'evil\u001b[31m': { savedAt: '2026-01-01T00:02:00.000Z', bytes: 100, epoch: null, step: null },
        },
      });
      if (typeof record === 'string') throw new Error(record);
      const text = renderRunDetails({ summary: { record, status: 'completed', dir: '/x' }, problems: [], seriesLengths: {} }, Date.now());
      expect(text).toMatch(/\nmodels\n {2}TAG +EPOCH +STEP +METRIC +SIZE +SAVED\n {2}best +2 +17 +val_loss=0\.25 +4\.2 KiB +2026-01-01 00:01/);
      expect(text).toContain('evil\\u001b[31m');
      expect(text).not.toContain('\u001b');
    });
  });
});
