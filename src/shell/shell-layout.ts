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
 * Bytes a shell should reach before the browser acts on it: WebKit parses nothing of a
 * document, nor acts on its flushed `Link` header, until 512 bytes of it have arrived
 * (measured with WebKitGTK 2.50: 511 bytes are held, 512 parsed, `nosniff` or not);
 * Chromium and Firefox parse what they have. A shorter shell is padded with a comment,
 * which changes nothing in the page (and does not make WebKit paint: see `webkitPaintShortfall`).
 */
export const SHELL_MIN_BYTES = 512;

/** The shell as sent: padded with an HTML comment to `SHELL_MIN_BYTES` when shorter. */
export function paddedShell(head: string): string {
  const missing = SHELL_MIN_BYTES - Buffer.byteLength(head);
  if (missing <= 0) return head;
  return `${head}<!--${' '.repeat(Math.max(missing - 7, 0))}-->`;
}

/**
 * What WebKit (Safari) must have rendered before it paints a page that is still loading
 * (WebCore's LocalFrameView, "visually non-empty"): more than 200 visible (non-space)
 * characters of text whose font is not still loading, or replaced content of more than
 * 32 × 32 px. Before that it paints nothing, whatever the byte count; Chromium and Firefox
 * paint what they have.
 */
export const WEBKIT_PAINT_CHARACTERS = 200;
export const WEBKIT_PAINT_PIXELS = 32 * 32;

/** Elements whose text is not rendered as the page's text. */
const UNRENDERED_TEXT = /<(script|style|title|template|noscript|textarea)\b[^>]*>[\s\S]*?<\/\1\s*>/gi;
/** An inline `<svg>` start tag: WebKit counts its area when its width and height are fixed. */
const SVG_TAG = /<svg\b[^>]*>/gi;
/** Its `width` and `height` in pixels (a number, or one with `px`); a percentage or none is not fixed. */
const SVG_WIDTH = /\swidth\s*=\s*["']?\s*(\d+(?:\.\d+)?)(?:px)?\s*(?:["'\s/>]|$)/i;
const SVG_HEIGHT = /\sheight\s*=\s*["']?\s*(\d+(?:\.\d+)?)(?:px)?\s*(?:["'\s/>]|$)/i;
const pixels = (match: RegExpExecArray | null): number => (match === null ? 0 : Number(match[1]));

/** What of a shell counts for WebKit's first paint, read from its HTML. */
export interface ShellPaintContent {
  /** Non-space characters of text outside tags, comments and elements that render no text (an entity is one). */
  readonly visibleCharacters: number;
  /** The largest area (px²) of an inline `<svg>` with numeric `width` and `height` attributes. */
  readonly largestSvgArea: number;
}

/**
 * Reads a shell's HTML as WebKit counts it for its first paint. An estimate from the
 * markup alone: it cannot see CSS (text hidden or set in a web font that is still
 * loading counts here, not in WebKit).
 */
export function shellPaintContent(head: string): ShellPaintContent {
  const html = head.replace(/<!--[\s\S]*?(?:-->|$)/g, '').replace(UNRENDERED_TEXT, '');
  const text = html.replace(/<[^>]*(?:>|$)/g, '').replace(/&(?:#\d+|#x[0-9a-f]+|[a-z][a-z0-9]*);?/gi, '&');
  const visibleCharacters = [...text.replace(/[ \t\n\f\r]/g, '')].length;
  let largestSvgArea = 0;
  for (const tag of html.match(SVG_TAG) ?? []) {
    largestSvgArea = Math.max(largestSvgArea, pixels(SVG_WIDTH.exec(tag)) * pixels(SVG_HEIGHT.exec(tag)));
  }
  return { visibleCharacters, largestSvgArea };
}

/**
 * Why WebKit (Safari) will not paint this shell before the page's body arrives, or
 * undefined when it may. An `<img>` does not count here: WebKit counts an image once it
 * has loaded, but looks again only at its next layout, which an image with its width and
 * height set does not cause (a shell that relies on its logo painted in about 2 loads of 3).
 */
export function webkitPaintShortfall(head: string): string | undefined {
  const { visibleCharacters, largestSvgArea } = shellPaintContent(head);
  if (visibleCharacters > WEBKIT_PAINT_CHARACTERS || largestSvgArea > WEBKIT_PAINT_PIXELS) return undefined;
  return (
    `has ${visibleCharacters} visible characters of text and no inline <svg> larger than 32×32 px, ` +
    `so Safari (WebKit) will not paint it before the page arrives: it paints a loading page only once it has ` +
    `more than ${WEBKIT_PAINT_CHARACTERS} visible characters (in a font that has loaded) or such an <svg> ` +
    `(an inline logo with its width and height, say); padding does not count`
  );
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
