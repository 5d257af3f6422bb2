import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/tmp.js';

const script = path.resolve(__dirname, '../../scripts/check-imports.mjs');

function tree(files: Record<string, string>): string {
  const root = tempDir('trainbook-imports-');
  for (const [file, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), text);
  }
  return root;
}

function check(root: string): { status: number | null; problems: string[] } {
  const result = spawnSync(process.execPath, [script, '--json', '--root', root], { encoding: 'utf8' });
  return { status: result.status, problems: (JSON.parse(result.stdout) as { problems: string[] }).problems };
}

describe('check-imports', () => {
  it('passes the project itself', () => {
    const result = spawnSync(process.execPath, [script], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('finds a cycle between files and between folders', () => {
    const root = tree({
      'sdk/src/run/a.ts': "import { b } from '../live/b.js';\nexport const a = 1;\n",
      'sdk/src/live/b.ts': "import { a } from '../run/a.js';\nexport const b = a;\n",
    });
    const { status, problems } = check(root);
    expect(status).toBe(1);
    expect(problems.some((p) => p.startsWith('import cycle between files: sdk/src/live/b.ts ↔ sdk/src/run/a.ts'))).toBe(true);
    expect(problems.some((p) => p.startsWith('import cycle between folders: sdk/src/live ↔ sdk/src/run'))).toBe(true);
  });

  it('refuses Node in the core, a reach-in to another layer, and JupyterLab in the SDK', () => {
    const root = tree({
      'core/src/store/files.ts': "import * as fs from 'node:fs';\nexport const f = fs;\n",
      'extension/src/panel.ts': "import { f } from '../../core/src/store/files.js';\nexport const p = f;\n",
      'sdk/src/cli/main.ts': "import { Widget } from '@lumino/widgets';\nexport const w = Widget;\n",
    });
    const { problems } = check(root);
    expect(problems).toContain("core/src/store/files.ts imports 'node:fs', which core/src may not use");
    expect(problems.some((p) => p.startsWith('extension/src/panel.ts reaches into core/src by a relative path'))).toBe(true);
    expect(problems).toContain("sdk/src/cli/main.ts imports '@lumino/widgets', which sdk/src may not use");
  });

  it('lets the SDK reach the core and the hub through their package entries', () => {
    const root = tree({
      'sdk/src/run/a.ts': "import { x } from 'trainbook/core';\nimport { y } from 'trainbook/hub';\nexport const a = [x, y];\n",
    });
    expect(check(root)).toEqual({ status: 0, problems: [] });
  });
});
