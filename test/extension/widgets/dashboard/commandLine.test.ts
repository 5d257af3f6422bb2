import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { pathArgument, publishCommand, reportCommand, shellQuote } from '../../../../extension/src/widgets/dashboard/commandLine.js';

const HOSTILE = [
  '',
  'plain.ipynb',
  'with space.ipynb',
  "it's.ipynb",
  "''",
  '$(touch /tmp/trainbook-pwned)',
  '`id`',
  '$HOME',
  'a;b&c|d>e<f',
  '*.ipynb',
  '~/x',
  'back\\slash',
  'new\nline',
  'tab\there',
  '"double"',
  '!bang',
  'über/ノート.ipynb',
  '#comment',
  '{a,b}',
];

/** The words a real shell makes of `line` (each printed NUL-terminated by printf). */
function wordsIn(shell: string, line: string): string[] {
  const out = execFileSync(shell, ['-c', `printf '%s\\0' ${line}`], { encoding: 'utf8' });
  return out.split('\0').slice(0, -1);
}

describe('shellQuote()', () => {
  it('leaves plain words as they are', () => {
    expect(shellQuote('exp/train.ipynb')).toBe('exp/train.ipynb');
    expect(shellQuote('20261122-210850123-k3f9q,20261122-210850124-a0b1c')).toBe('20261122-210850123-k3f9q,20261122-210850124-a0b1c');
  });

  it('quotes everything else so that sh and bash read back exactly the word', () => {
    for (const shell of ['/usr/bin/dash', '/usr/bin/bash']) {
      for (const word of HOSTILE) expect(wordsIn(shell, shellQuote(word)), `${shell}: ${JSON.stringify(word)}`).toEqual([word]);
      expect(wordsIn(shell, HOSTILE.map(shellQuote).join(' '))).toEqual(HOSTILE);
    }
  });

  it("writes a single quote as '\\''", () => {
    expect(shellQuote("it's")).toBe("'it'\\''s'");
  });
});

describe('pathArgument()', () => {
  it('puts ./ before a path that would read as an option', () => {
    expect(pathArgument('-rf.ipynb')).toBe('./-rf.ipynb');
    expect(pathArgument('--hub=x.ipynb')).toBe('./--hub=x.ipynb');
    expect(pathArgument('a -b.ipynb')).toBe("'a -b.ipynb'");
  });
});

describe('reportCommand() and publishCommand()', () => {
  const runs = ['20261122-210850123-k3f9q', '20261122-210851000-a0b1c'];

  it('name the stores once each, the runs as one --runs list, and the output', () => {
    expect(reportCommand({ stores: ['exp/train.ipynb', 'exp/train.ipynb', 'old runs.trainbook'], runs })).toBe(
      `trainbook report exp/train.ipynb 'old runs.trainbook' --runs ${runs.join(',')} -o report.html`,
    );
    expect(reportCommand({ stores: ['a.ipynb'], runs, output: 'my report.html' })).toBe(`trainbook report a.ipynb --runs ${runs.join(',')} -o 'my report.html'`);
    expect(publishCommand({ stores: ["it's.ipynb"], runs: [runs[0]!] })).toBe(`trainbook publish 'it'\\''s.ipynb' --runs ${runs[0]}`);
  });

  it('survive a real shell word for word, hostile store names included', () => {
    const stores = ['$(touch /tmp/trainbook-pwned).ipynb', '-x.ipynb', "it's here.trainbook"];
    const words = wordsIn('/usr/bin/dash', reportCommand({ stores, runs }));
    expect(words).toEqual(['trainbook', 'report', '$(touch /tmp/trainbook-pwned).ipynb', './-x.ipynb', "it's here.trainbook", '--runs', runs.join(','), '-o', 'report.html']);
    expect(wordsIn('/usr/bin/bash', publishCommand({ stores, runs }))).toEqual(['trainbook', 'publish', '$(touch /tmp/trainbook-pwned).ipynb', './-x.ipynb', "it's here.trainbook", '--runs', runs.join(',')]);
  });
});
