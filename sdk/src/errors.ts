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
