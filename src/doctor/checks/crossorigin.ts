import type { Finding } from '../diagnosis.js';
import { relList, type Tag } from '../html-scan.js';
import type { ParsedLink } from '../link-parse.js';

/**
 * A preload is reused by the page's request only if their CORS modes match: a font is
 * always fetched in CORS mode, so its preload needs `crossorigin`; a script or stylesheet
 * tag without `crossorigin` needs a preload without it, and the other way round.
 */
export function crossoriginFindings(
  short: string,
  link: ParsedLink,
  as: string | undefined,
  tags: readonly Tag[],
): Finding[] {
  const linkMode = corsMode(link.params.crossorigin);
  if (as === 'font') {
    if (linkMode === 'none') {
      return [
        {
          code: 'font-without-crossorigin',
          severity: 'warn',
          message: `The font preload ${short} has no crossorigin: browsers fetch fonts in CORS mode, so the preload is not reused and the font downloads twice.`,
          fix: `add crossorigin to the font's hint ({{preload '…' as='font' crossorigin='anonymous'}}; the module adds it to fonts it recognises by extension).`,
        },
      ];
    }
    return [];
  }
  // Tags that load the file themselves: not a <link rel=preload> in the HTML, whose own mode is what it is.
  const tag = tags.find(
    (one) => !(one.name === 'link' && relList(one).some((r) => r === 'preload' || r === 'modulepreload')),
  );
  if (!tag) return [];
  // A module script is fetched in CORS mode even without the attribute.
  const tagMode =
    tag.name === 'script' && tag.attributes.type === 'module'
      ? corsMode(tag.attributes.crossorigin ?? '')
      : corsMode(tag.attributes.crossorigin);
  if (tagMode === linkMode) return [];
  const describe = (mode: string) => (mode === 'none' ? 'without crossorigin' : `with crossorigin=${mode}`);
  return [
    {
      code: 'crossorigin-mismatch',
      severity: 'warn',
      message: `The preload of ${short} is ${describe(linkMode)} but its <${tag.name}> is ${describe(tagMode)}: the modes differ, so the browser downloads it twice.`,
      fix: `make the hint of ${short} match its tag: ${tagMode === 'none' ? 'drop crossorigin from the hint' : `crossorigin='${tagMode}' on the hint`}.`,
    },
  ];
}

function corsMode(value: string | undefined): 'none' | 'anonymous' | 'use-credentials' {
  if (value === undefined) return 'none';
  return value.toLowerCase() === 'use-credentials' ? 'use-credentials' : 'anonymous';
}
