import { countLinks, timedGet } from './http-client.js';
import { HTML_ROUTE, JSON_ROUTE } from './routes.js';
import type { ServerProcess } from './server-process.js';
import type { VariantName } from './variants.js';

/** What a variant answers, checked before measuring it: the figures mean little if it does not do its job. */
export interface VariantCheck {
  readonly variant: VariantName;
  /** Second page request (the first one warms the module's cache). */
  readonly pageStatus: number;
  readonly pageMode: string | undefined;
  readonly pageLinks: number;
  readonly page103s: number;
  readonly pageBodyBytes: number;
  readonly jsonStatus: number;
  readonly jsonLinks: number;
  /** Set when a request failed outright. */
  readonly error?: string;
}

export async function checkVariant(server: ServerProcess): Promise<VariantCheck> {
  try {
    const page = `${server.baseUrl}${HTML_ROUTE.path}`;
    await timedGet(page, { ...HTML_ROUTE.headers }, false);
    const second = await timedGet(page, { ...HTML_ROUTE.headers }, false);
    const json = await timedGet(`${server.baseUrl}${JSON_ROUTE.path}`, { ...JSON_ROUTE.headers }, false);
    const mode = second.headers['x-http2-preload'];
    return {
      variant: server.variant,
      pageStatus: second.statusCode,
      pageMode: typeof mode === 'string' ? mode : undefined,
      pageLinks: countLinks(typeof second.headers.link === 'string' ? second.headers.link : second.firstLink),
      page103s: second.informational.filter((status) => status === 103).length,
      pageBodyBytes: Buffer.byteLength(second.body),
      jsonStatus: json.statusCode,
      jsonLinks: countLinks(typeof json.headers.link === 'string' ? json.headers.link : undefined),
    };
  } catch (error) {
    return {
      variant: server.variant,
      pageStatus: 0,
      pageMode: undefined,
      pageLinks: 0,
      page103s: 0,
      pageBodyBytes: 0,
      jsonStatus: 0,
      jsonLinks: 0,
      error: (error as Error).message,
    };
  }
}
