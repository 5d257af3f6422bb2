/**
 * Every error trainbook throws is a TrainbookError: callers can catch one type, read `code`
 * for a machine-readable reason, and show `message`, which says what to do.
 */
export class TrainbookError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** A metric value, step or param that trainbook cannot store as given. */
export class InvalidValueError extends TrainbookError {
  constructor(message: string) {
    super('invalid-value', message);
  }
}

/** Two params flatten to the same dotted key, e.g. `{ 'a.b': 1, a: { b: 2 } }`. */
export class ParamCollisionError extends TrainbookError {
  readonly key: string;
  constructor(key: string) {
    super(
      'param-collision',
      `Two params flatten to the same key "${key}". Rename one of them: nested objects are stored with dotted keys, so { "a.b": 1 } and { a: { b: 2 } } cannot both be kept.`,
    );
    this.key = key;
  }
}

/** The store folder is missing, unreadable or not a trainbook store. */
export class StoreError extends TrainbookError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('store', message, options);
  }
}

/**
 * A symbolic link inside a store. A store may come from anyone (a cloned repository, an archive), so
 * trainbook never follows a link below the store's folder: it did not read or write what the link
 * points to. `path` is the link; `target` what it points to, when that could be read.
 */
export class StoreLinkError extends StoreError {
  override readonly code = 'store-link';
  readonly path: string;
  readonly target: string | null;
  constructor(linkPath: string, target: string | null) {
    super(
      `${linkPath} is a symbolic link${target === null ? '' : ` (to ${target})`}. trainbook does not follow links inside a store, so nothing was read or written through it. If you trust what it points to, replace the link with a copy of it; otherwise delete the link.`,
    );
    this.path = linkPath;
    this.target = target;
  }
}

/** Another live process holds the run open for writing. */
export class RunLockedError extends TrainbookError {
  constructor(runId: string, holder: string) {
    super(
      'run-locked',
      `Run ${runId} is already being written by ${holder}. Only one writer per run is allowed: finish that run first, or start a new run.`,
    );
  }
}

/** A run id, prefix or name that matches no run, or more than one. */
export class RunNotFoundError extends TrainbookError {
  constructor(message: string) {
    super('run-not-found', message);
  }
}

/** `init({ resume })` was given a seed or a param that contradicts what the run has stored. */
export class ResumeConflictError extends TrainbookError {
  /** The param key (or `seed`) that differs. */
  readonly key: string;
  constructor(key: string, stored: string, given: string) {
    super(
      'resume-conflict',
      `Cannot resume with ${key === 'seed' ? 'seed' : `param "${key}"`} = ${given}: the run was recorded with ${stored}. A resumed run keeps its ${key === 'seed' ? 'seed' : 'params'}; drop it from init(), pass the stored value, or start a new run.`,
    );
    this.key = key;
  }
}

/** A model tag that cannot be stored (empty, too long, not a string). */
export class ModelTagError extends TrainbookError {
  constructor(message: string) {
    super('invalid-model-tag', message);
  }
}

/** A model snapshot could not be written (disk full, store removed); any earlier snapshot is kept. */
export class ModelSaveError extends TrainbookError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('model-save', message, options);
  }
}

/** No snapshot under the tag asked for, or an unreadable one. `tags` lists the run's saved tags. */
export class ModelNotFoundError extends TrainbookError {
  readonly tags: readonly string[];
  constructor(message: string, tags: readonly string[] = []) {
    super('model-not-found', message);
    this.tags = tags;
  }
}

/** loadModel() needs a tfjs module and found none. */
export class TfjsNotFoundError extends TrainbookError {
  constructor(message: string) {
    super('tfjs-not-found', message);
  }
}

/** A file given to `trainbook import` that is not a run export trainbook can read; nothing was written. */
export class ImportFormatError extends TrainbookError {
  constructor(message: string) {
    super('import-format', message);
  }
}

/** A `trainbook run` parameter that cannot be injected: a key that is not an identifier, a bad grid. */
export class InvalidParameterError extends TrainbookError {
  constructor(message: string) {
    super('invalid-parameter', message);
  }
}

/** A file that is not a Jupyter notebook trainbook can run (not JSON, no cells, nbformat < 4). */
export class NotebookFormatError extends TrainbookError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('notebook-format', message, options);
  }
}

/** The Python of the Jupyter installation, its jupyter_client/nbclient, or the kernelspec is missing. */
export class JupyterSetupError extends TrainbookError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('jupyter-setup', message, options);
  }
}
