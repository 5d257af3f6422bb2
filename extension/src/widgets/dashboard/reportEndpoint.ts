/**
 * The dashboard's one call to `POST <base>trainbook/api/report` (trainbook's server extension
 * runs `trainbook report` in the server's root folder): the request body, the reply checked, and
 * every failure turned into a `ReportError` with a message a person can act on. The transport is
 * given: the user's Jupyter session (`ServerConnection.makeRequest`: token or cookie and the XSRF
 * header) in the lab, anything that answers like `fetch` in tests.
 */

/** What the server is asked to write (paths relative to its root folder). */
export interface ReportRequestBody {
  stores: string[];
  runs: string[];
  output: string;
  title?: string;
}

/** What it wrote. */
export interface WrittenReport {
  /** The report file, relative to the server's root (open it with the document manager). */
  output: string;
  runs: number;
  /** The CLI's own line ("Wrote report.html (3 runs, 4 charts)"). */
  message: string;
  /** Damaged data the report skipped. */
  warnings: string[];
}

export class ReportError extends Error {
  override readonly name = 'ReportError';
  constructor(
    message: string,
    /** The server's code (`invalid-path`, `run-not-found`, `timeout`, ...), `no-extension` or `network`. */
    readonly code: string,
    readonly status: number,
  ) {
    super(message);
  }
}

/** POSTs `body` as JSON to the report endpoint and answers like `fetch`. */
export type ReportPost = (body: string) => Promise<Response>;

/** Asks the server to write the report; throws `ReportError`. */
export async function writeReport(post: ReportPost, request: ReportRequestBody): Promise<WrittenReport> {
  let response: Response;
  try {
    response = await post(JSON.stringify(request));
  } catch (error) {
    throw new ReportError(`The Jupyter server could not be reached: ${error instanceof Error ? error.message : String(error)}`, 'network', 0);
  }
  let body: unknown = null;
  try {
    body = await response.json();
  } catch {
    // Not JSON: said below by status.
  }
  return readReply(response.status, body);
}

/** The reply of the endpoint as a result or a `ReportError` (pure). */
export function readReply(status: number, body: unknown): WrittenReport {
  const json = typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : null;
  if (status >= 200 && status < 300 && json && typeof json.output === 'string') {
    return {
      output: json.output,
      runs: typeof json.runs === 'number' ? json.runs : 0,
      message: typeof json.message === 'string' ? json.message : `Wrote ${json.output}`,
      warnings: Array.isArray(json.warnings) ? json.warnings.filter((w): w is string => typeof w === 'string') : [],
    };
  }
  if (json && typeof json.error === 'string') throw new ReportError(json.error, typeof json.code === 'string' ? json.code : 'error', status);
  if (status === 404) {
    throw new ReportError("This Jupyter server has no trainbook server extension: run `npx trainbook jupyter install` and start JupyterLab again, or copy the report command instead.", 'no-extension', status);
  }
  throw new ReportError(`The server answered ${status} without saying why.`, 'error', status);
}
