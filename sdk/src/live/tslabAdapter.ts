/**
 * The one place trainbook touches tslab's internals. tslab's public `display.raw()` sends a single
 * MIME type; a bundle (our MIME type + Vega-Lite + text) needs its internal
 * `dist/jupyter.js` `lastWriteDisplayData`. A library cannot `require('tslab')` (tslab maps that
 * import only inside cells), so the kernel's own instance is found from its entry point.
 */
import { createRequire } from 'node:module';
import * as path from 'node:path';

const requireHere = createRequire(import.meta.url);

export interface DisplayContent {
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
  transient: { display_id: string };
}
type WriteDisplayData = (content: DisplayContent, isUpdate: boolean) => void;

interface TslabJupyterModule {
  lastWriteDisplayData: WriteDisplayData | null;
}

/** The `dist/jupyter.js` module of the tslab kernel running this process, or null outside tslab. */
export function findTslabJupyter(
  entry: string | undefined = requireHere.main?.filename ?? process.argv[1],
  load: NodeJS.Require = requireHere,
): TslabJupyterModule | null {
  if (!entry) return null;
  let manifest: string;
  try {
    manifest = load.resolve('tslab/package.json', { paths: [path.dirname(entry)] });
  } catch {
    return null;
  }
  const jupyterJs = path.join(path.dirname(manifest), 'dist', 'jupyter.js');
  // Only the instance the kernel has loaded holds the live writer; loading a fresh copy would not.
  if (!load.cache[jupyterJs]) return null;
  const module = load(jupyterJs) as Partial<TslabJupyterModule>;
  return 'lastWriteDisplayData' in module ? (module as TslabJupyterModule) : null;
}

/** A display output that can be shown once and then updated in place. */
export interface BundleDisplay {
  readonly displayId: string;
  show(data: Record<string, unknown>): void;
}

let counter = 0;

/**
 * A display bound to the cell that is running now. The writer is captured at once: tslab swaps it
 * at every execution, and updates must go to this cell's output even when sent from a timer after
 * the cell finished. Returns null outside a tslab kernel or between executions.
 */
export function createTslabDisplay(jupyter: TslabJupyterModule | null = findTslabJupyter()): BundleDisplay | null {
  const write = jupyter?.lastWriteDisplayData;
  if (typeof write !== 'function') return null;
  const displayId = `trainbook-${process.pid}-${Date.now().toString(36)}-${counter++}`;
  let shown = false;
  return {
    displayId,
    show(data) {
      write({ data, metadata: {}, transient: { display_id: displayId } }, shown);
      shown = true;
    },
  };
}
