import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtinPageScript, cspHash, vendorScripts } from '../../../sdk/src/report/assets.js';
import { securePage } from '../../../sdk/src/report/templates.js';
import { openBrowser, type Browser } from '../../helpers/lab.js';
import { requireBuilt, runCli } from '../../helpers/sdk.js';
import { makeStore, runIds } from './fixtures.js';

// A template folder from a stranger: report.hbs with a script before its doctype, no CSP of the
// builder's but a lax one of its own, inline scripts and handlers, a stand-in data block, and a
// report.js of its own.
const TEMPLATE_JS = "window.__templateJs = 1; document.documentElement.setAttribute('data-template-js', 'ran');";
const EARLY = 'window.__early = 1;';
const INLINE = 'window.__inline = 1;';
const HOSTILE_HBS = `<script>${EARLY}</script>
<!doctype html>
<html lang="de" onload="window.__onload = 1">
<head>
<meta http-equiv="Content-Security-Policy" content="script-src 'unsafe-inline' 'unsafe-eval' *">
<title>{{title}}</title>
<script>${INLINE}</script>
</head>
<body onload="window.__bodyload = 1">
<img src="data:," onerror="window.__handler = 1">
<iframe srcdoc="<script>parent.__frame = 1</script>"></iframe>
<script type="application/json" id="report-data">{"runs":[{"id":"fake","label":"fake"}],"charts":[]}</script>
<article id="run=fake">fake</article>
{{#each runs}}<article class="run" id="{{anchor}}" data-run="{{id}}">{{label}}</article>{{/each}}
</body>
</html>
`;
const FLAGS = ['__early', '__inline', '__onload', '__bodyload', '__handler', '__frame', '__templateJs', '__idx'];

let dir: string;
let template: string;
let ids: string[];
let browser: Browser;

