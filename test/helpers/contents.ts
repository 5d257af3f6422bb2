/**
 * A stand-in for JupyterLab's Contents manager over a real folder, doing what Jupyter Server's
 * FileContentsManager (jupyter_server 2.x, services/contents/filemanager.py) does with the file
 * system, symbolic links included: it follows them everywhere (isdir/open follow; models take
 * size and times from lstat; a listing shows a dangling link as a file; a folder is made with a
 * plain mkdir; a file save opens the path for writing, through a link; a rename refuses an existing
 * target with 409 and moves a link itself; a delete removes a file or an empty folder, and refuses
 * a folder that is not empty, as with `delete_to_trash` off; hidden names, starting with '.', are
 * neither listed nor reached, as with `allow_hidden` off). Only what the extension's store uses:
 * get, save, rename and delete.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Contents } from '@jupyterlab/services';

class ServerError extends Error {
  readonly response: { status: number };
  constructor(status: number, message: string) {
    super(message);
    this.response = { status };
  }
}

export interface FakeContents {
  get(path: string, options?: { content?: boolean; type?: string; format?: string }): Promise<Contents.IModel>;
  save(path: string, model: Partial<Contents.IModel>): Promise<Contents.IModel>;
  rename(path: string, newPath: string): Promise<Contents.IModel>;
  delete(path: string): Promise<void>;
  /** Every path asked for, in order, with what was done. */
  readonly calls: string[];
}

export function fakeContents(root: string): FakeContents & Contents.IManager {
  const calls: string[] = [];
  const osPath = (apiPath: string): string => path.join(root, ...apiPath.split('/').filter(Boolean));
  const exists = (file: string): boolean => {
    try {
      fs.lstatSync(file);
      return true;
    } catch {
      return false;
    }
  };
  const isDir = (file: string): boolean => {
    try {
      return fs.statSync(file).isDirectory();
    } catch {
      return false;
    }
  };
  const hidden = (apiPath: string): boolean => apiPath.split('/').some((segment) => segment.startsWith('.'));
  const refuseHidden = (apiPath: string): void => {
    if (hidden(apiPath)) throw new ServerError(400, `Cannot create file or directory ${apiPath}: it is hidden`);
  };
  const model = (apiPath: string, content: boolean): Contents.IModel => {
    const file = osPath(apiPath);
    if (hidden(apiPath)) throw new ServerError(404, `file or directory does not exist: ${apiPath}`);
    if (!exists(file)) throw new ServerError(404, `file or directory does not exist: ${apiPath}`);
    const info = fs.lstatSync(file);
    const base = {
      name: apiPath.slice(apiPath.lastIndexOf('/') + 1),
      path: apiPath,
      last_modified: info.mtime.toISOString(),
      created: info.ctime.toISOString(),
      writable: true,
      mimetype: null as unknown as string,
      format: null as Contents.FileFormat,
      content: null as unknown,
      size: info.size as number | undefined,
    };
    if (isDir(file)) {
      const listing = content
        ? fs.readdirSync(file).flatMap((name) => {
            const child = fs.lstatSync(path.join(file, name));
            if (name.startsWith('.') || (!child.isSymbolicLink() && !child.isFile() && !child.isDirectory())) return [];
            try {
              return [model(apiPath === '' ? name : `${apiPath}/${name}`, false)];
            } catch {
              return []; // a link loop
            }
          })
        : null;
      return { ...base, type: 'directory', size: undefined, content: listing, format: content ? 'json' : null } as Contents.IModel;
    }
    return { ...base, type: 'file', content: content ? fs.readFileSync(file, 'utf8') : null, format: content ? 'text' : null } as Contents.IModel;
  };
  const manager = {
    calls,
    async get(apiPath: string, options: { content?: boolean; type?: string } = {}): Promise<Contents.IModel> {
      calls.push(`get ${apiPath}`);
      const file = osPath(apiPath);
      if (exists(file) && isDir(file) && options.type !== undefined && options.type !== 'directory') throw new ServerError(400, `${apiPath} is a directory, not a ${options.type}`);
      if (exists(file) && !isDir(file) && options.type === 'directory') throw new ServerError(400, `${apiPath} is not a directory`);
      return model(apiPath, options.content ?? true);
    },
    async save(apiPath: string, options: Partial<Contents.IModel>): Promise<Contents.IModel> {
      calls.push(`save ${apiPath}`);
      refuseHidden(apiPath);
      const file = osPath(apiPath);
      if (options.type === 'directory') {
        if (!fs.existsSync(file)) {
          try {
            fs.mkdirSync(file); // os.mkdir: a dangling link there is EEXIST
          } catch (error) {
            throw new ServerError(500, `Unexpected error while saving file: ${apiPath} ${(error as Error).message}`);
          }
        } else if (!isDir(file)) throw new ServerError(400, `Not a directory: ${file}`);
      } else {
        // atomic_writing resolves a link at the file itself, then writes the path: it follows links.
        fs.writeFileSync(file, options.format === 'base64' ? Buffer.from(String(options.content), 'base64') : String(options.content));
      }
      return model(apiPath, false);
    },
    async rename(apiPath: string, newApiPath: string): Promise<Contents.IModel> {
      calls.push(`rename ${apiPath} ${newApiPath}`);
      refuseHidden(apiPath);
      refuseHidden(newApiPath);
      const from = osPath(apiPath);
      const to = osPath(newApiPath);
      if (!exists(from)) throw new ServerError(404, `file or directory does not exist: ${apiPath}`);
      if (exists(to)) throw new ServerError(409, `File already exists: ${newApiPath}`);
      fs.renameSync(from, to); // shutil.move: os.rename, which moves a link itself
      return model(newApiPath, false);
    },
    async delete(apiPath: string): Promise<void> {
      calls.push(`delete ${apiPath}`);
      refuseHidden(apiPath);
      const file = osPath(apiPath);
      if (!exists(file)) throw new ServerError(404, `file or directory does not exist: ${apiPath}`);
      if (fs.lstatSync(file).isDirectory()) {
        if (fs.readdirSync(file).length > 0) throw new ServerError(400, `Directory ${apiPath} not empty`);
        fs.rmdirSync(file);
      } else fs.unlinkSync(file);
    },
  };
  return manager as unknown as FakeContents & Contents.IManager;
}
