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

/**
 * Creates `file` with `data`, whole or not at all: the bytes go to a temporary file first (fsync),
 * which is then hard-linked to the name (a link fails with EEXIST when the name is taken, so two
 * writers never both win, and a reader never sees a half-written file). Where the file system has
 * no hard links, the file is created exclusively and written in place.
 */
export function createFileAtomic(file: string, data: string | Uint8Array, createInPlace: () => void): void {
  const { temporary, fd } = createTemporary(file);
  try {
    try {
      fs.writeSync(fd, typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    try {
      fs.linkSync(temporary, file);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP') throw error;
      createInPlace();
    }
  } finally {
    fs.rmSync(temporary, { force: true });
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
