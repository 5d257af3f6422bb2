import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHART_POINT_BUDGET } from '../../../core/src/index.js';
import { buildReport } from '../../../sdk/src/report/build.js';
import { init, openStore } from '../../../sdk/src/index.js';
import { tempDir } from '../../helpers/tmp.js';

describe('buildReport', () => {
  it('keeps a chart within its point budget when run.json summaries do not name the series the events hold', async () => {
    const dir = path.join(tempDir(), 'bench.trainbook');
    for (let r = 0; r < 40; r++) {
      const run = init({ dir, name: `run-${r}`, git: false, display: false, systemMetrics: false, captureOutput: false });
      for (let step = 0; step < 3000; step++) run.log({ loss: Math.exp(-step / 500) + 0.01 * Math.sin(step + r) }, { step });
      await run.finish();
      // As an import or a hand-made record may have it: no summaries.
      const file = path.join(dir, 'runs', run.id, 'run.json');
      fs.writeFileSync(file, JSON.stringify({ ...JSON.parse(fs.readFileSync(file, 'utf8')), summary: {} }));
    }
    const { model } = await buildReport({ stores: [openStore(dir)] });
    const loss = model.chartModel.groups.find((group) => group.group === 'loss')!;
    const drawn = loss.lines.reduce((sum, line) => sum + line.x.length, 0);
    expect(loss.lines).toHaveLength(40);
    expect(drawn).toBeLessThanOrEqual(CHART_POINT_BUDGET);
  }, 60_000);
});
