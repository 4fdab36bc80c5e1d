/**
 * `npm run webkit-paint`: what WebKitGTK needs before it paints a partial document. A raw
 * `node:http` server sends the start of a page (a head, maybe a stylesheet, an image,
 * N visible characters, padding) and then holds the response open; WebKitGTK (WebDriver,
 * page load strategy `none`) is asked, once the start has been parsed, whether it has
 * painted: a `first-contentful-paint` entry, and whether a `requestAnimationFrame`
 * callback runs (WebKit freezes rendering updates of a new page until the page is
 * "visually non-empty"). Prints one line per case; `WEBKIT_PAINT_RUNS` sets the loads
 * per case (default 2), `WEBKIT_PAINT_CASES` (words of the case names) a part of them.
 */
import { readFileSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { REPO_DIR } from './support/repo.js';
import { launchWebKit, type WebKit } from './support/webkit.js';

interface Case {
  readonly name: string;
  /** Visible (non-space) characters of text in the body. */
  readonly chars: number;
  /** Whether `<body>` is opened (without it and without text, everything stays in the head). */
  readonly body: boolean;
  /** Bytes the partial document reaches (padded with a comment), before the marker. */
  readonly bytes: number;
  readonly css?: 'loaded' | 'held';
  /** A stylesheet whose @font-face font is held (the text uses it, `font-display: swap`). */
  readonly font?: 'held';
  /** An `<img>` of this size (px), served at once. */
  readonly image?: number;
  /** An inline `<svg>` with this width and height (px). */
  readonly svg?: number;
  readonly nosniff?: boolean;
}

/** Sent after a case's partial document: once the page has it, the partial document has been parsed. */
const MARKER = '<meta name="probe-marker">';

const CASES: Case[] = [
  { name: 'head only, 400 B', chars: 0, body: false, bytes: 400 },
  { name: 'head only, 600 B', chars: 0, body: false, bytes: 600 },
  { name: 'head only, 4000 B', chars: 0, body: false, bytes: 4000 },
  { name: 'empty body, 600 B', chars: 0, body: true, bytes: 600 },
  { name: 'empty body, 4000 B', chars: 0, body: true, bytes: 4000 },
  { name: '4 chars, 1100 B', chars: 4, body: true, bytes: 1100 },
  { name: '100 chars, 600 B', chars: 100, body: true, bytes: 600 },
  { name: '200 chars, 600 B', chars: 200, body: true, bytes: 600 },
  { name: '201 chars, 600 B', chars: 201, body: true, bytes: 600 },
  { name: '201 chars, 511 B', chars: 201, body: true, bytes: 511 - MARKER.length },
  { name: '201 chars, 512 B', chars: 201, body: true, bytes: 512 - MARKER.length },
  { name: '201 chars, 300 B', chars: 201, body: true, bytes: 300 },
  { name: '201 chars, 300 B, nosniff', chars: 201, body: true, bytes: 300, nosniff: true },
  { name: '201 chars, 600 B, css loaded', chars: 201, body: true, bytes: 600, css: 'loaded' },
  { name: '201 chars, 600 B, css held', chars: 201, body: true, bytes: 600, css: 'held' },
  { name: '201 chars, 600 B, font held', chars: 201, body: true, bytes: 600, css: 'loaded', font: 'held' },
  { name: 'image 31x31, 600 B', chars: 0, body: true, bytes: 600, image: 31 },
  { name: 'image 33x33, 600 B', chars: 0, body: true, bytes: 600, image: 33 },
  { name: 'inline svg 31x31, 600 B', chars: 0, body: true, bytes: 600, svg: 31 },
  { name: 'inline svg 33x33, 600 B', chars: 0, body: true, bytes: 600, svg: 33 },
  {
    name: '4 chars + inline svg 48x48, 1100 B, font held',
    chars: 4,
    body: true,
    bytes: 1100,
    css: 'loaded',
    font: 'held',
    svg: 48,
  },
  { name: '4 chars + image 48x48, 1100 B, css loaded', chars: 4, body: true, bytes: 1100, css: 'loaded', image: 48 },
  {
    name: '4 chars + image 48x48, 1100 B, font held',
    chars: 4,
    body: true,
    bytes: 1100,
    css: 'loaded',
    font: 'held',
    image: 48,
  },
];

const RUNS = Number(process.env.WEBKIT_PAINT_RUNS ?? 2);
/** Questions to the page (each about 0.2 s) before a case counts as not painted. */
const TRIES = Number(process.env.WEBKIT_PAINT_TRIES ?? 15);
const ONLY = (process.env.WEBKIT_PAINT_CASES ?? '').split(',').filter(Boolean);
const FONT = readFileSync(join(REPO_DIR, 'sample', 'public', 'fonts', 'inter-latin-400-normal.woff2'));

/** The partial document of a case: everything before the marker, `bytes` long when it fits. */
function partialDocument(c: Case, run: string): string {
  const stylesheet =
    c.css === undefined
      ? ''
      : `<link rel="stylesheet" href="/style.css?hold=${c.css === 'held'}&font=${c.font ?? ''}&r=${run}">`;
  const head = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>probe</title>${stylesheet}</head>`;
  const image =
    c.image === undefined
      ? ''
      : `<img src="/img.svg?s=${c.image}&r=${run}" width="${c.image}" height="${c.image}" alt="">`;
  // Words of five letters and a space: the space is not a visible character.
  const words = 'abcde '.repeat(Math.ceil(c.chars / 5)).replace(/\s/g, '');
  const text = c.chars === 0 ? '' : `<p>${(words.slice(0, c.chars).match(/.{1,5}/g) ?? []).join(' ')}</p>`;
  const svg =
    c.svg === undefined
      ? ''
      : `<svg width="${c.svg}" height="${c.svg}" viewBox="0 0 ${c.svg} ${c.svg}"><rect width="${c.svg}" height="${c.svg}" fill="#1d2433"/></svg>`;
  const start = `${head}${c.body ? '<body>' : ''}${image}${svg}${text}`;
  const missing = c.bytes - Buffer.byteLength(start) - 7;
  return missing > 0 ? `${start}<!--${' '.repeat(missing)}-->` : start;
}

interface Probe {
  arrived: boolean;
  painted: boolean;
  frame: boolean;
  styled: boolean;
}

const held: ServerResponse[] = [];
function hold(response: ServerResponse): void {
  held.push(response);
}
function releaseAll(): void {
  for (const response of held.splice(0)) response.end();
}

let current: Case = CASES[0];
const server = createServer((request, response) => {
  const url = new URL(request.url ?? '/', 'http://127.0.0.1');
  if (url.pathname === '/page') {
    response.writeHead(200, {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      ...(current.nosniff ? { 'x-content-type-options': 'nosniff' } : {}),
    });
    response.write(partialDocument(current, url.searchParams.get('r') ?? ''));
    response.write(MARKER);
    hold(response);
    response.on('close', () => undefined);
    return;
  }
  if (url.pathname === '/style.css') {
    const font = url.searchParams.get('font') === 'held';
    const css = `${font ? `@font-face{font-family:Probe;font-display:swap;src:url(/font.woff2?r=${url.searchParams.get('r')}) format('woff2')}` : ''}html{color:rgb(1,2,3)}body{font-family:${font ? 'Probe,' : ''}serif}`;
    response.writeHead(200, { 'content-type': 'text/css', 'cache-control': 'no-store' });
    if (url.searchParams.get('hold') === 'true') {
      hold(response);
      return;
    }
    response.end(css);
    return;
  }
  if (url.pathname === '/font.woff2') {
    response.writeHead(200, { 'content-type': 'font/woff2', 'cache-control': 'no-store' });
    response.write(FONT.subarray(0, 100));
    hold(response);
    return;
  }
  if (url.pathname === '/img.svg') {
    const size = Number(url.searchParams.get('s'));
    response.writeHead(200, { 'content-type': 'image/svg+xml', 'cache-control': 'no-store' });
    response.end(
      `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}"><rect width="${size}" height="${size}" fill="#d8442f"/></svg>`,
    );
    return;
  }
  response.writeHead(404).end();
});

