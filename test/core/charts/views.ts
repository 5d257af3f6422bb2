/** Vega views of specs from the chart builders, for tests: compiled, headless, and their warnings recorded. */
import * as vega from 'vega';
import * as vegaLite from 'vega-lite';

/** A headless view of a Vega-Lite spec (300 px wide) that records Vega-Lite's and Vega's warnings and errors. */
export function recordingView(spec: Record<string, unknown>): { view: vega.View; warnings: unknown[][] } {
  const warnings: unknown[][] = [];
  const logger = { level: () => logger, warn: (...args: unknown[]) => (warnings.push(args), logger), error: (...args: unknown[]) => (warnings.push(args), logger), info: () => logger, debug: () => logger };
  const view = new vega.View(vega.parse(vegaLite.compile({ ...spec, width: 300 } as never, { logger: logger as never }).spec), { renderer: 'none' });
  view.logger({ ...logger, level: () => vega.Warn } as never);
  return { view, warnings };
}

/** A mark of a view's scenegraph. */
export interface SceneMark {
  marktype: string;
  name?: string;
  items: Array<Record<string, unknown> & { datum?: Record<string, unknown>; items?: SceneMark[] }>;
}

/** Every mark of a view's scenegraph, depth first. */
export function sceneMarks(view: vega.View): SceneMark[] {
  const marks: SceneMark[] = [];
  const visit = (mark: SceneMark) => {
    marks.push(mark);
    for (const item of mark.items) for (const child of item.items ?? []) visit(child);
  };
  visit((view.scenegraph() as unknown as { root: SceneMark }).root);
  return marks;
}
