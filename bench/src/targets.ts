/**
 * The targets, judged on one run's figures. CPU targets compare server CPU time
 * per response of two variants **in the same round** (they ran seconds apart, so most of
 * what the shared machine does to one it does to the other) and take the median of those
 * per-round ratios.
 */
import type { HintLatency } from './latency.js';
import { median } from './stats.js';
import type { RoundSample, VariantThroughput } from './throughput.js';
import { FLOOR_OF, FLOORED_MODES, variant, type FlooredMode, type VariantName } from './variants.js';

/** A module mode may cost at most this much more CPU per response than its floor. */
export const FLOOR_RATIO_LIMIT = 1.1;
/** On the JSON route, which the module never touches, against an app with a do-nothing interceptor. */
export const JSON_RATIO_LIMIT = 1.05;
/**
 * Hint latency: an early mode's p99 may exceed its floor's p99, measured in the same run,
 * by at most this much: the module's own work before its hints go, not the machine's tail.
 */
export const HINT_P99_OVER_FLOOR_MS = 0.5;
export const HINT_MIN_REQUESTS = 1000;

export interface Target {
  readonly name: string;
  /** What is compared, in words. */
  readonly rule: string;
  /** The figure judged (a ratio, ms, or a count of rounds), as shown. */
  readonly value: string;
  /** Per-round figures, or other detail, as shown. */
  readonly detail: string;
  readonly met: boolean;
}

const fixed = (value: number, digits: number): string => (Number.isFinite(value) ? value.toFixed(digits) : '–');

function rounds(
  throughput: readonly VariantThroughput[],
  name: VariantName,
  route: 'html' | 'json',
): readonly RoundSample[] {
  return throughput.find((t) => t.variant === name && t.route === route)?.rounds ?? [];
}

/** CPU per response of `name` over `reference`'s, round by round (rounds where both ran). */
export function cpuRatios(
  throughput: readonly VariantThroughput[],
  name: VariantName,
  reference: VariantName,
  route: 'html' | 'json',
): number[] {
  const references = new Map(rounds(throughput, reference, route).map((r) => [r.round, r.cpuMicrosPerResponse]));
  return rounds(throughput, name, route)
    .filter((r) => references.has(r.round))
    .map((r) => r.cpuMicrosPerResponse / references.get(r.round)!);
}

function ratioTarget(
  throughput: readonly VariantThroughput[],
  name: VariantName,
  reference: VariantName,
  route: 'html' | 'json',
  limit: number,
): Target {
  const ratios = cpuRatios(throughput, name, reference, route);
  const value = median(ratios);
  return {
    name: `${name} ${route === 'html' ? 'HTML' : 'JSON'}`,
    rule: `CPU/response ≤ ${limit.toFixed(2)} × ${reference}`,
    value: `${fixed(value, 3)} ×`,
    detail: `per round: ${ratios.map((r) => fixed(r, 2)).join(' ') || 'none'}`,
    met: ratios.length > 0 && value <= limit,
  };
}

/**
 * The modes measured on the JSON route too. One on an app with its own CSP middleware
 * (the nonce variant) is judged against its floor only: noop-interceptor and netjet
 * have no CSP to pay for.
 */
const JSON_MODES = FLOORED_MODES.filter((mode) => !variant(mode).htmlOnly);

export function judgeTargets(throughput: readonly VariantThroughput[], latency: readonly HintLatency[]): Target[] {
  const targets: Target[] = [];
  for (const mode of FLOORED_MODES)
    targets.push(ratioTarget(throughput, mode, FLOOR_OF[mode], 'html', FLOOR_RATIO_LIMIT));
  for (const mode of JSON_MODES)
    targets.push(ratioTarget(throughput, mode, 'noop-interceptor', 'json', JSON_RATIO_LIMIT));
  // "Faster than netjet on every run": in every round, on both routes (netjet wraps every response).
  for (const mode of JSON_MODES) {
    const html = cpuRatios(throughput, mode, 'netjet', 'html');
    const json = cpuRatios(throughput, mode, 'netjet', 'json');
    const all = [...html, ...json];
    const faster = all.filter((r) => r < 1).length;
    targets.push({
      name: `${mode} vs netjet`,
      rule: 'less CPU/response than netjet in every round, HTML and JSON',
      value: `${faster}/${all.length} runs`,
      detail: `ratio per round: HTML ${html.map((r) => fixed(r, 2)).join(' ') || 'none'}; JSON ${json.map((r) => fixed(r, 2)).join(' ') || 'none'}`,
      met: html.length > 0 && faster === all.length,
    });
  }
  const floorLatency = new Map(latency.map((l) => [l.variant, l]));
  for (const l of latency.filter((l) => l.variant === 'early-flush' || l.variant === 'early-103')) {
    const floor = floorLatency.get(FLOOR_OF[l.variant as FlooredMode]);
    const limit = floor === undefined ? Number.NaN : floor.linksP99Ms + HINT_P99_OVER_FLOOR_MS;
    targets.push({
      name: `${l.variant} hint latency`,
      rule: `links p99 ≤ ${FLOOR_OF[l.variant as FlooredMode]} p99 + ${HINT_P99_OVER_FLOOR_MS} ms, over ≥ ${HINT_MIN_REQUESTS} requests`,
      value: `p99 ${fixed(l.linksP99Ms, 2)} ms (limit ${fixed(limit, 2)})`,
      detail:
        `p50 ${fixed(l.linksMedianMs, 2)}, p99.9 ${fixed(l.linksP999Ms, 2)}, max ${fixed(l.linksMaxMs, 2)} ms over ${l.requests} requests` +
        (l.withLinks < l.requests ? `, only ${l.withLinks} with links` : '') +
        (floor ? `; ${floor.variant}: p50 ${fixed(floor.linksMedianMs, 2)}, p99 ${fixed(floor.linksP99Ms, 2)}` : ''),
      met:
        floor !== undefined &&
        l.requests >= HINT_MIN_REQUESTS &&
        floor.requests >= HINT_MIN_REQUESTS &&
        l.withLinks === l.requests &&
        l.linksP99Ms <= limit,
    });
  }
  return targets;
}
