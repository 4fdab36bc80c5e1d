import { DEFAULT_DEBUG_HEADER } from '../http2-preload-options.defaults.js';
import type { RequestReport } from './diagnosis.js';
import { preloadLinks, type ParsedLink } from './link-parse.js';
import type { Exchange, Observations } from './observation.js';

/** How the doctor reads what it saw. */
export interface DiagnoseOptions {
  /** The app's debug header, when its `debugHeader` option renamed it. */
  readonly debugHeader?: string;
}

/** Whether the body began with the module's flushed newline, and whether that came on its own. */
export type FlushedNewline = 'alone' | 'with-content' | 'no';

/** What the page's response showed, read once for every check. */
export interface PageFacts {
  /** The page, as given (absolute). */
  readonly url: string;
  readonly observations: Observations;
  /** The request the verdict is about: the page again, over HTTP/2 when TLS offers it. */
  readonly page: Exchange;
  /** The debug header's name, and its value on the page. */
  readonly debugHeader: string;
  readonly mode?: string;
  readonly had103: boolean;
  /** The preloads of the page's 103s, and of its final `Link` header. */
  readonly earlyLinks: ParsedLink[];
  readonly finalLinks: ParsedLink[];
  readonly flushed: FlushedNewline;
  /** The `Server` header: the proxy in front, when it names itself. */
  readonly server: string;
}

export function debugHeaderOf(options: DiagnoseOptions): string {
  return (options.debugHeader ?? DEFAULT_DEBUG_HEADER).toLowerCase();
}

export function pageFacts(obs: Observations, page: Exchange, debugHeader: string): PageFacts {
  return {
    url: obs.url,
    observations: obs,
    page,
    debugHeader,
    mode: page.headers[debugHeader],
    had103: page.interim.some((i) => i.status === 103),
    earlyLinks: earlyLinksOf(page),
    finalLinks: preloadLinks(page.headers['link']),
    flushed: startsWithFlushedNewline(page),
    server: serverOf(obs),
  };
}

/** The `Server` header of any request of the page (a page that broke off has none of its own). */
export function serverOf(obs: Observations): string {
  for (const exchange of [obs.h2, obs.http1, obs.warm]) {
    const server = exchange?.headers['server'];
    if (server) return server;
  }
  return '';
}

/** The preloads of every 103 of an exchange. */
export function earlyLinksOf(exchange: Exchange): ParsedLink[] {
  return exchange.interim.filter((i) => i.status === 103).flatMap((i) => preloadLinks(i.link));
}

/**
 * Whether the body began with the module's flushed whitespace (a newline before; 512 bytes
 * of spaces and a newline now, for WebKit), and whether it came on its own.
 */
export function startsWithFlushedNewline(exchange: Exchange): FlushedNewline {
  const first = exchange.body.charCodeAt(0);
  if (first !== 0x0a && first !== 0x0d && first !== 0x20 && first !== 0x09) return 'no';
  if (exchange.firstChunkBlank && exchange.contentAtMs !== undefined && exchange.headersAtMs !== undefined)
    return 'alone';
  return 'with-content';
}

/** One request as the report shows it: what arrived when, and how long before the content the hints came. */
export function reportRequest(role: RequestReport['role'], exchange: Exchange, debugHeader: string): RequestReport {
  const interim = exchange.interim.map((i) => ({
    status: i.status,
    atMs: round(i.atMs),
    links: preloadLinks(i.link).map((l) => l.target),
  }));
  const links = preloadLinks(exchange.headers['link']).map((l) => l.target);
  const hintTimes = [
    ...interim.filter((i) => i.status === 103 && i.links.length > 0).map((i) => i.atMs),
    ...(links.length > 0 && exchange.headersAtMs !== undefined ? [exchange.headersAtMs] : []),
  ];
  const hintsAtMs = hintTimes.length > 0 ? round(Math.min(...hintTimes)) : undefined;
  const from = hintsAtMs ?? exchange.headersAtMs;
  return {
    role,
    protocol: exchange.protocol,
    status: exchange.status,
    mode: exchange.headers[debugHeader],
    interim,
    headersAtMs: round(exchange.headersAtMs),
    links,
    hintsAtMs,
    contentAtMs: round(exchange.contentAtMs),
    endAtMs: round(exchange.endAtMs),
    headStartMs:
      from !== undefined && exchange.contentAtMs !== undefined ? round(exchange.contentAtMs - from) : undefined,
    flushedNewline: startsWithFlushedNewline(exchange) === 'alone',
    linkBytes: Buffer.byteLength(exchange.headers['link'] ?? ''),
    headerBytes: exchange.headerBytes,
    failure: exchange.failure,
  };
}

function round<T extends number | undefined>(ms: T): T {
  return (ms === undefined ? undefined : Math.round(ms * 10) / 10) as T;
}
