import { headerSizeFindings, hintedFileChecks, pageToCheck, strategyFindings } from './checks/index.js';
import type { Diagnosis, RequestReport } from './diagnosis.js';
import type { Observations } from './observation.js';
import { debugHeaderOf, pageFacts, reportRequest, type DiagnoseOptions } from './observed.js';
import { unchecked, verdictOf } from './verdict.js';

export type { AssetReport, Diagnosis, Finding, RequestReport, Severity, Strategy, Verdict } from './diagnosis.js';
export type { DiagnoseOptions } from './observed.js';

/**
 * Reads what the probe saw and decides, in three steps: what was observed (each request's
 * timings, the page's facts), the checks (checks/, one topic each: can the page be
 * checked, how the hints went out, proxies, the hinted files), and the verdict. Pure: the
 * same observations give the same diagnosis.
 */
export function diagnose(obs: Observations, options: DiagnoseOptions = {}): Diagnosis {
  const debugHeader = debugHeaderOf(options);
  const requests = (['warm', 'h2', 'http1'] as const)
    .map((role) => (obs[role] ? reportRequest(role, obs[role], debugHeader) : undefined))
    .filter((r): r is RequestReport => r !== undefined);
  const base = { url: obs.url, debugHeader, transport: obs.transport, requests };

  const gate = pageToCheck(obs, debugHeader);
  if ('unchecked' in gate) return { ...base, findings: [], assets: [], verdict: unchecked(gate.unchecked) };
  if ('findings' in gate)
    return { ...base, findings: gate.findings, assets: [], verdict: verdictOf(gate.findings, gate.strategy) };

  const facts = pageFacts(obs, gate.page, debugHeader);
  const { strategy, findings } = strategyFindings(facts);
  findings.push(...headerSizeFindings(facts.page));
  const files = hintedFileChecks(facts, strategy === 'earlyHints' && facts.had103 && obs.transport === 'tls-h2');
  findings.push(...files.findings);
  return { ...base, findings, assets: files.assets, verdict: verdictOf(findings, strategy) };
}
