import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { requireBuilt, ROOT } from './sdk.js';

export const ARTIFACTS = path.join(ROOT, 'test-artifacts');
const TOKEN = 'trainbook-test';
/** JupyterLab's debugger probes every kernel; tslab has none. Harmless, so not counted as an error. */
const KNOWN_HARMLESS = [/No active debugger session/];

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/**
 * A notebook folder inside the checkout (under .lab-tmp/), with `trainbook` linked into its
 * node_modules, so `import 'trainbook'` and `@tensorflow/tfjs` resolve as in a user's project.
 */
export function makeLabRoot(prefix: string): string {
  const dir = path.join(ROOT, '.lab-tmp', `${prefix}-${process.pid}-${Date.now()}`);
  fs.mkdirSync(path.join(dir, 'node_modules'), { recursive: true });
  fs.symlinkSync(ROOT, path.join(dir, 'node_modules', 'trainbook'), 'dir');
  return dir;
}

export interface Lab {
  root: string;
  /** The notebook's address; `reset: false` keeps the saved workspace (open panels). */
  url: (notebook: string, options?: { reset?: boolean }) => string;
  base: string;
  stop: () => Promise<void>;
  log: () => string;
}

/** Starts the real JupyterLab from the project's venv on a free port, serving `root`; `env` is added to its environment. */
export async function startLab(root: string, env: Record<string, string> = {}): Promise<Lab> {
  const port = await freePort();
  const jupyter = path.join(ROOT, '.venv', 'bin', 'jupyter');
  if (!fs.existsSync(jupyter)) throw new Error('JupyterLab is not set up: run `bash scripts/setup.sh --tests` (npm test does).');
  let output = '';
  const child: ChildProcess = spawn(
    jupyter,
    ['lab', '--no-browser', '--allow-root', '--ip=127.0.0.1', `--port=${port}`, `--IdentityProvider.token=${TOKEN}`, `--ServerApp.root_dir=${root}`, '--LabApp.news_url=', '--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate'],
    { cwd: root, env: { ...process.env, PATH: `${path.join(ROOT, '.venv/bin')}:${process.env.PATH}`, TRAINBOOK_DIR: '', JUPYTER_CONFIG_DIR: path.join(root, '.jupyter-config'), ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`JupyterLab exited early:\n${output}`);
    try {
      const response = await fetch(`${base}/api/status?token=${TOKEN}`);
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`JupyterLab did not start in 60 s:\n${output}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    root,
    base,
    url: (notebook, options = {}) => `${base}/lab/tree/${notebook}?${options.reset === false ? '' : 'reset&'}token=${TOKEN}`,
    log: () => output,
    stop: async () => {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await new Promise((r) => {
        const timer = setTimeout(() => {
          child.kill('SIGKILL');
          r(null);
        }, 10_000);
        child.on('exit', () => {
          clearTimeout(timer);
          r(null);
        });
      });
    },
  };
}

export interface Browser {
  page: Page;
  context: BrowserContext;
  /** Console errors and page errors seen so far, less the known harmless ones. */
  errors: string[];
  /** Requests that left 127.0.0.1. */
  external: string[];
  close: () => Promise<void>;
  /** A fresh tab with the same error and request listeners. */
  newPage: () => Promise<Page>;
}

export async function openBrowser(): Promise<Browser> {
  const context = await chromium.launchPersistentContext(fs.mkdtempSync(path.join(os.tmpdir(), 'trainbook-chromium-')), {
    executablePath: '/usr/bin/chromium',
    headless: true,
    viewport: { width: 1280, height: 1000 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const errors: string[] = [];
  const external: string[] = [];
  const note = (text: string) => {
    if (!KNOWN_HARMLESS.some((pattern) => pattern.test(text))) errors.push(text);
  };
  const watch = (page: Page): Page => {
    page.on('console', (message) => {
      if (message.type() === 'error') note(`console: ${message.text()}`);
    });
    page.on('pageerror', (error) => note(`pageerror: ${error.message}`));
    page.on('request', (request) => {
      const url = request.url();
      if (!/^(https?:\/\/127\.0\.0\.1[:/]|data:|blob:|about:|file:|ws:\/\/127\.0\.0\.1)/.test(url)) external.push(url);
    });
    return page;
  };
  const page = watch(context.pages()[0] ?? (await context.newPage()));
  return { page, context, errors, external, close: () => context.close(), newPage: async () => watch(await context.newPage()) };
}

/** Opens a notebook and waits until its kernel is idle. */
export async function openNotebook(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.waitForSelector('.jp-Notebook .jp-Cell .cm-content', { state: 'attached', timeout: 60_000 });
  await page.waitForFunction(() => /TypeScript \| Idle/.test(document.body.innerText), undefined, { timeout: 60_000 });
}

/** Runs a JupyterLab command through the command palette, as a user would. */
export async function runCommand(page: Page, label: string): Promise<void> {
  await page.locator('.jp-Notebook').first().click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('Escape');
  await page.keyboard.press('Control+Shift+C');
  const input = page.locator('.lm-CommandPalette-input');
  await input.waitFor({ state: 'visible', timeout: 10_000 });
  await input.fill(label);
  await page.locator('.lm-CommandPalette-item', { hasText: label }).first().click();
}

export async function runAllCells(page: Page): Promise<void> {
  await runCommand(page, 'Run All Cells');
}

export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, name);
  await page.screenshot({ path: file, fullPage: false });
  return file;
}

export interface LabSession {
  readonly lab: Lab;
  readonly browser: Browser;
  /** The folder the lab serves (under .lab-tmp/, removed afterwards). */
  readonly root: string;
}

/**
 * A real JupyterLab on a fresh folder (filled by `prepare`) and a Chromium, started before the
 * test file's tests and stopped after them. Read the fields inside tests (they are set by then).
 * `env` (read when the lab starts, after earlier `beforeAll` hooks) adds to the lab's environment.
 *
 * @example
 * const session = labSession('exp', (root) => fs.writeFileSync(path.join(root, 'a.ipynb'), nb));
 * it('...', async () => { const { lab, browser } = session; ... });
 */
export function labSession(prefix: string, prepare: (root: string) => void, options: { env?: () => Record<string, string> } = {}): LabSession {
  const state: { lab?: Lab; browser?: Browser; root?: string } = {};
  beforeAll(async () => {
    requireBuilt();
    state.root = makeLabRoot(prefix);
    prepare(state.root);
    state.lab = await startLab(state.root, options.env?.() ?? {});
    state.browser = await openBrowser();
  }, 120_000);
  afterAll(async () => {
    await state.browser?.close();
    await state.lab?.stop();
    if (state.root) fs.rmSync(state.root, { recursive: true, force: true });
  }, 60_000);
  const started = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`labSession: the ${what} is not started yet (read it inside a test)`);
    return value;
  };
  return {
    get lab() {
      return started(state.lab, 'lab');
    },
    get browser() {
      return started(state.browser, 'browser');
    },
    get root() {
      return started(state.root, 'lab folder');
    },
  };
}
