/**
 * Handlebars for reports: one isolated environment, our helpers, every template and partial
 * compiled up front so a syntax error is reported before anything is written, and every error
 * named with its file and line. A template folder can come from anyone, so what keeps a page
 * safe is not a template's: securePage() wraps what templates render in the builder's own
 * document start (Content-Security-Policy first) and end (data block and scripts).
 */
import Handlebars from 'handlebars';
import { TrainbookError } from 'trainbook/core';
import type { TemplateFile } from './assets.js';
import { jsonForScript } from './escape.js';

/** A report template that does not parse or fails while rendering. */
export class TemplateError extends TrainbookError {
  readonly file: string;
  readonly line: number | null;
  constructor(file: string, line: number | null, message: string) {
    super('template', `Template ${file}${line !== null ? `:${line}` : ''}: ${message}`);
    this.file = file;
    this.line = line;
  }
}

function lineOf(error: unknown): number | null {
  const e = error as { lineNumber?: unknown; hash?: { line?: unknown }; message?: unknown };
  if (typeof e.lineNumber === 'number') return e.lineNumber;
  if (e.hash && typeof e.hash.line === 'number') return e.hash.line + 1;
  const match = /line (\d+)/.exec(String(e.message ?? ''));
  return match ? Number(match[1]) : null;
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/^Parse error on line \d+:\s*/, 'parse error: ').split('\n').filter(Boolean).slice(0, 3).join(' ');
}

export interface TemplateSet {
  render(name: string, context: unknown): string;
  has(name: string): boolean;
}

type Env = ReturnType<typeof Handlebars.create>;

function registerHelpers(env: Env): void {
  // JSON for <script type="application/json">: the escaping makes it safe to emit unescaped.
  env.registerHelper('json', (value: unknown) => new env.SafeString(jsonForScript(value)));
  env.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  env.registerHelper('gt', (a: unknown, b: unknown) => Number(a) > Number(b));
  env.registerHelper('plural', (count: unknown, one: unknown, many: unknown) => (count === 1 ? one : many));
  env.registerHelper('join', (items: unknown, separator: unknown) => (Array.isArray(items) ? items.join(typeof separator === 'string' ? separator : ', ') : ''));
  // For fragment and path parts of links; handlebars then escapes the result for the attribute.
  env.registerHelper('uri', (value: unknown) => encodeURIComponent(String(value ?? '')));
  // A link to an element id such as `run=<id>`: the part after `=` percent-encoded, the rest kept.
  env.registerHelper('href', (anchor: unknown) => {
    const text = String(anchor ?? '');
    const at = text.indexOf('=');
    return at < 0 ? `#${encodeURIComponent(text)}` : `#${text.slice(0, at + 1)}${encodeURIComponent(text.slice(at + 1))}`;
  });
}

/** Compiles every `.hbs` file; partials are those under `partials/`, by base name. */
export function compileTemplates(files: ReadonlyMap<string, TemplateFile>): TemplateSet {
  const env = Handlebars.create();
  registerHelpers(env);
  const templates = new Map<string, Handlebars.TemplateDelegate>();
  for (const file of files.values()) {
    if (!file.name.endsWith('.hbs')) continue;
    let compiled: Handlebars.TemplateDelegate;
    try {
      const ast = env.parse(file.source);
      compiled = env.compile(ast, { preventIndent: true, knownHelpersOnly: false });
    } catch (error) {
      throw new TemplateError(file.file, lineOf(error), firstLine(error));
    }
    const named = ((context: unknown, options?: Handlebars.RuntimeOptions) => {
      try {
        return compiled(context, options);
      } catch (error) {
        if (error instanceof TemplateError) throw error;
        throw new TemplateError(file.file, lineOf(error), firstLine(error));
      }
    }) as Handlebars.TemplateDelegate;
    const partial = /^partials\/(.+)\.hbs$/.exec(file.name);
    if (partial) env.registerPartial(partial[1]!, named);
    else templates.set(file.name.replace(/\.hbs$/, ''), named);
  }
  return {
    has: (name) => templates.has(name),
    render(name, context) {
      const template = templates.get(name);
      if (!template) throw new TemplateError(`${name}.hbs`, null, 'no such template in the templates folder');
      return template(context);
    },
  };
}

/**
 * What a template may start with and the builder writes itself: doctype, `<html …>` (its `lang` is
 * kept) and `<head …>`. Anything else the template puts first lands after the builder's CSP.
 */
const DOCUMENT_START = /^\s*(?:<!doctype\b[^>]*>\s*)?(?:<html\b([^>]*)>\s*)?(?:<head\b[^>]*>)?/i;
/** What a template may end with and the builder writes itself, after the data block and scripts. */
const DOCUMENT_END = /(?:<\/body\s*>\s*)?(?:<\/html\s*>\s*)?$/i;

/**
 * A whole page from what a template rendered: the builder's `<!doctype html><html><head>` with its
 * Content-Security-Policy meta first and `<meta charset="utf-8">` next, the template's output, then
 * `end` (the builder's data block and scripts) and `</body></html>`. Whatever the template holds
 * (no CSP meta, a CSP of its own, inline scripts, markup before its doctype) comes after the
 * builder's policy, so it can only add restrictions. Pure.
 *
 * @example
 * securePage('<!doctype html><html lang="fr"><head><title>x</title></head><body>hi</body></html>', { csp: "default-src 'none'" });
 * // '<!doctype html>\n<html lang="fr">\n<head>\n<meta http-equiv="Content-Security-Policy" content="default-src &#x27;none&#x27;">\n<meta charset="utf-8">\n<title>x</title></head><body>hi\n</body>\n</html>\n'
 */
export function securePage(rendered: string, parts: { csp: string; end?: string }): string {
  const start = DOCUMENT_START.exec(rendered)!;
  const lang = /(?:^|\s)lang\s*=\s*["']?([A-Za-z0-9-]{1,35})(?=["'\s]|$)/i.exec(start[1] ?? '')?.[1] ?? 'en';
  const inner = rendered.slice(start[0].length).replace(DOCUMENT_END, '');
  return [
    '<!doctype html>',
    `<html lang="${lang}">`,
    '<head>',
    `<meta http-equiv="Content-Security-Policy" content="${Handlebars.escapeExpression(parts.csp)}">`,
    '<meta charset="utf-8">',
    inner,
    `${parts.end ?? ''}</body>`,
    '</html>',
    '',
  ].join('\n');
}
