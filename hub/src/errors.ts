/**
 * The hub's errors. Each has a machine-readable `code`, a message that says what to do, and the
 * exit code the CLI should end with (2: the user can fix it — a bad URL, a role without rights,
 * a newer schema; 3: unexpected). Messages never hold a password: URLs in them are redacted.
 */
export type HubErrorCode =
  | 'hub-url'
  | 'hub-unreachable'
  | 'hub-auth'
  | 'hub-permission'
  | 'hub-schema-missing'
  | 'hub-schema-newer'
  | 'hub-encoding'
  | 'hub-conflict'
  | 'hub-run-not-found'
  | 'hub-query'
  | 'hub-data'
  | 'hub-unexpected';

export class HubError extends Error {
  readonly code: HubErrorCode;
  /** What the CLI exits with: 2 for what the user can fix, 3 for the unexpected. */
  readonly exitCode: 2 | 3;
  constructor(code: HubErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.exitCode = code === 'hub-unexpected' ? 3 : 2;
  }
}

/** The URL is not a PostgreSQL URL, or none was given. */
export class HubUrlError extends HubError {
  constructor(message: string) {
    super('hub-url', message);
  }
}

/** The server cannot be reached (down, wrong host or port, network) or the login was refused. */
export class HubUnreachableError extends HubError {
  constructor(code: 'hub-unreachable' | 'hub-auth', message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** The role may not do this (a read-only role pushing, a role without SELECT). */
export class HubPermissionError extends HubError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('hub-permission', message, options);
  }
}

/** The database has no trainbook schema yet, or one newer than this trainbook. */
export class HubSchemaError extends HubError {
  readonly found: number | null;
  constructor(code: 'hub-schema-missing' | 'hub-schema-newer' | 'hub-encoding', message: string, found: number | null = null) {
    super(code, message);
    this.found = found;
  }
}

/** The hub holds a different history for a run than the local store (the local events were rewritten). */
export class HubConflictError extends HubError {
  readonly runId: string;
  constructor(runId: string, message: string) {
    super('hub-conflict', message);
    this.runId = runId;
  }
}

/** No run on the hub matches a reference, or several do. */
export class HubRunNotFoundError extends HubError {
  constructor(message: string) {
    super('hub-run-not-found', message);
  }
}

/** A query the hub cannot run (a field or value it cannot compare). */
export class HubQueryError extends HubError {
  constructor(message: string) {
    super('hub-query', message);
  }
}

/** Data that cannot be stored or that came back damaged. */
export class HubDataError extends HubError {
  constructor(message: string) {
    super('hub-data', message);
  }
}

export const isHubError = (error: unknown): error is HubError => error instanceof HubError;
