/**
 * trainbook's own lines on the terminal (warnings, progress): written so that a run's output
 * capture never keeps them, and where a notebook or a script expects them. The capture hook
 * (`run/outputCapture.ts`) asks {@link capturing} before it keeps a write.
 */

/**
 * Above zero while trainbook writes its own lines, or while a hooked write is running (a write
 * that passes through several capture wrappers is kept by the outermost only).
 */
let quiet = 0;

/**
 * Runs `write` without capturing what it prints: trainbook's own progress and warning lines are
 * not the run's output.
 *
 * @example
 * withoutCapture(() => process.stderr.write('trainbook: a warning\n'));
 */
export function withoutCapture<T>(write: () => T): T {
  quiet++;
  try {
    return write();
  } finally {
    quiet--;
  }
}

/** Whether a write made now belongs to the program (true) or to trainbook (false). */
export function capturing(): boolean {
  return quiet === 0;
}

/**
 * trainbook's own warning on stderr, never captured as a run's output.
 *
 * @example
 * writeOwnLine('trainbook: cannot write run 2026...; training goes on.\n');
 */
export function writeOwnLine(text: string): void {
  withoutCapture(() => process.stderr.write(text));
}

/**
 * Warnings said once each: the first call with a key writes its line, later ones stay quiet.
 *
 * @example
 * const warnings = new OnceWarnings();
 * warnings.warn('log-after-finish', 'trainbook: run x is finished; log() calls are ignored.');
 */
export class OnceWarnings {
  private readonly said = new Set<string>();

  warn(key: string, message: string): void {
    if (this.said.has(key)) return;
    this.said.add(key);
    writeOwnLine(`${message}\n`);
  }
}

/** Whether this process is a Jupyter kernel (there, trainbook's information goes to stdout, the cell's output). */
export function inJupyterKernel(env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(env.JPY_PARENT_PID || env.JPY_SESSION_NAME);
}
