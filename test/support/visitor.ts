import { request as httpRequest } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { BROWSER_NAVIGATION_HEADERS, request, stagedRequest, type HttpResult, type StagedRequest } from './http.js';
import { isRecoveryPage, refreshTarget } from './recovery.js';

/** One response a visitor got on the way to a page, as its debug header told it. */
export interface Hop {
  readonly method: string;
  readonly path: string;
  readonly statusCode: number;
  readonly mode: string | undefined;
  readonly recovery: boolean;
  readonly setCookie: readonly string[];
}

/** A page as the visitor ended on it, with every response on the way (redirects, the page that asks again). */
export interface Visit {
  readonly page: HttpResult;
  readonly hops: readonly Hop[];
  /** The first response was the page itself, early: what the counts call early by flush. */
  readonly early: boolean;
}

const RETRY_COOKIE = 'http2-preload=late';

/**
 * What a browser does, for the tests: a cookie jar, navigation headers, redirects
 * followed, and the module's page that asks again followed as its script does (the
 * retry cookie for one request, the same URL). Forwarding pages are followed like redirects.
 */
export class Visitor {
  readonly jar = new Map<string, string>();

  /** `compressed`: accept gzip, as browsers do, and read the body through it. */
  constructor(
    private readonly baseUrl: string,
    private readonly compressed = false,
  ) {}

  get cookieHeader(): string | undefined {
    if (this.jar.size === 0) return undefined;
    return [...this.jar].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  /** A navigation whose stages the test awaits (a tab held at a gate); its cookies go into the jar with `take()`. */
  staged(path: string): StagedRequest {
    const cookie = this.cookieHeader;
    const headers: Record<string, string> = { ...BROWSER_NAVIGATION_HEADERS };
    if (cookie !== undefined) headers.cookie = cookie;
    return stagedRequest(`${this.baseUrl}${path}`, { headers });
  }

  /** Takes what a response's Set-Cookie headers say into the jar. */
  take(setCookie: readonly string[] | undefined): void {
    if (setCookie !== undefined) this.store(setCookie);
  }

  private store(setCookie: readonly string[]): void {
    for (const line of setCookie) {
      const [pair, ...attributes] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      const expired = attributes.some((attribute) => {
        const [key, val] = attribute.split('=').map((part) => part.trim().toLowerCase());
        return (key === 'max-age' && Number(val) <= 0) || (key === 'expires' && Date.parse(val!) <= Date.now());
      });
      if (expired || value === '') this.jar.delete(name);
      else this.jar.set(name, value);
    }
  }

  private async send(method: string, path: string, body?: string, retry = false): Promise<HttpResult> {
    const cookie = [this.cookieHeader, retry ? RETRY_COOKIE : undefined].filter(Boolean).join('; ');
    const headers: Record<string, string> = { ...BROWSER_NAVIGATION_HEADERS };
    if (cookie !== '') headers.cookie = cookie;
    if (body !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
    if (!this.compressed) return request(`${this.baseUrl}${path}`, { method, headers, body });
    headers['accept-encoding'] = 'gzip';
    return new Promise((resolve, reject) => {
      const req = httpRequest(`${this.baseUrl}${path}`, { method, headers, agent: false }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const raw = Buffer.concat(chunks);
          const gzipped = res.headers['content-encoding'] === 'gzip';
          resolve({
            statusCode: res.statusCode ?? 0,
            headers: res.headers,
            body: (gzipped ? gunzipSync(raw) : raw).toString('utf8'),
            informational: [],
          });
        });
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  /** Navigates to a page (GET), or submits a form (POST), and follows it to the page the browser ends on. */
  async visit(path: string, form?: Record<string, string>): Promise<Visit> {
    const hops: Hop[] = [];
    let method = form === undefined ? 'GET' : 'POST';
    let body = form === undefined ? undefined : new URLSearchParams(form).toString();
    let retry = false;
    for (let step = 0; step < 8; step += 1) {
      const response = await this.send(method, path, body, retry);
      const setCookie = (response.headers['set-cookie'] ?? []) as string[];
      this.store(setCookie);
      const recovery = isRecoveryPage(response.body);
      const mode = response.headers['x-http2-preload'] as string | undefined;
      hops.push({ method, path, statusCode: response.statusCode, mode, recovery, setCookie });
      retry = false;
      if (recovery) {
        // The page's script: the retry cookie for one request, the same URL.
        retry = true;
        continue;
      }
      const location = response.headers.location;
      const forward = response.statusCode === 200 && mode === 'early' ? refreshTarget(response.body) : undefined;
      if ((response.statusCode >= 300 && response.statusCode < 400 && location) || forward) {
        path = new URL(location ?? forward!, `${this.baseUrl}${path}`).pathname;
        method = 'GET';
        body = undefined;
        continue;
      }
      return { page: response, hops, early: hops.length === 1 && mode === 'early' };
    }
    throw new Error(`too many hops from ${path}: ${JSON.stringify(hops)}`);
  }
}
