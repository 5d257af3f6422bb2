/**
 * Escaping for the contexts a report puts run data in. Pure: Node and browsers.
 */

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;', '=': '&#61;' };

/** Text for HTML element content or a quoted attribute value. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"'`=]/g, (c) => HTML_ESCAPES[c]!);
}

/**
 * JSON that can sit inside `<script type="application/json">`: `<`, `>`, `&`, U+2028 and U+2029
 * become `\uXXXX` escapes, so no `</script>` or `<!--` can appear and the text still parses back
 * to the same value with `JSON.parse`.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * Inline JavaScript (our own code or a library's built file) placed in a `<script>` element: the
 * HTML parser must never see `</script` or `<!--` in it. These sequences do not occur in the
 * bundled files today; if one ever does, refuse rather than silently change code whose hash is
 * in the page's Content-Security-Policy.
 */
export function assertInlineScriptSafe(code: string, file: string): string {
  if (/<\/script|<!--|<script/i.test(code)) {
    throw new Error(`${file} contains "</script", "<script" or "<!--" and cannot be inlined into a report as is.`);
  }
  return code;
}
