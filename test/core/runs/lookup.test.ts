import { describe, expect, it } from 'vitest';
import { findRun, findRunAcross, lookupRun, RunNotFoundError } from 'trainbook/core';

const run = (id: string, name: string, archive: string | null = null) => ({ record: { id, name }, archive: archive === null ? null : { name: archive } });
const runs = [
  run('20261122-210850123-aaaaa', 'mlp'),
  run('20261122-210850124-bbbbb', 'mlp'),
  run('20261123-090000000-ccccc', 'cnn', 'archived_v1_2026-11-23'),
  run('20261124-090000000-ddddd', '20261124-0900'),
];

describe('lookupRun', () => {
  it('finds a run by exact id, unique prefix, unique name and archive name', () => {
    expect(lookupRun(runs, '20261122-210850123-aaaaa')).toEqual({ kind: 'found', run: runs[0] });
    expect(lookupRun(runs, '20261123')).toEqual({ kind: 'found', run: runs[2] });
    expect(lookupRun(runs, 'cnn')).toEqual({ kind: 'found', run: runs[2] });
    expect(lookupRun(runs, 'archived_v1_2026-11-23')).toEqual({ kind: 'found', run: runs[2] });
  });

  it('lets an id prefix win over a name', () => {
    expect(lookupRun(runs, '20261124-0900')).toEqual({ kind: 'found', run: runs[3] });
    expect(lookupRun(runs, '2026112')).toMatchObject({ kind: 'ambiguous' });
  });

  it('reports a repeated name as ambiguous and an unknown one as none', () => {
    expect(lookupRun(runs, 'mlp')).toEqual({ kind: 'ambiguous', matches: [runs[0], runs[1]] });
    expect(lookupRun(runs, 'nope')).toEqual({ kind: 'none' });
    expect(lookupRun(runs, '')).toEqual({ kind: 'none' });
  });
});

describe('findRun', () => {
  it('lists the matches in one message', () => {
    expect(() => findRun(runs, 'mlp', 'here')).toThrow(/"mlp" matches 2 runs \(20261122-210850123-aaaaa "mlp", 20261122-210850124-bbbbb "mlp"\); give more of the id/);
    expect(() => findRun(runs, 'nope', 'train.trainbook')).toThrow(RunNotFoundError);
    expect(() => findRun(runs, 'nope', 'train.trainbook')).toThrow(/No run "nope" in train.trainbook/);
  });
});

describe('findRunAcross', () => {
  const a = { group: 'a', where: 'a.trainbook', runs };
  const b = { group: 'b', where: 'b.trainbook', runs: [run('20261201-000000000-eeeee', 'cnn')] };

  it('finds a run in the one store that has it', () => {
    expect(findRunAcross([a, b], '20261201')).toEqual({ group: 'b', run: b.runs[0] });
  });

  it('asks for the store when two stores have the run', () => {
    expect(() => findRunAcross([a, b], 'cnn')).toThrow(/matches runs in 2 stores \(a.trainbook, b.trainbook\); pass the store path too/);
    expect(() => findRunAcross([a, b], 'cnn', 'pass { dir } too')).toThrow(/pass \{ dir \} too/);
  });

  it('keeps the ambiguity of the only store that matches', () => {
    expect(() => findRunAcross([a, b], 'mlp')).toThrow(/matches 2 runs/);
    expect(() => findRunAcross([a, b], 'nope')).toThrow(/No run "nope" in a.trainbook, b.trainbook/);
  });
});
