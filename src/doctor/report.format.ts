import type { Diagnosis, Finding, RequestReport } from './diagnosis.js';
import { escapeControls } from './terminal-text.js';

const MARK: Record<Finding['severity'], string> = { ok: '✔', info: '·', warn: '!', error: '✖' };

const TRANSPORT: Record<string, string> = {
  cleartext: 'plain http:, so browsers use HTTP/1.1 (they speak HTTP/2 only over TLS)',
  'tls-h2': 'TLS, and the server offers HTTP/2: browsers use HTTP/2',
  'tls-http1': 'TLS, but the server offers no HTTP/2: browsers use HTTP/1.1',
};

/** The debug header's values, in words. */
const MODE: Record<string, string> = {
  early: 'the hints were sent ahead of the page',
  late: 'the hints were sent with the page',
  off: 'no hints',
};

const ORDINAL = ['first', 'second', 'third', 'fourth'];

/** Below this, hints that came "before" the content came with it as far as a browser is concerned. */
const NO_HEAD_START_MS = 10;

/** The report for people: what arrived when and what it means, the files, the findings, the verdict; controls escaped. */
export function formatReport(diagnosis: Diagnosis): string {
  const lines: string[] = [`nestjs-http2-preload doctor: ${diagnosis.url}`];
  if (diagnosis.transport) lines.push(`  ${TRANSPORT[diagnosis.transport] ?? diagnosis.transport}`);
  if (diagnosis.requests.length > 0) {
    lines.push('', '  What arrived when (ms after each visit was sent)');
    diagnosis.requests.forEach((request, index) => lines.push(...formatVisit(request, index, diagnosis.debugHeader)));
  }
  if (diagnosis.assets.length > 0) {
    lines.push('', '  Hinted files (status, and how long a browser may reuse them)');
    for (const asset of diagnosis.assets) {
      const what = asset.failure
        ? `failed: ${asset.failure.message}`
        : `${asset.status ?? '-'}  ${asset.freshness ?? asset.cacheControl ?? ''}${asset.usedByPage ? '' : '  (not used by the page)'}`;
      lines.push(`    ${asset.url}${asset.as ? ` (${asset.as})` : ''}  ${what}`);
    }
  }
  if (diagnosis.findings.length > 0) {
    lines.push('');
    for (const finding of diagnosis.findings) lines.push(`  ${MARK[finding.severity]} ${finding.message}`);
  }
  const { verdict } = diagnosis;
  lines.push(
    '',
    `Verdict: ${verdict.status.toUpperCase()}${verdict.strategy ? ` (${verdict.strategy})` : ''}: ${verdict.summary}`,
  );
  if (verdict.change) lines.push(`Change: ${verdict.change}`);
  // Each line holds values from the network; only the report's own newlines may break one.
  return lines.map(escapeControls).join('\n') + '\n';
}

/** One visit as a small timeline: the hints, the page's headers, its content, its end; then what that means. */
function formatVisit(r: RequestReport, index: number, debugHeader: string): string[] {
  const purpose = r.role === 'warm' ? ' (it teaches the route its hints)' : '';
  const lines = [
    `    ${ORDINAL[index] ?? `#${index + 1}`} visit${purpose}, over ${r.protocol === 'h2' ? 'HTTP/2' : 'HTTP/1.1'}:`,
  ];
  const at = (ms: number | undefined, what: string) =>
    lines.push(`      ${`${ms === undefined ? '?' : Math.round(ms)} ms`.padStart(8)}  ${what}`);
  for (const interim of r.interim) {
    at(
      interim.atMs,
      interim.status === 103
        ? `a 103 Early Hints, with hints for ${count(new Set(interim.links).size, 'file')}`
        : `an interim ${interim.status}`,
    );
  }
  if (r.status !== undefined) {
    const hints =
      r.links.length > 0 ? `, with hints for ${count(new Set(r.links).size, 'file')} in its Link header` : '';
    const newline = r.flushedNewline ? ', then a newline on its own' : '';
    const mode = r.mode ? `; ${debugHeader}: ${r.mode}${MODE[r.mode] ? ` (${MODE[r.mode]})` : ''}` : '';
    at(r.headersAtMs, `the page's headers, status ${r.status}${hints}${newline}${mode}`);
    if (r.contentAtMs !== undefined) at(r.contentAtMs, "the page's content began");
    if (r.endAtMs !== undefined) at(r.endAtMs, 'the page was complete');
    lines.push(
      `      (headers ${r.headerBytes} bytes${r.linkBytes > 0 ? `, of which the Link header ${r.linkBytes}` : ''})`,
    );
  }
  if (r.failure) lines.push(`      failed: ${r.failure.message}`);
  const meaning = meaningOf(r);
  if (meaning) lines.push(`      → ${meaning}`);
  return lines;
}

/** What the timeline means for the page: how much sooner the browser could fetch the hinted files. */
function meaningOf(r: RequestReport): string | undefined {
  if (r.hintsAtMs === undefined || r.headStartMs === undefined) return undefined;
  const files = [...new Set([...r.interim.flatMap((i) => (i.status === 103 ? i.links : [])), ...r.links])];
  const what = files.length === 1 ? files[0] : `${files[0]} and ${count(files.length - 1, 'other file')}`;
  // Chromium acts on a 103 only over HTTP/2 or HTTP/3.
  const from103 = r.interim.some((i) => i.status === 103 && i.links.length > 0 && i.atMs === r.hintsAtMs);
  const which = from103 && r.protocol !== 'h2' ? ' (Firefox; Chromium ignores a 103 over HTTP/1.1)' : '';
  if (r.headStartMs >= NO_HEAD_START_MS)
    return `the browser${which} could start fetching ${what} ${Math.round(r.headStartMs)} ms before the page's content arrived.`;
  return `the hints came with the page's content (${Math.round(r.headStartMs)} ms before it): no head start on this visit${r.role === 'warm' ? ', as usual for a first visit' : ''}.`;
}

function count(n: number, what: string): string {
  return `${n} ${what}${n === 1 ? '' : 's'}`;
}
