import { describe, expect, it } from 'vitest';
import { executedNotebookPath, queuedNotebookPath } from '../../../sdk/src/headless/worker.js';
import { projectRelativeNotebook } from '../../../sdk/src/cli/queueSweep.js';
import { runDefaultsFromEnv } from '../../../sdk/src/run/envDefaults.js';

describe('queuedNotebookPath', () => {
  it('keeps a path from the hub inside the project folder', () => {
    expect(queuedNotebookPath('/w', 'exp/train.ipynb')).toBe('/w/exp/train.ipynb');
    for (const bad of ['../x.ipynb', 'exp/../../x.ipynb', '/etc/x.ipynb', '', 'a\u0000b.ipynb']) expect(queuedNotebookPath('/w', bad)).toBeNull();
  });
});

describe('executedNotebookPath', () => {
  it('names the executed copy after the job, beside the notebook', () => {
    expect(executedNotebookPath('/w/exp/train.ipynb', 's1-3')).toBe('/w/exp/train.s1-3.ipynb');
  });
});

describe('projectRelativeNotebook', () => {
  it('is the path relative to the folder the sweep is queued from, and refuses one outside it', () => {
    expect(projectRelativeNotebook('/w', '/w/exp/train.ipynb')).toBe('exp/train.ipynb');
    expect(() => projectRelativeNotebook('/w', '/elsewhere/train.ipynb')).toThrow(/not inside the current folder/);
  });
});

describe('runDefaultsFromEnv', () => {
  it('reads the group and the key-value tags a worker sets; ignores bad tags', () => {
    expect(runDefaultsFromEnv({ TRAINBOOK_GROUP: 's1', TRAINBOOK_TAG_VALUES: '{"sweep":"s1","attempt":2}' })).toEqual({ group: 's1', tagValues: { sweep: 's1', attempt: 2 } });
    expect(runDefaultsFromEnv({})).toEqual({ group: null, tagValues: {} });
    expect(runDefaultsFromEnv({ TRAINBOOK_TAG_VALUES: '[1]' }).tagValues).toEqual({});
  });
});
