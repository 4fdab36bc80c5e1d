import { ASSET_VERSION } from '../../sample/src/asset-version.js';
import type { PageLoad } from './page-load.js';

export const CSS = `/static/css/app.css?v=${ASSET_VERSION}`;
export const FONT = '/static/fonts/inter-latin-400-normal.woff2';
export const SCRIPT = `/static/js/app.js?v=${ASSET_VERSION}`;
export const LOGO = `/static/img/logo.svg?v=${ASSET_VERSION}`;
export const ASSETS = [CSS, FONT, SCRIPT, LOGO];

/** A page load, with what the app saw meanwhile. */
export interface Visit extends PageLoad {
  /** What the app saw during this visit: `request /path` and `finish /path`, in order. */
  readonly events: string[];
}

export function resource(load: PageLoad, path: string) {
  const entry = load.resources.find((r) => r.path === path);
  if (!entry) throw new Error(`No Resource Timing entry for ${path}: ${load.resources.map((r) => r.path).join(', ')}`);
  return entry;
}

/** The page rendered as its author meant: in standards mode, stylesheet applied, script ran, font loaded. */
export function expectRendered(load: PageLoad): void {
  expect(load.status).toBe(200);
  expect(load.compatMode).toBe('CSS1Compat');
  expect(load.rendered).toEqual({ stylesheet: true, script: true, font: true });
}

/** Each asset reached the app once: no download twice (a crossorigin mismatch, an unusable early hint). */
export function expectEachAssetOnce(load: Visit): void {
  const requested = load.events.filter((e) => e.startsWith('request ')).map((e) => e.slice('request '.length));
  expect(requested.filter((path, i) => requested.indexOf(path) !== i)).toEqual([]);
  for (const asset of ASSETS) expect(requested).toContain(asset);
}

/** No warning a misused preload or a Content-Security-Policy would print. */
export function expectQuietConsole(load: PageLoad): void {
  const suspicious = load.console.filter((line) =>
    /preload|credentials mode|Content Security Policy|Refused to|^error:|^pageerror:/i.test(line),
  );
  expect(suspicious).toEqual([]);
}

/** The app saw the request for `asset` before it had finished sending the page. */
export function requestedBeforePageFinished(load: Visit, asset: string, page: string): boolean {
  return load.events.indexOf(`request ${asset}`) < load.events.indexOf(`finish ${page}`);
}

/** The app had sent the whole asset before it finished sending the page: the browser had it early. */
export function finishedBeforePage(load: Visit, asset: string, page: string): boolean {
  const done = load.events.indexOf(`finish ${asset}`);
  return done !== -1 && done < load.events.indexOf(`finish ${page}`);
}
