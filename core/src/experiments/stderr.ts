/** Reading a failed cell's error from what tslab printed to stderr. Pure. */

/**
 * The error of a failed cell when the kernel only printed it (tslab sends no `error` output: the
 * exception or the type errors go to stderr). Reads the last `Name: message` line of a thrown
 * error, or the `line:column - message` lines of TypeScript's diagnostics.
 */
export function errorFromStderr(text: string): { ename: string; evalue: string } | null {
  const lines = text.split(/\r?\n/).map((line) => line.trimEnd());
  const diagnostics = lines.filter((line) => /^\d+:\d+ - /.test(line));
  if (diagnostics.length > 0) return { ename: 'TypeScriptError', evalue: diagnostics.join('\n') };
  for (let i = lines.length - 1; i >= 0; i--) {
    const thrown = /^([A-Za-z_$][\w$]*(?:Error|Exception)|Error|Uncaught [A-Za-z_$][\w$]*): (.*)$/.exec(lines[i]!);
    if (thrown) return { ename: thrown[1]!.replace(/^Uncaught /, ''), evalue: thrown[2]! };
  }
  const first = lines.find((line) => line.trim() !== '');
  return first ? { ename: 'Error', evalue: first.trim() } : null;
}