beforeAll(async () => {
  requireBuilt();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trainbook-templates-'));
  makeStore(dir, 30);
  ids = runIds(dir);
  template = path.join(dir, 'stranger');
  fs.mkdirSync(template);
  fs.writeFileSync(path.join(template, 'report.hbs'), HOSTILE_HBS);
  fs.writeFileSync(path.join(template, 'report.js'), TEMPLATE_JS);
  fs.writeFileSync(path.join(template, 'index.hbs'), `<script>window.__idx = 1</script><!doctype html><html><head></head><body>{{#each reports}}<a href="{{link}}">{{title}}</a>{{/each}}<script>window.__idx = 2</script></body></html>`);
  browser = await openBrowser();
});
afterAll(async () => {
  await browser?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

/** The builder's CSP meta content, which must open the document's <head>. */
function leadingCsp(html: string): string {
  const match = /^<!doctype html>\n<html lang="[a-z-]+">\n<head>\n<meta http-equiv="Content-Security-Policy" content="([^"]*)">\n<meta charset="utf-8">\n/.exec(html);
  expect(match, html.slice(0, 300)).not.toBeNull();
  return match![1]!.replace(/&#x27;/g, "'").replace(/&#x3D;/g, '=');
}

function scriptHashes(csp: string): string[] {
  return /script-src ([^;]*)/.exec(csp)?.[1]!.split(' ') ?? [];
}

async function flagsIn(file: string, hash = ''): Promise<Record<string, unknown>> {
  const page = await browser.newPage();
  await page.goto(`${pathToFileURL(file).href}${hash}`);
  await page.waitForTimeout(500);
  const state = await page.evaluate((names) => {
    const w = window as unknown as Record<string, unknown>;
    return {
      flags: Object.fromEntries(names.map((name) => [name, w[name] ?? null])),
      ready: document.documentElement.getAttribute('data-report-ready'),
      templateJs: document.documentElement.getAttribute('data-template-js'),
      targetRun: document.documentElement.getAttribute('data-target-run'),
      firstInHead: document.head.firstElementChild?.outerHTML ?? null,
      lang: document.documentElement.lang,
    };
  }, FLAGS);
  await page.close();
  return state;
}

describe('report templates', () => {
  it('keep the builder\'s CSP first in <head>: a template\'s scripts, handlers and report.js do not run', async () => {
    const result = runCli(['report', '-o', 'out.html', '--template', template], dir);
    expect(result.status, `${result.stderr} ${String(result.error)}`).toBe(0);
    const state = await flagsIn(path.join(dir, 'out.html'), '#run=fake');
    expect(state.flags).toEqual(Object.fromEntries(FLAGS.map((name) => [name, null])));
    // Markup before the template's doctype: its <html lang> is not the document's start, so not taken.
    expect(state).toMatchObject({ ready: 'true', templateJs: null, lang: 'en' });
    expect(state.firstInHead).toMatch(/^<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'sha256-/);
    // The built-in script read the builder's data, not the template's stand-in.
    expect(state.targetRun).toBeNull();
    expect((await flagsIn(path.join(dir, 'out.html'), `#run=${ids[0]}`)).targetRun).toBe(ids[0]);

    expect(result.stderr).toMatch(/the template's .*report\.js is not used: the built-in report\.js runs instead\. Pass --allow-template-scripts/);
    const html = fs.readFileSync(path.join(dir, 'out.html'), 'utf8');
    const csp = leadingCsp(html);
    expect(csp).toMatch(/^default-src 'none'; script-src /);
    // Only the builder's own scripts are hashed: vega, vega-embed and the built-in report.js.
    expect(scriptHashes(csp)).toEqual([...vendorScripts().map((script) => script.hash), cspHash(builtinPageScript())]);
    for (const code of [TEMPLATE_JS, EARLY, INLINE]) expect(scriptHashes(csp)).not.toContain(cspHash(code));
    expect(html).not.toContain(TEMPLATE_JS);
    // The builder's data block comes last, after the template's stand-in.
    const blocks = [...html.matchAll(/<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/g)].map((match) => match[1]!);
    expect(blocks).toHaveLength(2);
    expect((JSON.parse(blocks[1]!) as { runs: Array<{ id: string }> }).runs.map((run) => run.id).sort()).toEqual(ids);
  });

  it('run a template\'s own report.js only with --allow-template-scripts, and say so on stderr', async () => {
    const result = runCli(['report', '-o', 'allowed.html', '--template', template, '--allow-template-scripts'], dir);
    expect(result.status, `${result.stderr} ${String(result.error)}`).toBe(0);
    expect(result.stderr).toContain(`trainbook: warning: running the template's own script ${path.join(template, 'report.js')} in the report (--allow-template-scripts)`);
    const csp = leadingCsp(fs.readFileSync(path.join(dir, 'allowed.html'), 'utf8'));
    expect(scriptHashes(csp)).toEqual([...vendorScripts().map((script) => script.hash), cspHash(TEMPLATE_JS)]);
    const state = await flagsIn(path.join(dir, 'allowed.html'));
    expect(state).toMatchObject({ templateJs: 'ran', ready: null });
    // Its inline scripts and handlers still do not run.
    expect(state.flags).toEqual({ ...Object.fromEntries(FLAGS.map((name) => [name, null])), __templateJs: 1 });
  });

  it('keep the index page that publish writes script-free whatever index.hbs holds', async () => {
    const result = runCli(['publish', '--to', 'site', '--template', template], dir);
    expect(result.status, `${result.stderr} ${String(result.error)}`).toBe(0);
    const index = path.join(dir, 'site', 'index.html');
    const state = await flagsIn(index);
    expect(state.flags).toEqual(Object.fromEntries(FLAGS.map((name) => [name, null])));
    const csp = leadingCsp(fs.readFileSync(index, 'utf8'));
    expect(csp).toBe("default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'");
    expect(browser.external).toEqual([]);
  });

  describe('securePage()', () => {
    it('writes the document start and end itself around what a template rendered', () => {
      expect(securePage('<!DOCTYPE html><html lang="fr" class="x"><head><title>t</title></head><body><p>hi</p></body></html>\n', { csp: "default-src 'none'", end: '<script>x</script>\n' })).toBe(
        `<!doctype html>\n<html lang="fr">\n<head>\n<meta http-equiv="Content-Security-Policy" content="default-src &#x27;none&#x27;">\n<meta charset="utf-8">\n<title>t</title></head><body><p>hi</p>\n<script>x</script>\n</body>\n</html>\n`,
      );
      // No doctype, html or head of its own, or something before them: all of it after the CSP.
      expect(securePage('<script>x</script><!doctype html><p>hi</p>', { csp: 'c' })).toBe('<!doctype html>\n<html lang="en">\n<head>\n<meta http-equiv="Content-Security-Policy" content="c">\n<meta charset="utf-8">\n<script>x</script><!doctype html><p>hi</p>\n</body>\n</html>\n');
      expect(securePage('<html lang="en&quot;><script>">', { csp: 'c' })).toMatch(/^<!doctype html>\n<html lang="en">\n/);
    });
  });
});
