import type { Diagnosis, Finding, RequestReport } from './analysis.js';
import { escapeControls } from './terminal-text.js';

const MARK: Record<Finding['severity'], string> = { ok: '✔', info: '·', warn: '!', error: '✖' };

const TRANSPORT: Record<string, string> = {
  cleartext: 'cleartext http: (browsers use HTTP/1.1)',
  'tls-h2': 'TLS, HTTP/2 (ALPN h2)',
  'tls-http1': 'TLS, HTTP/1.1 only (ALPN offered no h2)',
};

const ROLE: Record<RequestReport['role'], string> = { warm: 'warm-up', h2: 'again', http1: 'again' };

/** The report for people: what came back and when, the files, the findings, the verdict; controls escaped. */
export function formatReport(diagnosis: Diagnosis): string {
  const lines: string[] = [`nestjs-http2-preload doctor: ${diagnosis.url}`];
  if (diagnosis.transport) lines.push(`  ${TRANSPORT[diagnosis.transport] ?? diagnosis.transport}`);
  if (diagnosis.requests.length > 0) {
    lines.push('', '  requests (ms since each was sent)');
    for (const request of diagnosis.requests) lines.push(...formatRequest(request));
  }
  if (diagnosis.assets.length > 0) {
    lines.push('', '  hinted files');
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

function formatRequest(r: RequestReport): string[] {
  const parts = [`    ${ROLE[r.role].padEnd(7)} ${r.protocol.padEnd(8)}`];
  for (const interim of r.interim)
    parts.push(
      `${interim.status} at ${interim.atMs} (${interim.links.length} link${interim.links.length === 1 ? '' : 's'}),`,
    );
  if (r.status !== undefined) {
    parts.push(
      `${r.status} at ${r.headersAtMs}${r.mode ? ` x-http2-preload: ${r.mode}` : ''}${r.flushedNewline ? ', flushed newline first' : ''},`,
    );
    if (r.contentAtMs !== undefined) parts.push(`content at ${r.contentAtMs},`);
    if (r.endAtMs !== undefined) parts.push(`end at ${r.endAtMs}`);
    parts.push(`(Link ${r.linkBytes} B, headers ${r.headerBytes} B)`);
  }
  if (r.failure) parts.push(`failed: ${r.failure.message}`);
  return [parts.join(' ')];
}
