/**
 * The files a report inlines and where they come from: the templates folder that ships with the
 * package (`report-templates/`, overridable file by file with `--template <dir>`) and the
 * browser builds of vega and vega-embed from node_modules. Reads nothing else. A template folder
 * may replace `report.js`, but build.ts only runs that one with `allowTemplateScripts`.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { assertInlineScriptSafe } from './escape.js';

export const PACKAGE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const DEFAULT_TEMPLATES = path.join(PACKAGE_ROOT, 'report-templates');

/**
 * The built-in page script: `report-templates/report.js` bundled with the core's run lookup at
 * build time (`npm run build:report-page`, esbuild), so links resolve runs as the CLI does.
 */
export const BUILTIN_PAGE_SCRIPT = path.join(PACKAGE_ROOT, 'sdk', 'dist', 'report', 'page.js');

export function builtinPageScript(): string {
  try {
    return fs.readFileSync(BUILTIN_PAGE_SCRIPT, 'utf8');
  } catch {
    throw new Error(`The report's page script is missing (${BUILTIN_PAGE_SCRIPT}); build trainbook first (npm run build).`);
  }
}

export interface InlineScript {
  /** Where the code came from, for messages. */
  file: string;
  code: string;
  /** `'sha256-…'`, for the page's Content-Security-Policy. */
  hash: string;
}

export function cspHash(code: string): string {
  return `'sha256-${createHash('sha256').update(code, 'utf8').digest('base64')}'`;
}

export function inlineScript(file: string, code: string): InlineScript {
  return { file, code: assertInlineScriptSafe(code, file), hash: cspHash(code) };
}

/**
 * vega's and vega-embed's browser (UMD) builds. Their package `exports` hide `build/`, so the
 * folder is found from the entry point `require.resolve` does allow.
 */
function vendorFile(pkg: string, file: string): string {
  const entry = createRequire(import.meta.url).resolve(pkg);
  let dir = path.dirname(entry);
  for (let i = 0; i < 4; i++) {
    const candidate = path.join(dir, 'build', file);
    if (fs.existsSync(candidate)) return candidate;
    if (fs.existsSync(path.join(dir, file))) return path.join(dir, file);
    dir = path.dirname(dir);
  }
  throw new Error(`Cannot find ${pkg}'s ${file} (from ${entry}); reinstall trainbook's dependencies.`);
}

let vendorCache: InlineScript[] | null = null;

/** vega then vega-embed (which expects the `vega` global). vega-lite is not needed: specs are compiled at build time. */
export function vendorScripts(): InlineScript[] {
  vendorCache ??= [vendorFile('vega', 'vega.min.js'), vendorFile('vega-embed', 'vega-embed.min.js')].map((file) => inlineScript(file, fs.readFileSync(file, 'utf8')));
  return vendorCache;
}

export interface TemplateFile {
  /** Path relative to the templates folder, with `/`. */
  name: string;
  /** Absolute path, for error messages. */
  file: string;
  source: string;
  /** True when the file comes from the `--template` folder rather than the shipped templates. */
  fromTemplate: boolean;
}

function listFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string, prefix: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (entry.name.startsWith('.')) continue;
      const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(path.join(dir, entry.name), rel);
      else if (entry.isFile()) out.push(rel);
    }
  };
  walk(root, '');
  return out;
}

/** The template files: the shipped ones, each replaced by a file of the same name in `overrideDir`. */
export function readTemplateFiles(overrideDir?: string | null, defaultDir = DEFAULT_TEMPLATES): Map<string, TemplateFile> {
  const files = new Map<string, TemplateFile>();
  for (const root of overrideDir ? [defaultDir, overrideDir] : [defaultDir]) {
    for (const name of listFiles(root)) {
      if (!/\.(hbs|css|js)$/.test(name)) continue;
      const file = path.join(root, name);
      files.set(name, { name, file, source: fs.readFileSync(file, 'utf8'), fromTemplate: root === overrideDir });
    }
  }
  return files;
}

