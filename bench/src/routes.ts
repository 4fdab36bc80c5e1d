/** The requests every section sends. */

/** What a browser sends with a page navigation: early hints are only for navigations. */
export const NAVIGATION_HEADERS = {
  accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
  'sec-fetch-mode': 'navigate',
} as const;

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
