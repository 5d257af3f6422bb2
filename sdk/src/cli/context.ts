/** What every command gets: where to write, the folder it runs in, the clock, and how to set the exit code. */
export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
  cwd: string;
  now: () => number;
}

export interface CommandContext {
  io: CliIo;
  setExit: (code: number) => void;
}
