import * as fs from 'node:fs';
import * as path from 'node:path';

let counter = 0;

/**
 * Replaces `file` with `data` so that a reader sees either the old or the new content, never a
 * mix, even if the process dies midway: write a temporary file beside it, fsync, rename.
 */
export function writeFileAtomic(file: string, data: string): void {
  const temporary = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${counter++}.tmp`);
  const fd = fs.openSync(temporary, 'w', 0o644);
  try {
    fs.writeSync(fd, data);
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
