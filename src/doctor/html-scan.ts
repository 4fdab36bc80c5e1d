/** A start tag of the page, with its attributes (names in lower case, values decoded). */
export interface Tag {
  readonly name: string;
  readonly attributes: Record<string, string>;
}

/** What the page uses, as far as preloads are concerned. */
export interface PageScan {
  readonly tags: Tag[];
  /** Every URL the page refers to from `href`, `src`, `srcset`, `poster`, `data` and inline `url(…)`, unresolved. */
  readonly references: string[];
  /** The `href` of each `<link rel=stylesheet>`. */
  readonly stylesheets: string[];
}

const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

/** Decodes the character references an attribute value may hold (`&amp;`, `&#x3D;`, `&#61;`). */
export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);?/gi, (match, ref: string) => {
    if (ref[0] === '#') {
      const code = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : match;
    }
    return NAMED[ref.toLowerCase()] ?? match;
  });
}

/**
 * A small, tolerant scan of start tags: enough to find what a page loads, not an HTML
 * parser. Comments are skipped, and so is the text of `<script>` and `<style>` elements
 * (a `<` in a script is not a tag), though `url(…)` in a `<style>` or a `style`
 * attribute counts as a reference.
 */
export function scanHtml(html: string): PageScan {
  const tags: Tag[] = [];
  const references: string[] = [];
  const text = html.replace(/<!--[\s\S]*?(?:-->|$)/g, '');
  const tagPattern = /<([a-zA-Z][a-zA-Z0-9-]*)((?:[^>"']|"[^"]*"|'[^']*')*)>/g;
  let match: RegExpExecArray | null;
  while ((match = tagPattern.exec(text))) {
    const name = match[1].toLowerCase();
    const attributes = parseAttributes(match[2]);
    tags.push({ name, attributes });
    for (const attribute of ['href', 'src', 'poster', 'data']) {
      if (attributes[attribute]) references.push(attributes[attribute]);
    }
    for (const attribute of ['srcset', 'imagesrcset']) {
      if (attributes[attribute]) references.push(...srcsetUrls(attributes[attribute]));
    }
    if (attributes.style) references.push(...cssUrls(attributes.style));
    if (name === 'script' || name === 'style') {
      const end = text.toLowerCase().indexOf(`</${name}`, tagPattern.lastIndex);
      const content = text.slice(tagPattern.lastIndex, end === -1 ? text.length : end);
      if (name === 'style') references.push(...cssUrls(content));
      tagPattern.lastIndex = end === -1 ? text.length : end;
    }
  }
  const stylesheets = tags
    .filter((tag) => tag.name === 'link' && relList(tag).includes('stylesheet') && tag.attributes.href)
    .map((tag) => tag.attributes.href);
  return { tags, references, stylesheets };
}

/** The tokens of a tag's `rel`, in lower case. */
export function relList(tag: Tag): string[] {
  return (tag.attributes.rel ?? '').toLowerCase().split(/\s+/).filter(Boolean);
}

function parseAttributes(source: string): Record<string, string> {
  const attributes: Record<string, string> = {};
  const pattern = /([^\s"'>/=]+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s>]+))?/g;
  let match: RegExpExecArray | null;
  while ((match = pattern.exec(source))) {
    const name = match[1].toLowerCase();
    let value = match[2] ?? '';
    if (value.startsWith('"') || value.startsWith("'")) value = value.slice(1, -1);
    // The first occurrence of an attribute wins, as in HTML.
    if (!(name in attributes)) attributes[name] = decodeEntities(value);
  }
  return attributes;
}

function srcsetUrls(srcset: string): string[] {
  return srcset
    .split(',')
    .map((candidate) => candidate.trim().split(/\s+/)[0])
    .filter(Boolean);
}

/** The URLs of `url(…)` and `@import "…"` in CSS text. */
export function cssUrls(css: string): string[] {
  const urls: string[] = [];
  const pattern = /url\(\s*(?:"([^"]*)"|'([^']*)'|([^)\s]*))\s*\)|@import\s+(?:"([^"]*)"|'([^']*)')/gi;
  let match: RegExpExecArray | null;
  while ((match = pattern.exec(css))) {
    const url = match[1] ?? match[2] ?? match[3] ?? match[4] ?? match[5];
    if (url && !url.startsWith('data:')) urls.push(url);
  }
  return urls;
}
