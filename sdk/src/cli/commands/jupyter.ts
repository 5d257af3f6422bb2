import type { Command } from 'commander';
import type { CommandContext } from '../context.js';
import { ExitCode } from '../errors.js';
import { installIntoJupyter } from '../jupyterInstall.js';

/** `trainbook jupyter install`: the prebuilt JupyterLab extension, the server extension and the tslab kernelspec. */
export function register(program: Command, { io, setExit }: CommandContext): void {
  const jupyter = program.command('jupyter').description('set up JupyterLab for trainbook');
  jupyter
    .command('install')
    .description('install the prebuilt JupyterLab extension, the server extension (team hub runs in the panel) and a tslab (TypeScript) kernelspec')
    .option('--prefix <dir>', 'Python prefix (a venv or sys.prefix) to install into; default: your Jupyter user data folder')
    .option('--link', 'symlink instead of copy (development)')
    .option('--no-kernel', 'do not write the tslab kernelspec')
    .option('--no-server', 'do not install the server extension')
    .action((options: { prefix?: string; link?: boolean; kernel?: boolean; server?: boolean }) => {
      const result = installIntoJupyter({ ...options, cwd: io.cwd });
      io.out(`trainbook: JupyterLab extension installed at ${result.labextension}\n`);
      if (result.server) io.out(`trainbook: server extension installed at ${result.server.package}, enabled by ${result.server.config}\n`);
      if (result.kernelspec) io.out(`trainbook: TypeScript kernel (tslab) installed at ${result.kernelspec}\n`);
      for (const note of result.notes) io.out(`trainbook: ${note}\n`);
      setExit(ExitCode.ok);
    });
}
