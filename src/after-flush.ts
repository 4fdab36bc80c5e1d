import { isHtmlContentType, isSuccess } from './preload-mode.js';

/** A header value as Node's `OutgoingMessage` holds it. */
export type HeaderValue = number | string | readonly string[];

function firstValue(value: HeaderValue | undefined): string | undefined {
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value[0] : String(value);
}

/**
 * Headers a page may set after its headers were flushed without anything being lost:
 * Express sets them on every `res.send()`, and the flushed response already says the
 * same (a chunked HTML body) or does not need them.
 */
function isHarmlessToDrop(name: string, value: HeaderValue | undefined): boolean {
  switch (name) {
    case 'content-length':
    case 'etag':
      return true;
    case 'content-type':
      // The flushed header promised UTF-8 HTML; another charset would be decoded wrongly.
      return isHtmlContentType(value) && /^[^;]*(;\s*charset="?utf-8"?\s*)?$/i.test(firstValue(value) ?? '');
    default:
      return false;
  }
}

/** The headers, by lower-case name, that a page set too late to be sent. */
export function droppedHeaderNames(lateHeaders: ReadonlyMap<string, HeaderValue>): string[] {
  return [...lateHeaders].filter(([name, value]) => !isHarmlessToDrop(name, value)).map(([name]) => name);
}

/**
 * The headers a handler (or its template) set or changed while it ran, from snapshots
 * taken before it ran and when the headers were written: what flushed headers would
 * have dropped.
 */
export function headersSetByHandler(
  before: Readonly<Record<string, HeaderValue | undefined>>,
  after: Readonly<Record<string, HeaderValue | undefined>>,
): string[] {
  const changed = new Map<string, HeaderValue>();
  for (const [name, value] of Object.entries(after)) {
    if (value !== undefined && !sameHeaderValue(before[name], value)) changed.set(name, value);
  }
  return droppedHeaderNames(changed);
}

function sameHeaderValue(a: HeaderValue | undefined, b: HeaderValue): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, i) => item === b[i]);
  return a === b;
}

/** What the handler did to a response whose headers (a 200, HTML) were flushed before it ran. */
export interface ResponseAfterFlush {
  /** The status the handler set; the client got 200. */
  readonly statusCode: number;
  /** Headers set after the flush, by lower-case name. */
  readonly lateHeaders: ReadonlyMap<string, HeaderValue>;
}

export interface AfterFlushOutcome {
  /**
   * `finish`: send the body as given. `redirect`: replace it with a page that sends the
   * browser to `location`. `abort`: close the connection before the final chunk, so that
   * the client sees an incomplete response instead of a complete-looking 200.
   */
  readonly action: 'finish' | 'redirect' | 'abort';
  readonly location?: string;
  /** Why the route must not be flushed again; undefined when the flush did no harm. */
  readonly problem?: string;
}

/** Decides how a flushed response ends, from what the handler tried to send. */
export function afterFlushOutcome(response: ResponseAfterFlush): AfterFlushOutcome {
  const { statusCode, lateHeaders } = response;
  const location = firstValue(lateHeaders.get('location'));
  if (statusCode >= 300 && statusCode < 400 && location) {
    const dropped = droppedHeaderNames(lateHeaders).filter((name) => name !== 'location');
    const alsoDropped = dropped.length > 0 ? ` (dropping ${dropped.join(', ')})` : '';
    return { action: 'redirect', location, problem: `redirected (${statusCode}) to ${location}${alsoDropped}` };
  }
  if (!isSuccess(statusCode)) return { action: 'abort', problem: `answered ${statusCode}` };
  const contentType = lateHeaders.get('content-type');
  if (contentType !== undefined && !isHtmlContentType(contentType)) {
    return { action: 'abort', problem: `answered ${firstValue(contentType)} instead of HTML` };
  }
  const problems: string[] = [];
  if (statusCode !== 200) problems.push(`answered ${statusCode} (the client got 200)`);
  const dropped = droppedHeaderNames(lateHeaders);
  if (dropped.length > 0) problems.push(`set ${dropped.join(', ')}, which could not be sent and were dropped`);
  return problems.length > 0 ? { action: 'finish', problem: problems.join(' and ') } : { action: 'finish' };
}
