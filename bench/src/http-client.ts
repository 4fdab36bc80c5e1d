import { request, type Agent, type IncomingHttpHeaders } from 'node:http';
import { performance } from 'node:perf_hooks';

/** One response as a browser would see it unfold, with times from the moment the request was sent. */
export interface TimedResponse {
  readonly statusCode: number;
  readonly headers: IncomingHttpHeaders;
  /** Status codes of the 1xx responses before the final one. */
  readonly informational: readonly number[];
  /** The Link value that was visible first: the 103's, else the final response's. */
  readonly firstLink: string | undefined;
  /** When the first Link was visible, or undefined when none came. */
  readonly linksMs: number | undefined;
  /** Where that first Link came from. */
  readonly linksVia: '103' | 'response headers' | undefined;
  /** When the final response's headers arrived. */
  readonly headersMs: number;
  /** When the final response's body ended. */
  readonly finalMs: number;
  readonly body: string;
}

const linkOf = (headers: IncomingHttpHeaders): string | undefined => {
  const link = headers.link;
  return Array.isArray(link) ? link.join(', ') : link;
};

/**
 * A GET with a raw node:http client, which reports a 103 through its 'information'
 * event, and flushed headers through 'response' as soon as they arrive.
 */
export function timedGet(url: string, headers: Record<string, string>, agent: Agent | false): Promise<TimedResponse> {
  return new Promise((resolve, reject) => {
    const informational: number[] = [];
    let firstLink: string | undefined;
    let linksMs: number | undefined;
    let linksVia: TimedResponse['linksVia'];
    const start = performance.now();
    const req = request(url, { headers, agent }, (res) => {
      const headersMs = performance.now() - start;
      const link = linkOf(res.headers);
      if (linksMs === undefined && link) {
        linksMs = headersMs;
        linksVia = 'response headers';
        firstLink = link;
      }
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () =>
        resolve({
          statusCode: res.statusCode ?? 0,
          headers: res.headers,
          informational,
          firstLink,
          linksMs,
          linksVia,
          headersMs,
          finalMs: performance.now() - start,
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
    });
    req.on('information', (info) => {
      const now = performance.now() - start;
      informational.push(info.statusCode);
      const link = linkOf(info.headers);
      if (linksMs === undefined && link) {
        linksMs = now;
        linksVia = '103';
        firstLink = link;
      }
    });
    req.on('error', reject);
    req.end();
  });
}

/** How many links a Link value holds. */
export function countLinks(link: string | undefined): number {
  return link ? (link.match(/<[^>]*>/g) ?? []).length : 0;
}
