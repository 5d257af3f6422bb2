#!/usr/bin/env node
// The house rules of trainbook's import graph, checked in `npm test`:
//   1. no import cycle between files;
//   2. no cycle between folders (a folder is a module's parent directory, e.g. sdk/src/run);
//   3. layers: core/ imports only core/ (no node:*, no JupyterLab, no other folder); the SDK
//      never imports the extension or JupyterLab; nothing reaches into another layer's sources
//      by a relative path (the core is reached through its package entry, `trainbook/core`; the
//      hub, which only the SDK may use, through `trainbook/hub`).
// Usage: node scripts/check-imports.mjs [--json] [--root <dir>]   (exit 0 clean, 1 findings)
import * as fs from 'node:fs';
import * as path from 'node:path';

const rootArgument = process.argv.indexOf('--root');
// `--root <dir>` checks another tree (the check's own tests use it).
const root = rootArgument > 0 ? path.resolve(process.argv[rootArgument + 1]) : path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const LAYERS = ['core/src', 'sdk/src', 'hub/src', 'extension/src'];
/** What each layer may import, besides itself and its declared packages. */
const ALLOWED_LAYER_IMPORTS = {
  'core/src': [],
  'sdk/src': ['core/src', 'hub/src'],
  'hub/src': ['core/src'],
  'extension/src': ['core/src'],
};
/** Bare imports a layer may never make. */
const FORBIDDEN_PACKAGES = {
  'core/src': [/^node:/, /^@jupyterlab\//, /^@lumino\//, /^pg/],
  'sdk/src': [/^@jupyterlab\//, /^@lumino\//],
  'hub/src': [/^@jupyterlab\//, /^@lumino\//],
  'extension/src': [/^node:/, /^pg/],
};
const NODE_BUILTINS = new Set(['fs', 'path', 'os', 'child_process', 'crypto', 'zlib', 'http', 'https', 'net', 'url', 'util', 'stream', 'events', 'worker_threads', 'readline', 'tty', 'module', 'assert', 'buffer', 'process', 'perf_hooks', 'v8', 'vm', 'timers']);

const IMPORT = /(?:^|[\s;])(?:import|export)\s+(?:type\s+)?(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

function sourceFiles(dir) {
  const out = [];
  const walk = (d) => {
    let entries;
    try {
      entries = fs.readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const full = path.join(d, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'node_modules' && entry.name !== 'dist' && entry.name !== 'lib') walk(full);
      } else if (/\.(ts|tsx|mts)$/.test(entry.name) && !entry.name.endsWith('.d.ts')) out.push(full);
    }
  };
  walk(dir);
  return out;
}

function stripComments(text) {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');
}

function resolveRelative(fromFile, specifier) {
  const base = path.resolve(path.dirname(fromFile), specifier);
  const candidates = [base.replace(/\.js$/, '.ts'), base.replace(/\.js$/, '.tsx'), `${base}.ts`, path.join(base, 'index.ts'), base];
  return candidates.find((c) => fs.existsSync(c) && fs.statSync(c).isFile()) ?? null;
}

const layerOf = (file) => LAYERS.find((layer) => file.startsWith(path.join(root, layer) + path.sep)) ?? null;
const rel = (file) => path.relative(root, file);

export function buildGraph() {
  const files = LAYERS.flatMap((layer) => sourceFiles(path.join(root, layer)));
  const graph = new Map();
  const problems = [];
  for (const file of files) {
    const text = stripComments(fs.readFileSync(file, 'utf8'));
    const deps = new Set();
    const layer = layerOf(file);
    for (const match of text.matchAll(IMPORT)) {
      const specifier = match[1] ?? match[2];
      if (specifier.startsWith('.')) {
        const target = resolveRelative(file, specifier);
        if (!target) continue;
        const targetLayer = layerOf(target);
        if (targetLayer !== layer) problems.push(`${rel(file)} reaches into ${targetLayer ?? rel(target)} by a relative path ('${specifier}'); import the package entry instead`);
        deps.add(target);
      } else {
        const bare = specifier.split('/')[0];
        const isNode = specifier.startsWith('node:') || NODE_BUILTINS.has(bare);
        const forbidden = FORBIDDEN_PACKAGES[layer] ?? [];
        if (forbidden.some((re) => re.test(isNode && !specifier.startsWith('node:') ? `node:${specifier}` : specifier))) {
          problems.push(`${rel(file)} imports '${specifier}', which ${layer} may not use`);
        }
        if (specifier === 'trainbook/core') {
          if (!ALLOWED_LAYER_IMPORTS[layer]?.includes('core/src')) problems.push(`${rel(file)} imports 'trainbook/core' but ${layer} may not (the core uses relative imports)`);
        } else if (specifier === 'trainbook/hub') {
          if (!ALLOWED_LAYER_IMPORTS[layer]?.includes('hub/src')) problems.push(`${rel(file)} imports 'trainbook/hub' but only the SDK may (the hub uses relative imports)`);
        } else if (specifier === 'trainbook' || specifier.startsWith('trainbook/')) {
          problems.push(`${rel(file)} imports '${specifier}': a layer reaches the core as 'trainbook/core', the SDK the hub as 'trainbook/hub', and nothing else of the package`);
        }
      }
    }
    graph.set(file, deps);
  }
  return { graph, problems };
}

/** Strongly connected components with more than one member (or a self-loop): the cycles. */
export function cycles(graph) {
  let index = 0;
  const stack = [];
  const onStack = new Set();
  const indices = new Map();
  const low = new Map();
  const found = [];
  const strong = (node) => {
    indices.set(node, index);
    low.set(node, index);
    index++;
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!graph.has(next)) continue;
      if (!indices.has(next)) {
        strong(next);
        low.set(node, Math.min(low.get(node), low.get(next)));
      } else if (onStack.has(next)) low.set(node, Math.min(low.get(node), indices.get(next)));
    }
    if (low.get(node) === indices.get(node)) {
      const component = [];
      let member;
      do {
        member = stack.pop();
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1 || (graph.get(node) ?? new Set()).has(node)) found.push(component.sort());
    }
  };
  for (const node of graph.keys()) if (!indices.has(node)) strong(node);
  return found;
}

/**
 * A file's module for the folder rule: the first folder below its layer (`sdk/src/cli/commands/ls.ts`
 * belongs to `sdk/src/cli`). Files at a layer's top form one module of their own, and the layer's
 * entry (`<layer>/index.ts`) stands apart, since it re-exports every folder.
 */
function folderOf(file) {
  const layer = layerOf(file);
  if (!layer) return path.dirname(file);
  const inside = path.relative(path.join(root, layer), file).split(path.sep);
  if (inside.length === 1) return path.join(root, layer, inside[0] === 'index.ts' ? '#entry' : '#top');
  return path.join(root, layer, inside[0]);
}

function folderGraph(graph) {
  const folders = new Map();
  for (const [file, deps] of graph) {
    const from = folderOf(file);
    if (!folders.has(from)) folders.set(from, new Set());
    for (const dep of deps) {
      const to = folderOf(dep);
      if (to !== from) folders.get(from).add(to);
    }
  }
  return folders;
}

/** The file imports that join the folders of one cycle, so that the message says what to move. */
function edgesWithin(graph, folders) {
  const members = new Set(folders);
  const edges = [];
  for (const [file, deps] of graph) {
    for (const dep of deps) {
      if (folderOf(file) !== folderOf(dep) && members.has(folderOf(file)) && members.has(folderOf(dep))) edges.push(`${rel(file)} → ${rel(dep)}`);
    }
  }
  return edges;
}

function main() {
  const { graph, problems } = buildGraph();
  for (const cycle of cycles(graph)) problems.push(`import cycle between files: ${cycle.map(rel).join(' ↔ ')}`);
  for (const cycle of cycles(folderGraph(graph))) {
    problems.push(`import cycle between folders: ${cycle.map(rel).join(' ↔ ')}\n      ${edgesWithin(graph, cycle).join('\n      ')}`);
  }
  if (process.argv.includes('--json')) {
    process.stdout.write(`${JSON.stringify({ files: graph.size, problems }, null, 2)}\n`);
  } else if (problems.length === 0) {
    process.stdout.write(`imports: ${graph.size} files, no cycles, layers respected\n`);
  } else {
    process.stderr.write(`imports: ${problems.length} problem(s)\n${problems.map((p) => `  - ${p}`).join('\n')}\n`);
  }
  process.exitCode = problems.length === 0 ? 0 : 1;
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) main();
