import { navigate, type HttpResult } from './http.js';

/** The refresh URL of a recovery (or forwarding) page, as a browser without scripting follows it. */
export function refreshTarget(body: string): string | undefined {
  const match = /<meta http-equiv="refresh" content="0; url=([^"]*)">/.exec(body);
  return match?.[1]
    .replace(/&amp;/g, '&')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>');
}

/** Whether a body is the page the module ends a flushed response with when the app answered otherwise. */
export function isRecoveryPage(body: string): boolean {
  return body.includes('http2-preload=late') && body.includes('<meta name="robots" content="noindex">');
}

/**
 * Does what a browser does with a recovery page: with scripting, the script sets the
 * retry cookie and reloads the same URL; without, it follows the refresh. Returns the
 * app's answer to the retry.
 */
export async function followRecovery(url: string, page: HttpResult, scripting: boolean): Promise<HttpResult> {
  if (!isRecoveryPage(page.body)) throw new Error(`not a recovery page: ${JSON.stringify(page.body.slice(0, 200))}`);
  if (scripting) return navigate(url, { cookie: 'http2-preload=late' });
  const target = refreshTarget(page.body);
  if (!target) throw new Error('recovery page without a refresh');
  return navigate(new URL(target, url).href);
}
