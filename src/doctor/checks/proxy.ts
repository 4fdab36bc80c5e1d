import type { Finding } from '../diagnosis.js';
import type { Exchange } from '../observation.js';

/**
 * What proxies do to hints: their header limits, and what the `Server` header tells
 * about the one in front (nginx names its version, and its version decides what it does
 * with a `103`).
 */

/**
 * Header limits of common proxies, for the size check. nginx refuses an upstream response
 * whose headers do not fit `proxy_buffer_size` (one memory page, 4 KiB on x86-64) with a
 * 502; Apache's mod_proxy refuses a header line longer than `LimitRequestFieldSize`
 * (8190 bytes); HAProxy needs the headers in `tune.bufsize` less `tune.maxrewrite`.
 */
export const PROXY_HEADER_LIMITS = [
  { proxy: 'nginx', bytes: 4096, setting: 'proxy_buffer_size 4k', applies: 'all response headers' },
  { proxy: 'Apache', bytes: 8190, setting: 'LimitRequestFieldSize 8190', applies: 'one header line' },
  {
    proxy: 'HAProxy',
    bytes: 15360,
    setting: 'tune.bufsize 16384 less tune.maxrewrite 1024',
    applies: 'all response headers',
  },
] as const;

/** nginx, or OpenResty (nginx with Lua, versioned as the nginx it is built on). */
export function isNginx(server: string): boolean {
  return /\b(nginx|openresty)\b/i.test(server);
}

/**
 * `nginx 1.22.1` when the `Server` header names an nginx older than 1.29: before 1.29 nginx
 * takes an upstream `103` for the final response, so a browser gets a failed page load
 * (and WebKit hangs for about 80 s). Undefined for any other server, or an nginx that
 * hides its version (`server_tokens off`).
 */
export function breaksEarlyHints(server: string): string | undefined {
  const match = /\b(nginx|openresty)\/(\d+)\.(\d+)(?:\.(\d+))?/i.exec(server);
  if (!match) return undefined;
  const [name, major, minor, patch] = match.slice(1);
  const old = Number(major) < 1 || (Number(major) === 1 && Number(minor) < 29);
  return old ? `${name.toLowerCase()} ${major}.${minor}${patch ? `.${patch}` : ''}` : undefined;
}

/**
 * The change for flushed headers that arrived with the page. nginx hides `X-Accel-Buffering`
 * from clients, so through nginx the doctor sees it only when something lets it pass: if
 * it did arrive as `no`, nginx did not buffer the body, and what held the headers is its
 * HTTP/1.0 upstream connection (`proxy_http_version 1.0`, its default), over which it keeps
 * a small response head until the page completes. `proxy_http_version 1.1` fixes both cases.
 */
export function bufferedFix(page: Exchange, server: string): { why: string; fix: string } {
  if (!isNginx(server)) {
    return {
      why: 'something between the app and this client holds the response until the page is complete',
      fix: 'your proxy buffers flushed headers: make it stream responses from the app (nginx: `proxy_http_version 1.1;`; Apache: `flushpackets=on` on the ProxyPass; a CDN: disable response buffering for HTML).',
    };
  }
  if ((page.headers['x-accel-buffering'] ?? '').trim().toLowerCase() === 'no') {
    return {
      why: `the app sent X-Accel-Buffering: no, so nginx did not buffer the page; but nginx speaks HTTP/1.0 to the app by default, and over HTTP/1.0 it holds a small response head (these headers are ${page.headerBytes} bytes; about 1.4 KB and more went through in our tests) until the page completes. Not the module's doing`,
      fix: 'your proxy buffers flushed headers: add `proxy_http_version 1.1;` to the location that proxies the app (X-Accel-Buffering: no already stops nginx from buffering the body; the HTTP/1.0 connection is what holds the head).',
    };
  }
  return {
    why: 'nginx holds the response until the page is complete (its defaults: HTTP/1.0 to the app, proxy_buffering on)',
    fix: 'your proxy buffers flushed headers: add `proxy_http_version 1.1;` to the location that proxies the app (nginx speaks HTTP/1.0 to upstreams by default, and holds such a response until it is complete), or `proxy_buffering off;`. Recent versions of nestjs-http2-preload send `X-Accel-Buffering: no` on flushed responses, which turns off the buffering for them (nginx does not pass that header on, so the doctor cannot see whether yours does); `proxy_http_version 1.1;` works either way.',
  };
}

export function headerSizeFindings(exchange: Exchange): Finding[] {
  const linkBytes = Buffer.byteLength(exchange.headers['link'] ?? '');
  const nginx = PROXY_HEADER_LIMITS[0];
  if (exchange.headerBytes > nginx.bytes) {
    return [
      {
        code: 'headers-too-large',
        severity: 'warn',
        message: `The response headers take ${exchange.headerBytes} bytes (Link: ${linkBytes}): above nginx's default ${nginx.setting} (${nginx.bytes} bytes), where nginx answers 502.`,
        fix: `lower the module's maxHeaderBytes (2000 by default) or send fewer headers; behind nginx, raise proxy_buffer_size.`,
      },
    ];
  }
  const fits = PROXY_HEADER_LIMITS.map((l) => `${l.proxy} ${l.bytes}`).join(', ');
  return [
    {
      code: 'headers-size',
      severity: 'info',
      message: `Response headers ${exchange.headerBytes} bytes, Link ${linkBytes} bytes: within common proxy limits (${fits}).`,
    },
  ];
}
