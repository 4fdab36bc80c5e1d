/**
 * The page's shell: the part of its layout that comes before the page's body, sent with
 * the flushed headers so that the browser paints the page's frame (and starts on its
 * stylesheets and scripts) while the handler still works. Pure functions over the
 * layout's source and its rendered text.
 */

/** Where the page goes in a Handlebars layout: `{{{body}}}`, as hbs, express-handlebars and @fastify/view write it. */
const BODY_SLOT = /\{\{\{\s*body\s*\}\}\}/g;

/**
 * What the module renders in the body's place to split the layout: an HTML comment, so
 * that a layout whose slot sits where no comment may (inside an attribute, say) shows
 * up as a split that fails, not as a page that breaks.
 */
export const SHELL_BODY_MARK = '<!--nestjs-http2-preload:shell-body-->';

/**
 * Why a layout cannot be split at its body, or undefined when it can: it must have
 * exactly one `{{{body}}}`, so that what comes before it is the same on every page.
 */
export function layoutProblem(source: string): string | undefined {
  const slots = source.match(BODY_SLOT)?.length ?? 0;
  if (slots === 1) return undefined;
  return slots === 0
    ? 'has no {{{body}}}, so there is no place to split it at'
    : `has ${slots} {{{body}}} slots; the shell needs exactly one`;
}

/** A layout rendered with the mark as its body, split around it. */
export interface SplitLayout {
  /** Everything before the page's body: the shell. */
  readonly head: string;
  /** Everything after it: what ends the page. */
  readonly tail: string;
}

/** Splits a layout rendered with `SHELL_BODY_MARK` as its body; undefined unless the mark is there exactly once. */
export function splitRenderedLayout(rendered: string): SplitLayout | undefined {
  const at = rendered.indexOf(SHELL_BODY_MARK);
  if (at < 0 || rendered.indexOf(SHELL_BODY_MARK, at + 1) >= 0) return undefined;
  return { head: rendered.slice(0, at), tail: rendered.slice(at + SHELL_BODY_MARK.length) };
}

/**
 * Bytes a shell should reach before the browser acts on it. WebKit holds the first 512
 * bytes of a document before it parses it (content sniffing), and paints a partial
 * document only after about 1 KB; Chromium and Firefox paint what they have. A shorter
 * shell is padded with a comment, which changes nothing in the page.
 */
export const SHELL_MIN_BYTES = 1024;

/** The shell as sent: padded with an HTML comment to `SHELL_MIN_BYTES` when shorter. */
export function paddedShell(head: string): string {
  const missing = SHELL_MIN_BYTES - Buffer.byteLength(head);
  if (missing <= 0) return head;
  return `${head}<!--${' '.repeat(Math.max(missing - 7, 0))}-->`;
}

/** The text of a document's first `<title>` element, or undefined; entities are left as written. */
export function titleOf(html: string): string | undefined {
  const lower = html.toLowerCase();
  const open = lower.indexOf('<title');
  if (open < 0) return undefined;
  const start = lower.indexOf('>', open);
  const end = lower.indexOf('</title', start);
  return start < 0 || end < 0 ? undefined : html.slice(start + 1, end);
}

/** `<` and the line separators escaped: a JSON string that can sit inside a script element. */
function scriptString(value: string): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/**
 * A script that gives the document the title the page's own render has, when the shell
 * went out with another one (the title comes from the handler's data, which the shell
 * could not know). The title is HTML text, so a text area decodes its entities.
 */
export function titleScript(title: string, nonce: string | undefined): string {
  const attribute = nonce === undefined ? '' : ` nonce="${nonce.replace(/[^A-Za-z0-9+/=_-]/g, '')}"`;
  return (
    `<script${attribute}>(function(){var t=document.createElement('textarea');` +
    `t.innerHTML=${scriptString(title)};document.title=t.value})()</script>`
  );
}

/** What decides whether a flushed response carries the page's shell. */
export interface ShellFacts {
  /** The module's `shell` option: off, or which routes. */
  readonly option: false | 'declared' | 'all';
  /** `@Shell()` on the route: its data, `false` to opt out, undefined when not said. */
  readonly declared: object | false | undefined;
  /** `@Render()` on the route. */
  readonly rendersTemplate: boolean;
}

/** Whether a flushed response of the route carries its shell. */
export function shellWanted(facts: ShellFacts): boolean {
  if (facts.option === false || facts.declared === false) return false;
  return facts.declared !== undefined || (facts.option === 'all' && facts.rendersTemplate);
}
