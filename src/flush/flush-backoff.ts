/**
 * When a route may have its headers flushed, learnt from what its responses showed.
 *
 * A route starts out late. One clean late response (a 2xx HTML page whose handler set
 * no header that flushing would lose) lets it flush. A response that went wrong after a
 * flush (an error status, a redirect, a file, a lost header), or a late one whose
 * handler set such headers, stops it: it flushes again only after a run of clean late
 * responses, 4 after its first failure, then 8, 16… up to 256 as failures repeat. As
 * many clean flushed responses in a row as the current run forgive one failure.
 */
export interface FlushState {
  readonly flushing: boolean;
  /** How many failures are held against the route. */
  readonly failures: number;
  /** Clean late responses in a row while not flushing; clean flushed ones while flushing. */
  readonly run: number;
}

export type FlushEvent =
  /** A late 2xx HTML page whose handler set nothing that flushing would lose. */
  | 'clean-late'
  /** A late page whose handler set headers that flushing would lose. */
  | 'headers-late'
  /** A flushed response that went out as the app meant it. */
  | 'clean-flush'
  /** A flushed response the app answered otherwise: it ended on a recovery page. */
  | 'failed-flush';

export const INITIAL_FLUSH_STATE: FlushState = Object.freeze({ flushing: false, failures: 0, run: 0 });

const LONGEST_RUN = 256;

/** Clean late responses in a row a route needs before it flushes, with this many failures held against it. */
export function cleanRunNeeded(failures: number): number {
  return failures === 0 ? 1 : Math.min(2 ** (failures + 1), LONGEST_RUN);
}

export interface FlushTransition {
  readonly state: FlushState;
  /** Set when the route just stopped or resumed flushing: worth one log line. */
  readonly switched?: 'stopped' | 'resumed';
}

export function nextFlushState(state: FlushState, event: FlushEvent): FlushTransition {
  switch (event) {
    case 'clean-late': {
      if (state.flushing) return { state };
      const run = state.run + 1;
      if (run < cleanRunNeeded(state.failures)) return { state: { ...state, run } };
      return {
        state: { flushing: true, failures: state.failures, run: 0 },
        switched: state.failures > 0 ? 'resumed' : undefined,
      };
    }
    case 'clean-flush': {
      if (!state.flushing || state.failures === 0) return { state };
      const run = state.run + 1;
      if (run < cleanRunNeeded(state.failures)) return { state: { ...state, run } };
      return { state: { flushing: true, failures: state.failures - 1, run: 0 } };
    }
    case 'headers-late':
    case 'failed-flush': {
      // Responses already under way when the route stopped fail too: only the first counts.
      // A route that never flushed stops too, the first time: it was about to.
      if (!state.flushing) {
        const switched = state.failures === 0 ? 'stopped' : undefined;
        return { state: { flushing: false, failures: Math.max(state.failures, 1), run: 0 }, switched };
      }
      return {
        state: { flushing: false, failures: Math.min(state.failures + 1, 16), run: 0 },
        switched: 'stopped',
      };
    }
  }
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
    // A clean response of a route that flushes changes nothing: the usual case, not stored again.
    if (transition.state !== current) this.states.set(handler, transition.state);
    return transition;
  }
}
