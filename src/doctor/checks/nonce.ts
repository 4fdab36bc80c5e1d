import type { Finding } from '../diagnosis.js';
import type { ParsedLink } from '../link-parse.js';

/**
 * A 103's links on a page with a nonce-based CSP. Firefox takes the first 103 link of a
 * URL and uses a script or style only when that link carries the nonce; Chromium drops
 * every 103 link with a nonce. So each such file needs both, the nonce one first (what
 * the module sends).
 */
export function earlyHintNonceFindings(policy: string | undefined, earlyLinks: readonly ParsedLink[]): Finding[] {
  const byTarget = new Map<string, ParsedLink[]>();
  for (const link of earlyLinks) {
    const same = byTarget.get(link.target);
    if (same) same.push(link);
    else byTarget.set(link.target, [link]);
  }
  const files = [...byTarget.values()];
  const firefoxMisses = files
    .filter((links) => nonceRequired(policy, links[0].params.as) && links[0].params.nonce === undefined)
    .map((links) => links[0]);
  const chromiumMisses = files
    .filter((links) => links.every((link) => link.params.nonce !== undefined))
    .map((links) => links[0]);
  const findings: Finding[] = [];
  if (firefoxMisses.length > 0) {
    findings.push({
      code: 'early-hints-csp-nonce',
      severity: 'error',
      message: `The page's Content-Security-Policy asks for a nonce on ${[...new Set(firefoxMisses.map((l) => l.params.as))].join(' and ')}, and the 103's first link for each carries none (${firefoxMisses.map((l) => l.target).join(', ')}). Firefox uses only the first link of a URL, and then only with the nonce: it waits about 5 s and downloads them again.`,
      fix: "send each of those links twice in the 103, first with `; nonce=` and the request's nonce (for Firefox), then without it (Chromium ignores a 103 link with a nonce); nestjs-http2-preload does so when its nonce option finds the request's nonce before the handler runs. Or use flushHeaders on that route.",
    });
  }
  if (chromiumMisses.length > 0) {
    findings.push({
      code: 'early-hints-nonce-only',
      severity: 'error',
      message: `The 103's links for ${chromiumMisses.map((l) => l.target).join(', ')} all carry a nonce. Chromium ignores a 103 link with a parameter its early-hints parser does not know, nonce among them: Chromium users get nothing early for those files.`,
      fix: 'after each link with a nonce, send the same link without it in the 103 (Firefox takes the first, Chromium the plain one).',
    });
  }
  return findings;
}

/**
 * Whether the policy makes a preload of this kind need a nonce: the directive that governs
 * it (`script-src-elem`, then `script-src`, then `default-src`; the same for styles) has
 * a `'nonce-…'` source. Several policies (joined by commas) all apply.
 */
export function nonceRequired(policy: string | undefined, as: string | undefined): boolean {
  if (!policy || (as !== 'script' && as !== 'style')) return false;
  return policy.split(',').some((one) => {
    const directives = new Map<string, string>();
    for (const part of one.split(';')) {
      const [name, ...sources] = part.trim().split(/\s+/);
      if (name && !directives.has(name.toLowerCase())) directives.set(name.toLowerCase(), sources.join(' '));
    }
    const sources = directives.get(`${as}-src-elem`) ?? directives.get(`${as}-src`) ?? directives.get('default-src');
    return sources !== undefined && /'nonce-/i.test(sources);
  });
}
