/**
 * The command lines the dashboard's report bar copies: `trainbook report` and `trainbook publish`
 * for the compared runs, every word quoted for a POSIX shell (sh, bash, zsh) so that a store path
 * with spaces, quotes, `$` or a leading `-` reaches the CLI as it is. Pure: no DOM.
 */

/** Characters a shell word may hold unquoted (no globbing, no expansion, no word splitting). */
const PLAIN_WORD = /^[A-Za-z0-9_@%+=:,./-]+$/;

/**
 * `word` as one POSIX shell word: unquoted when only plain characters, else in single quotes
 * (each `'` written as `'\''`). The empty word is `''`.
 *
 * @example
 * shellQuote('train.ipynb'); // train.ipynb
 * shellQuote("my run's notes.ipynb"); // 'my run'\''s notes.ipynb'
 */
export function shellQuote(word: string): string {
  if (PLAIN_WORD.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * A store path as a CLI argument: relative paths that begin with `-` get `./` in front, so the
 * CLI never reads one as an option; then quoted.
 */
export function pathArgument(path: string): string {
  return shellQuote(path.startsWith('-') ? `./${path}` : path);
}

export interface ReportCommandInput {
  /** Notebooks or store folders, relative to the folder the command runs in (JupyterLab's root). */
  stores: readonly string[];
  /** Run ids, in the order the view compares them. */
  runs: readonly string[];
  /** The report file (report only). */
  output?: string;
}

/**
 * `trainbook report <stores…> --runs <ids> -o <output>`.
 *
 * @example
 * reportCommand({ stores: ['exp/train.ipynb'], runs: ['20261122-210850123-k3f9q'] });
 * // trainbook report exp/train.ipynb --runs 20261122-210850123-k3f9q -o report.html
 */
export function reportCommand(input: ReportCommandInput): string {
  return ['trainbook', 'report', ...storesAndRuns(input), '-o', pathArgument(input.output ?? 'report.html')].join(' ');
}

/** `trainbook publish <stores…> --runs <ids>` (into `trainbook-reports/`, the CLI's default target). */
export function publishCommand(input: ReportCommandInput): string {
  return ['trainbook', 'publish', ...storesAndRuns(input)].join(' ');
}

function storesAndRuns({ stores, runs }: ReportCommandInput): string[] {
  const words = [...new Set(stores)].map(pathArgument);
  if (runs.length > 0) words.push('--runs', shellQuote([...new Set(runs)].join(',')));
  return words;
}
