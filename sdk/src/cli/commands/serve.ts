import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import type { CommandContext } from '../context.js';
import { ExitCode, UsageError } from '../errors.js';
import { DEFAULT_PUBLISH_DIR } from '../../report/links.js';
import { serveFolder } from '../../report/serve.js';

/** `trainbook serve`: preview published reports over HTTP on this machine. */
export function register(program: Command, { io, setExit }: CommandContext): void {
  program
    .command('serve')
    .description(`serve a folder of reports on http://127.0.0.1 for preview (default: ./${DEFAULT_PUBLISH_DIR}, else the current folder)`)
    .argument('[dir]', 'the folder to serve')
    .option('-p, --port <port>', 'port (0 picks a free one)', '8000')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .action(async (dir: string | undefined, options: { port: string; host: string }) => {
      const fallback = path.join(io.cwd, DEFAULT_PUBLISH_DIR);
      const root = dir ? path.resolve(io.cwd, dir) : fs.existsSync(fallback) ? fallback : io.cwd;
      if (!fs.existsSync(root) || !fs.statSync(root).isDirectory()) throw new UsageError(`No folder ${root} to serve.`);
      const port = Number(options.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be a number from 0 to 65535, not "${options.port}".`);
      const server = await serveFolder(root, { port, host: options.host });
      io.out(`Serving ${root} at ${server.url} (Ctrl+C to stop)\n`);
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
