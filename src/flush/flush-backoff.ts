/**
 * When a route may have its headers flushed, learnt from the share of its responses a
 * flush would get wrong.
 *
 * A failed flush costs that one request a round trip (the page that asks again) and its
 * handler's work done twice; a clean one gains every request of the route the head start
 * (about the handler's time). So flushing pays while failures stay a small share of the
 * route's requests, whatever their number: the route keeps a failure rate, an average
 * over its recent responses in which each new one weighs 1/16 (FAILURE_WEIGHT), flushed
 * or late alike (a late response shows what a flush would have met: an error status, a
 * redirect, headers the flush would lose). Break-even is near one failure in two
 * requests, where the time lost to retries equals the head start won; the route stops
 * flushing well before, once the rate reaches 1/4 (STOP_AT), and flushes again once its
 * late responses bring it under 3/16 (RESUME_BELOW). One unknown id in eleven requests
 * keeps the rate under 1/8, and a burst of three or four 404s among clean pages does not
 * stop the route either; a route that fails every time stops after its fifth failure in a
 * row (the average must not follow one unlucky burst) and stays late while it fails; a
 * stopped route whose pages come out clean again flushes after about six of them. A route starts
 * late and flushes after its first clean late response.
 */
export interface FlushState {
  readonly flushing: boolean;
  /** The share of recent responses a flush got, or would have got, wrong: 0 to 1. */
  readonly failureRate: number;
  /** Why the route stopped flushing, while it is stopped after showing something; undefined otherwise. */
  readonly heldBack: 'sets-headers' | 'backoff' | undefined;
}

export type FlushEvent =
  /** A late 2xx HTML page whose handler set nothing that flushing would lose. */
  | 'clean-late'
  /** A late page whose handler set headers that flushing would lose. */
  | 'headers-late'
  /** A late HTML answer a flushed 200 could not have carried: an error status, a redirect. */
  | 'failed-late'
  /** A flushed response that went out as the app meant it. */
  | 'clean-flush'
  /** A flushed response the app answered otherwise: it ended on a recovery page. */
  | 'failed-flush';

export const INITIAL_FLUSH_STATE: FlushState = Object.freeze({ flushing: false, failureRate: 0, heldBack: undefined });

/** How much each new response weighs in the failure rate. */
export const FAILURE_WEIGHT = 1 / 16;
/** A flushing route stops once its failure rate reaches this. */
export const STOP_AT = 1 / 4;
/** A stopped route flushes again once a clean late response brings its failure rate under this. */
export const RESUME_BELOW = 3 / 16;
/** Below this the rate counts as none: a route's clean responses stop changing its state. */
const NEGLIGIBLE = 1 / 1024;

export interface FlushTransition {
  readonly state: FlushState;
  /** Set when the route just stopped or resumed flushing: worth one log line. */
  readonly switched?: 'stopped' | 'resumed';
}

function isFailure(event: FlushEvent): boolean {
  return event === 'headers-late' || event === 'failed-late' || event === 'failed-flush';
}

export function nextFlushState(state: FlushState, event: FlushEvent): FlushTransition {
  if (!isFailure(event)) {
    const decayed = state.failureRate * (1 - FAILURE_WEIGHT);
    const failureRate = decayed < NEGLIGIBLE ? 0 : decayed;
    if (state.flushing) {
      // The usual case, a clean flushed page of a healthy route: the very same state, nothing stored.
      return failureRate === state.failureRate ? { state } : { state: { ...state, failureRate } };
    }
    // Only a late page shows the route answers as a flush promises: a clean late one may start it.
    if (event === 'clean-late' && failureRate < RESUME_BELOW) {
      return {
        state: { flushing: true, failureRate, heldBack: undefined },
        switched: state.heldBack !== undefined ? 'resumed' : undefined,
      };
    }
    return { state: { ...state, failureRate } };
  }
  const failureRate = state.failureRate + (1 - state.failureRate) * FAILURE_WEIGHT;
  const why = event === 'headers-late' ? 'sets-headers' : 'backoff';
  if (state.flushing) {
    if (failureRate < STOP_AT) return { state: { ...state, failureRate } };
    return { state: { flushing: false, failureRate, heldBack: why }, switched: 'stopped' };
  }
  // A route that never flushed, or is stopped: it says why the first time it shows it.
  return {
    state: { flushing: false, failureRate, heldBack: state.heldBack ?? why },
    switched: state.heldBack === undefined ? 'stopped' : undefined,
  };
}

/**
 * Each handler's flush state. Keyed by handler function: bounded by the code, and not
 * lost when a hint cache key is evicted. Held by route-learning.ts, the one owner of
 * what routes have shown.
 */
export class FlushStates {
  private readonly states = new WeakMap<Function, FlushState>();

  of(handler: Function): FlushState {
    return this.states.get(handler) ?? INITIAL_FLUSH_STATE;
  }

  /** Records what a response of the handler showed; the transition says whether it just stopped or resumed flushing. */
  record(handler: Function, event: FlushEvent): FlushTransition {
    const current = this.of(handler);
    const transition = nextFlushState(current, event);
    if (transition.state !== current) this.states.set(handler, transition.state);
    return transition;
  }
}
