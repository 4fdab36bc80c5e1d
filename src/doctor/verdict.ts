import type { Finding, Strategy, Verdict } from './diagnosis.js';

const EXIT_CODES = { ok: 0, fix: 1, unchecked: 2 } as const;

/**
 * The verdict from the findings: the first error (else the first warning) is the one
 * change to make, since the checks list the most serious first; with neither, the
 * strategy works, said with the finding that shows how.
 */
export function verdictOf(findings: readonly Finding[], strategy?: Strategy): Verdict {
  const worst = findings.find((f) => f.severity === 'error') ?? findings.find((f) => f.severity === 'warn');
  if (worst) return { status: 'fix', exitCode: EXIT_CODES.fix, strategy, summary: worst.message, change: worst.fix };
  const how = findings.find((f) => f.severity === 'ok');
  return {
    status: 'ok',
    exitCode: EXIT_CODES.ok,
    strategy,
    summary: `${strategy ?? 'The hints'} work${strategy ? 's' : ''} on this path${how ? `: ${lowerFirst(how.message)}` : '.'}`,
  };
}

/** The page could not be checked: why, in one sentence. */
export function unchecked(summary: string): Verdict {
  return { status: 'unchecked', exitCode: EXIT_CODES.unchecked, summary };
}

function lowerFirst(text: string): string {
  return /^[A-Z][a-z]/.test(text) ? text[0].toLowerCase() + text.slice(1) : text;
}
