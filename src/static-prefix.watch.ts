import type { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * Whether the app serves its static files where `staticPrefix` says. When it does not
 * (files served at `/`, as in the NestJS MVC docs, or under another prefix), every URL
 * the helper writes and every hint 404s, the page loses its styles and scripts, and
 * nothing is logged. Nest's own 404s never reach an interceptor and the static
 * middleware is a closure with no readable folder, so the watch sits on the HTTP server:
 * until a file under the prefix is served, each request under it is looked at once it
 * has finished. The first one served ends the watch; a 404 before any was served gets
 * one warning, naming `staticPrefix`, and ends it too. After that it costs nothing.
 */

/** The path to watch: `staticPrefix`'s, with a trailing slash; undefined when another host serves it. */
export function watchedStaticPath(staticPrefix: string): string | undefined {
  if (!staticPrefix.startsWith('/') || staticPrefix.startsWith('//')) return undefined;
  const path = staticPrefix.split(/[?#]/)[0];
  return path.endsWith('/') ? path : `${path}/`;
}

/** What one finished response under the prefix says: served, missing, or nothing yet. */
export function staticAnswer(status: number): 'served' | 'missing' | 'unknown' {
  if ((status >= 200 && status < 300) || status === 304) return 'served';
  return status === 404 ? 'missing' : 'unknown';
}

/** The warning: what 404'd, and the two ways to line the prefix up with the files. */
export function staticPrefixWarning(staticPrefix: string, url: string): string {
  return (
    `GET ${url} answered 404, and no file under staticPrefix '${staticPrefix}' has been served yet: ` +
    `the page's asset URLs and its preload hints point at '${staticPrefix}'. If the app serves its static files ` +
    `elsewhere (useStaticAssets() at '/' or with another prefix), serve them at '${staticPrefix}' ` +
    `(useStaticAssets(dir, { prefix: '${staticPrefix}' }), or { root: dir, prefix: '${staticPrefix}' } on Fastify) ` +
    `or set the module's staticPrefix to where they are. If only this file is missing, fix its path in the template.`
  );
}

/** Starts the watch on the app's HTTP server; returns what stops it (at shutdown). */
export function watchStaticPrefix(
  server: EventEmitter,
  staticPrefix: string,
  warn: (message: string) => void,
): () => void {
  const path = watchedStaticPath(staticPrefix);
  if (path === undefined) return () => {};
  let watching = true;
  const stop = (): void => {
    watching = false;
    server.removeListener('request', onRequest);
  };
  function onRequest(req: IncomingMessage, res: ServerResponse): void {
    const url = req.url;
    if (url === undefined || !url.startsWith(path!) || (req.method !== 'GET' && req.method !== 'HEAD')) return;
    res.once('finish', () => {
      if (!watching) return;
      const answer = staticAnswer(res.statusCode);
      if (answer === 'unknown') return;
      stop();
      if (answer === 'missing') warn(staticPrefixWarning(staticPrefix, url.split('?')[0]));
    });
  }
  // First in line: the app's own listener may answer (and finish) before a later one runs.
  server.prependListener('request', onRequest);
  return stop;
}
