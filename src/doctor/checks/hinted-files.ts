import type { AssetReport, Finding } from '../diagnosis.js';
import { freshness, type Freshness } from '../freshness.js';
import { cssUrls } from '../css-scan.js';
import { scanHtml, type Tag } from '../html-scan.js';
import type { ParsedLink } from '../link-parse.js';
import type { PageFacts } from '../observed.js';
import { cachingFindings } from './caching.js';
import { crossoriginFindings } from './crossorigin.js';
import { resolveUrl, shortUrl } from './page-urls.js';

/**
 * Each hinted file, as the probe fetched it: what makes a hint wasted or harmful (it
 * fails, redirects, is missing, is never used by the page, is not fresh-cacheable, or its
 * CORS mode differs from the tag that loads it).
 */
export function hintedFileChecks(
  facts: PageFacts,
  hintsIn103: boolean,
): { assets: AssetReport[]; findings: Finding[] } {
  const { url: pageUrl, observations: obs } = facts;
  const page = scanHtml(facts.page.body);
  const fetched = new Map(obs.assets.map((a) => [a.url, a]));
  // What the page uses: its own references, and what its stylesheets refer to.
  const used = new Set<string>();
  for (const ref of page.references) {
    const url = resolveUrl(ref, pageUrl);
    if (url) used.add(url);
  }
  for (const asset of obs.assets) {
    if (!asset.body) continue;
    for (const ref of cssUrls(asset.body)) {
      const url = resolveUrl(ref, asset.url);
      if (url) used.add(url);
    }
  }
  const tagsByUrl = new Map<string, Tag[]>();
  for (const tag of page.tags) {
    const ref = tag.attributes.href ?? tag.attributes.src;
    const url = ref ? resolveUrl(ref, pageUrl) : undefined;
    if (!url) continue;
    const same = tagsByUrl.get(url);
    if (same) same.push(tag);
    else tagsByUrl.set(url, [tag]);
  }
  const hints = new Map<string, ParsedLink>();
  for (const link of [...facts.earlyLinks, ...facts.finalLinks]) {
    const url = resolveUrl(link.target, pageUrl);
    if (url && !hints.has(url)) hints.set(url, link);
  }

  // Every hinted file that was fetched answers 4xx: not one bad path, but files served
  // somewhere else than where the helper writes them (the module's staticPrefix).
  const hintedStatuses = [...hints.keys()].map((url) => fetched.get(url)?.status).filter((s) => s !== undefined);
  const noneServed = hintedStatuses.length > 1 && hintedStatuses.every((status) => status >= 400 && status < 500);

  const findings: Finding[] = [];
  const reports: AssetReport[] = [];
  const unfresh: { url: string; fresh: Freshness }[] = [];
  for (const [url, link] of hints) {
    const as = link.params.as?.toLowerCase();
    const asset = fetched.get(url);
    const usedByPage = used.has(url);
    const fresh = asset?.status !== undefined && asset.status < 300 ? freshness(asset.headers) : undefined;
    reports.push({
      url,
      as,
      status: asset?.status,
      cacheControl: asset?.headers['cache-control'],
      fresh: fresh?.fresh,
      freshness: fresh?.reason,
      usedByPage,
      failure: asset?.failure,
    });
    const short = shortUrl(url, pageUrl);
    if (asset?.failure) {
      findings.push({
        code: 'hint-unreachable',
        severity: 'warn',
        message: `The hinted ${short} could not be fetched: ${asset.failure.message}.`,
        fix: `fix or remove the hint for ${short}.`,
      });
      continue;
    }
    if (asset?.status !== undefined && asset.status >= 300 && asset.status < 400) {
      const location = asset.headers['location'];
      findings.push({
        code: 'hint-redirects',
        severity: 'warn',
        message: `The hinted ${short} answers ${asset.status}${location ? ` to ${location}` : ''}: the browser preloads a redirect, and fetches the real file only when the page asks for it.`,
        fix: `hint the final URL${location ? ` (${location})` : ''} instead of ${short}.`,
      });
    } else if (asset?.status !== undefined && asset.status >= 400) {
      findings.push({
        code: 'hint-missing',
        severity: 'error',
        message: `The hinted ${short} answers ${asset.status}.`,
        fix: noneServed
          ? `serve the files where the hints point, or point the hints where the files are: the helper writes the module's staticPrefix before every asset path, so set staticPrefix (Http2PreloadModule.forRoot({ staticPrefix })) to the prefix the app serves its files under (useStaticAssets(dir, { prefix })); no hinted file of this page was found.`
          : `fix the path of ${short} in the template, or remove the hint; if the app serves its files under another prefix than the module's staticPrefix, set staticPrefix to it.`,
      });
    } else if (fresh && !fresh.fresh) {
      unfresh.push({ url, fresh });
    }
    if (!usedByPage) {
      findings.push({
        code: 'hint-unused',
        severity: 'warn',
        message: `The page never uses the hinted ${short} (not in its HTML nor in its stylesheets): browsers download it for nothing and warn in the console.`,
        fix: `remove {{preload}} or the @Preload() entry for ${short}, or use the file on the page.`,
      });
    }
    findings.push(...crossoriginFindings(short, link, as, tagsByUrl.get(url) ?? []));
  }
  findings.push(...cachingFindings(unfresh, pageUrl, hintsIn103));
  return { assets: reports, findings };
}
