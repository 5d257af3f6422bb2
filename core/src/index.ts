/**
 * trainbook's core: what the SDK, the CLI, the JupyterLab extension and the hub share. Pure: it
 * imports nothing from Node or JupyterLab and runs in both (see `platform.d.ts`). Reached as
 * `trainbook/core`, never by a relative path from another folder.
 */
export * from './store/files.js';
export * from './store/task.js';
export * from './store/layout.js';
