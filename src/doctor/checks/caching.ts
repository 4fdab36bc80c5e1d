import type { Finding } from '../diagnosis.js';
import type { Freshness } from '../freshness.js';
import { shortUrl } from './page-urls.js';

/**
 * Hinted files a browser cannot reuse from its cache without asking again. A file hinted
 * in a 103 helps only when it is fresh: the browser reuses an early-hinted file only from
 * its cache, so the page requests a stale one again. Flushed headers are fetched for the
 * page itself, so there it is only worth a note.
 */
export function cachingFindings(
  unfresh: readonly { url: string; fresh: Freshness }[],
  pageUrl: string,
  hintsIn103: boolean,
): Finding[] {
  if (unfresh.length === 0) return [];
  const prefix = commonFolder(unfresh.map((u) => new URL(u.url).pathname));
  const list = unfresh
    .map(
      (u) => `${shortUrl(u.url, pageUrl)} (${u.fresh.reason}${u.fresh.validators ? '' : ', no ETag or Last-Modified'})`,
    )
    .join(', ');
  if (hintsIn103) {
    return [
      {
        code: 'hints-not-cacheable',
        severity: 'error',
        message: `The files of the 103 are not fresh-cacheable: ${list}. A browser reuses an early-hinted file only from its cache, so it requests each again for the page: the 103 gains nothing.`,
        fix: `serve ${prefix} with max-age (app.useStaticAssets(…, { prefix: '${prefix}', maxAge: '1y', immutable: true }) and versioned URLs), or use flushHeaders, which works with uncacheable files.`,
      },
    ];
  }
  return [
    {
      code: 'hints-not-cacheable',
      severity: 'info',
      message: `Some hinted files are not fresh-cacheable: ${list}. Flushed headers still work with them; a 103 (earlyHints) would gain nothing until ${prefix} is served with max-age.`,
    },
  ];
}

/** The longest folder the paths share, `/static/` say; `/` at least. */
export function commonFolder(paths: string[]): string {
  const folders = paths.map((p) => p.slice(0, p.lastIndexOf('/') + 1).split('/'));
  const common: string[] = [];
  for (let i = 0; folders.every((f) => i < f.length - 1 && f[i] === folders[0][i]); i++) common.push(folders[0][i]);
  return common.length <= 1 ? '/' : common.join('/') + '/';
}
