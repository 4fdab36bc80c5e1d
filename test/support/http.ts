import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';

export interface InformationalResponse {
  readonly statusCode: number;
  readonly headers: IncomingHttpHeaders;
}

export interface HttpResult {
  readonly statusCode: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  /** 1xx responses seen before the final one (a raw node:http client reports them; supertest does not). */
  readonly informational: InformationalResponse[];
}

export interface RequestOptions {
  readonly method?: string;
  readonly headers?: Record<string, string>;
}

/** A plain node:http request to a loopback URL, collecting the whole response. */
export function request(url: string, options: RequestOptions = {}): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const informational: InformationalResponse[] = [];
    const req = httpRequest(url, { method: options.method ?? 'GET', headers: options.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () =>
        resolve({
          statusCode: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          informational,
        }),
      );
    });
    req.on('information', (info) => informational.push({ statusCode: info.statusCode, headers: info.headers }));
    req.on('error', reject);
    req.end();
  });
}

/** A page request as a browser sends it. */
export function navigate(url: string, headers: Record<string, string> = {}): Promise<HttpResult> {
  return request(url, { headers: { accept: 'text/html,application/xhtml+xml;q=0.9,*/*;q=0.8', ...headers } });
}

/** The URLs of a Link header value, in order. */
export function linkUrls(link: string | string[] | undefined): string[] {
  const value = Array.isArray(link) ? link.join(', ') : (link ?? '');
  return [...value.matchAll(/<([^>]*)>/g)].map((match) => match[1]);
}
