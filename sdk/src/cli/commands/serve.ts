import * as path from 'node:path';
import type { Command } from 'commander';
import type { CommandContext } from '../context.js';
import { ExitCode, UsageError } from '../errors.js';
import { safeText } from '../text.js';
import { DEFAULT_PUBLISH_DIR } from '../../report/links.js';
import { LOOPBACK_HOSTS, reportsFolderProblem, serveFolder } from '../../report/serve.js';

/**
 * The folder `trainbook serve` serves: `dir`, else `./trainbook-reports`. A UsageError (exit 2)
 * naming what to run when it is not a folder `trainbook publish` wrote.
 */
export function servedFolder(dir: string | undefined, cwd: string): string {
  const root = path.resolve(cwd, dir ?? DEFAULT_PUBLISH_DIR);
  const problem = reportsFolderProblem(root);
  if (!problem) return root;
  if (!dir && problem.reason === 'missing') {
    throw new UsageError(`No ${DEFAULT_PUBLISH_DIR}/ folder in ${cwd} to serve. Run \`trainbook publish\` first (it writes the reports there), or pass the folder \`trainbook publish --to <folder>\` wrote.`);
  }
  const fix =
    problem.reason === 'private'
      ? `publish into a folder of its own (\`trainbook publish --to ${DEFAULT_PUBLISH_DIR}\`) and serve that`
      : `run \`trainbook publish --to ${dir ?? DEFAULT_PUBLISH_DIR}\` first`;
  throw new UsageError(`${problem.message}. trainbook serve only serves the reports \`trainbook publish\` writes: ${fix}.`);
}

/** `trainbook serve`: preview published reports over HTTP on this machine. */
export function register(program: Command, { io, setExit }: CommandContext): void {
  program
    .command('serve')
    .description(`serve the reports \`trainbook publish\` wrote on http://127.0.0.1 for preview (default: ./${DEFAULT_PUBLISH_DIR})`)
    .argument('[dir]', `a folder \`trainbook publish --to <dir>\` wrote (default: ./${DEFAULT_PUBLISH_DIR})`)
    .option('-p, --port <port>', 'port (0 picks a free one)', '8000')
    .option(
      '--host <host>',
      `address or name to listen on; requests must name ${LOOPBACK_HOSTS.join(', ')} or this host (for 0.0.0.0 or ::, also this machine's addresses and hostname)`,
      '127.0.0.1',
    )
    .action(async (dir: string | undefined, options: { port: string; host: string }) => {
      const root = servedFolder(dir, io.cwd);
      const port = Number(options.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be a number from 0 to 65535, not "${options.port}".`);
      const server = await serveFolder(root, { port, host: options.host });
      io.out(`Serving ${safeText(root)} at ${server.url} (Ctrl+C to stop)\n`);
      if (!server.hosts.every((host) => LOOPBACK_HOSTS.includes(host))) {
        io.err(`trainbook: other machines may reach this server; it answers requests for ${server.hosts.map(safeText).join(', ')}.\n`);
      }
      await new Promise<void>((resolve) => {
        const stop = () => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          void server.close().then(resolve);
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
      setExit(ExitCode.ok);
    });
}
