/** The requests every section sends. */
import { BROWSER_NAVIGATION_HEADERS } from '../../test/support/http.js';

/** What a browser sends with a page navigation (early hints are only for navigations), shared with the tests. */
export const NAVIGATION_HEADERS = BROWSER_NAVIGATION_HEADERS;

export interface BenchRoute {
  readonly name: 'html' | 'json';
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
}

export const HTML_ROUTE: BenchRoute = { name: 'html', path: '/page', headers: NAVIGATION_HEADERS };
export const JSON_ROUTE: BenchRoute = { name: 'json', path: '/api/status', headers: { accept: 'application/json' } };

export const SLOW_PATH = '/slow';

/** Under `cacheKey: 'path'`, each id is a key of its own. */
export const manyPathsPath = (id: number): string => `/m/${id}`;
