/**
 * trainbook's core: what the SDK, the CLI, the JupyterLab extension and the hub share. Pure: it
 * imports nothing from Node or JupyterLab and runs in both (see `platform.d.ts`). Reached as
 * `trainbook/core`, never by a relative path from another folder.
 *
 * - `format/`: the store format v1 (record types, the events codec with its CRC framing, params,
 *   series as columns, M4 downsampling, ids, names as data, tags, units);
 * - `store/`: the store's layout (every file and folder name), the file-access interface that Node fs
 *   and the Jupyter Contents API implement, and the one reader and finished-run writer as store tasks that run over either;
 * - `query/`: the query language of the runs panel, `--runs` and the hub;
 * - `experiments/`: cell experiments (tag rules, kernel context code, stderr errors, the parameters-cell parser, execution records and cell runs);
 * - `runs/`: runs as people see them (one lookup by id, prefix, name or archive name; panel rows, query fields, sorting; the parameter diff; labels);
 * - `metrics/`: which way a metric is better;
 * - `live/`: the live output's payload (kernel → JupyterLab);
 * - `charts/`: the chart pipeline: metric groups, run colours, the chart model (axes, M4 budget,
 *   notes, EMA smoothing), the one spec builder `chartSpec(model, { mode })`, and the hyperparameter
 *   views (parallel coordinates' dimensions, a param-against-metric scatter);
 * - `errors.ts`: the typed errors every layer throws.
 */
export * from './errors.js';
export * from './format/index.js';
export * from './format/archives.js';
export * from './format/names.js';
export * from './format/metricNames.js';
export * from './format/records.js';
export * from './format/tags.js';
export * from './format/units.js';
export * from './format/validate.js';
export * from './format/values.js';
export * from './store/files.js';
export * from './store/task.js';
export * from './store/layout.js';
export * from './store/archives.js';
export * from './store/reader.js';
export * from './store/writer.js';
export * from './query/query.js';
export * from './experiments/parameters.js';
export * from './experiments/tags.js';
export * from './experiments/kernelContext.js';
export * from './experiments/stderr.js';
export * from './experiments/cellRuns.js';
export * from './runs/rows.js';
export * from './runs/paramDiff.js';
export * from './runs/labels.js';
export * from './live/payload.js';
export * from './charts/groups.js';
export * from './charts/colors.js';
export * from './charts/model.js';
export * from './charts/spec.js';
export * from './charts/smoothing.js';
export * from './charts/hyperparams.js';
export * from './runs/lookup.js';
export * from './metrics/direction.js';
export * from './runs/remote.js';