async function probe(webkit: WebKit, origin: string, c: Case, run: number): Promise<Probe> {
  current = c;
  const session = await webkit.session({ pageLoadStrategy: 'none' });
  const result: Probe = { arrived: false, painted: false, frame: false, styled: false };
  try {
    await session.navigate(`${origin}/page?r=${run}-${Date.now()}`);
    for (let i = 0; i < 40 && !result.arrived; i++) {
      result.arrived = await session
        .run(() => document.querySelector('meta[name="probe-marker"]') !== null)
        .catch(() => false);
      if (!result.arrived) await sleep(100);
    }
    if (!result.arrived) return result;
    // A bound on waiting (about 3 s unless WEBKIT_PAINT_TRIES says), not a measure: does it paint at all while the rest is held?
    for (let i = 0; i < TRIES && !(result.painted && result.frame); i++) {
      const seen = await session.run(async () => {
        const frame = await new Promise<boolean>((resolve) => {
          requestAnimationFrame(() => resolve(true));
          setTimeout(() => resolve(false), 200);
        });
        return {
          frame,
          painted: performance.getEntriesByType('paint').some((entry) => entry.name === 'first-contentful-paint'),
          styled: getComputedStyle(document.documentElement).color === 'rgb(1, 2, 3)',
        };
      });
      result.frame ||= seen.frame;
      result.painted ||= seen.painted;
      result.styled = seen.styled;
    }
    return result;
  } finally {
    releaseAll();
    await session.close().catch(() => undefined);
  }
}

let webkit: WebKit | undefined;
try {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  webkit = await launchWebKit();
  console.log(`WebKitGTK ${webkit.version}; ${RUNS} loads per case; arrived / first-contentful-paint / a frame ran`);
  for (const c of CASES) {
    if (ONLY.length > 0 && !ONLY.some((word) => c.name.includes(word))) continue;
    const results: Probe[] = [];
    for (let run = 0; run < RUNS; run++) results.push(await probe(webkit, origin, c, run));
    const count = (key: keyof Probe) => `${results.filter((r) => r[key]).length}/${results.length}`;
    console.log(
      `${c.name.padEnd(46)} arrived ${count('arrived')}  fcp ${count('painted')}  raf ${count('frame')}  styled ${count('styled')}`,
    );
  }
} finally {
  releaseAll();
  await webkit?.close();
  server.closeAllConnections();
  server.close();
}
