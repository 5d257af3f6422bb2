import type { Command } from 'commander';
import type { CommandContext } from '../context.js';
import { checkStore, type DoctorReport } from '../../store/doctor.js';
import { ExitCode } from '../errors.js';
import { selectStores } from '../stores.js';
import { safeText } from '../text.js';

export function renderDoctorReport(report: DoctorReport): string {
  const lines = [`${safeText(report.store)}: ${report.runs} run${report.runs === 1 ? '' : 's'}`];
  if (report.findings.length === 0) lines.push('  no problems found');
  for (const finding of report.findings) {
    const where = [finding.runId ? `run ${safeText(finding.runId)}` : null, finding.line ? `line ${finding.line}` : null, finding.offset !== undefined ? `byte ${finding.offset}` : null]
      .filter(Boolean)
      .join(', ');
    lines.push(`  ${finding.severity === 'damage' ? 'DAMAGE ' : 'warning'} ${where ? `${where}: ` : ''}${safeText(finding.message)}${finding.repaired ? ` -> repaired: ${safeText(finding.repaired)}` : ''}`);
  }
  return lines.join('\n');
}

/** `trainbook doctor`: checks stores and, with --repair, mends what can be mended. */
export function register(program: Command, { io, setExit }: CommandContext): void {
  program
    .command('doctor')
    .description('check stores for damage (torn or corrupt records, unreadable run.json, crashed runs, symbolic links, which are never followed); --repair mends what it can')
    .argument('[stores...]', 'store folders or notebooks (default: the stores in the current folder)')
    .option('--repair', 'rewrite damaged events files keeping every readable record (originals kept as .bak) and rebuild lost run.json files')
    .option('--json', 'print JSON for machines')
    .action((stores: string[], options: { repair?: boolean; json?: boolean }) => {
      const reports = selectStores(stores, io.cwd).map((store) => checkStore(store.dir, { repair: options.repair ?? false }));
      if (options.json) io.out(`${JSON.stringify(reports, null, 2)}\n`);
      else io.out(`${reports.map(renderDoctorReport).join('\n\n')}\n`);
      const unmended = reports.some((report) => report.findings.some((f) => f.severity === 'damage' && !f.repaired));
      setExit(unmended ? ExitCode.findings : ExitCode.ok);
    });
}
