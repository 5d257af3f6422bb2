import { RunNotFoundError, StoreError, TrainbookError } from 'trainbook/core';

/** Exit codes: 0 ok, 1 findings (e.g. damage found), 2 usage (bad arguments, unknown store or run), 3 unexpected. */
export const ExitCode = { ok: 0, findings: 1, usage: 2, unexpected: 3 } as const;

/** A command-line usage problem, such as a missing or contradictory argument. */
export class UsageError extends TrainbookError {
  constructor(message: string) {
    super('usage', message);
  }
}

export function getExitCode(error: unknown): number {
  // The hub's errors (hub/src/errors.ts) carry their exit code; matched by shape so `pg` loads only when a hub is used.
  const hubExit = (error as { exitCode?: unknown } | null)?.exitCode;
  if (error instanceof Error && error.name.startsWith('Hub') && (hubExit === 2 || hubExit === 3)) return hubExit;
  if (error instanceof UsageError || error instanceof RunNotFoundError || error instanceof StoreError) return ExitCode.usage;
  if (error instanceof TrainbookError) return ExitCode.usage;
  return ExitCode.unexpected;
}

/**
 * The one place errors leave the CLI: a clear line for known errors, a stack for bugs. With
 * `TRAINBOOK_ERROR_FORMAT=json` (set by the Jupyter server extension, which calls the CLI) the
 * line is JSON instead: `{"error": message, "code": the error's code, "exit": exit code}`, no stack.
 */
export function handleError(error: unknown, write: (text: string) => void, format: string | undefined = process.env.TRAINBOOK_ERROR_FORMAT): number {
  const code = getExitCode(error);
  if (format === 'json') {
    const known = code !== ExitCode.unexpected;
    const errorCode = known && typeof (error as { code?: unknown }).code === 'string' ? (error as { code: string }).code : known ? 'usage' : 'unexpected';
    write(`${JSON.stringify({ error: known ? (error as Error).message : 'unexpected error', code: errorCode, exit: code })}\n`);
  } else if (code === ExitCode.unexpected) {
    write(`trainbook: unexpected error (please report it): ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  } else {
    write(`trainbook: ${(error as Error).message}\n`);
  }
  return code;
}
