import * as fs from 'node:fs';
import * as path from 'node:path';

let counter = 0;
const TEMPORARY_FLAGS = fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | (fs.constants.O_NOFOLLOW ?? 0);

/**
 * Replaces `file` with `data` so that a reader sees either the old or the new content, never a
 * mix, even if the process dies midway: write a temporary file beside it, fsync, rename. The
 * temporary file is created exclusively: a file or link already there under its name (left by a
 * crash, or planted in a folder from someone else) is never written through.
 */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  const { temporary, fd } = createTemporary(file);
  try {
    if (typeof data === 'string') fs.writeSync(fd, data);
    else fs.writeSync(fd, data);
    fs.fsyncSync(fd);
  } catch (error) {
    fs.closeSync(fd);
    fs.rmSync(temporary, { force: true });
    throw error;
  }
  fs.closeSync(fd);
  try {
    fs.renameSync(temporary, file);
  } catch (error) {
    fs.rmSync(temporary, { force: true });
    throw error;
  }
}

function createTemporary(file: string): { temporary: string; fd: number } {
  for (let attempt = 0; ; attempt++) {
    const temporary = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${counter++}.tmp`);
    try {
      return { temporary, fd: fs.openSync(temporary, TEMPORARY_FLAGS, 0o644) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 100) throw error;
    }
  }
}
