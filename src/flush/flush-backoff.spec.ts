import fc from 'fast-check';
import {
  FAILURE_WEIGHT,
  FlushStates,
  INITIAL_FLUSH_STATE,
  nextFlushState,
  RESUME_BELOW,
  STOP_AT,
  type FlushEvent,
  type FlushState,
} from './flush-backoff.js';

function run(events: FlushEvent[], from: FlushState = INITIAL_FLUSH_STATE): { state: FlushState; switches: string[] } {
  let state = from;
  const switches: string[] = [];
  for (const event of events) {
    const transition = nextFlushState(state, event);
    state = transition.state;
    if (transition.switched) switches.push(transition.switched);
  }
  return { state, switches };
}

const times = (event: FlushEvent, n: number): FlushEvent[] => Array.from({ length: n }, () => event);

/** A route that answers a page on most requests and fails on one in `every`, flushed while it may be. */
function routeFailingOneIn(every: number, requests: number): { flushed: number; cleanFlushed: number } {
  let state = nextFlushState(INITIAL_FLUSH_STATE, 'clean-late').state;
  let flushed = 0;
  let cleanFlushed = 0;
  for (let i = 1; i <= requests; i += 1) {
    const fails = i % every === 0;
    if (state.flushing) {
      flushed += 1;
      if (!fails) cleanFlushed += 1;
      state = nextFlushState(state, fails ? 'failed-flush' : 'clean-flush').state;
    } else {
      state = nextFlushState(state, fails ? 'failed-late' : 'clean-late').state;
    }
  }
  return { flushed, cleanFlushed };
}

const events = fc.constantFrom<FlushEvent>('clean-late', 'headers-late', 'failed-late', 'clean-flush', 'failed-flush');

describe('flush back-off by evidence', () => {
  it('flushes after one clean late response', () => {
    expect(run(['clean-late']).state.flushing).toBe(true);
    expect(run([]).state.flushing).toBe(false);
  });

  it('never flushes a route whose every late response sets headers, and says so once', () => {
    const { state, switches } = run(times('headers-late', 50));
    expect(state.flushing).toBe(false);
    expect(state.heldBack).toBe('sets-headers');
    expect(switches).toEqual(['stopped']);
  });

  it('keeps flushing a route that fails on a small share of its requests (one unknown id in eleven), or in a short burst', () => {
    expect(run(['clean-late', ...times('failed-flush', 4)]).state.flushing).toBe(true);
    const { flushed, cleanFlushed } = routeFailingOneIn(11, 1100);
    expect(flushed).toBe(1100);
    expect(cleanFlushed).toBe(1000);
  });

  it('stops a route that fails every time after its fifth failure in a row, and keeps it late while it fails', () => {
    const { state, switches } = run(['clean-late', ...times('failed-flush', 5)]);
    expect(state.flushing).toBe(false);
    expect(state.heldBack).toBe('backoff');
    expect(switches).toEqual(['stopped']);
    expect(run(['clean-late', ...times('failed-flush', 4)]).state.flushing).toBe(true);
    expect(run(times('failed-late', 100), state).state.flushing).toBe(false);
  });

  it('stops a route that fails on most of its requests, and resumes once its late responses come out clean', () => {
    const { flushed } = routeFailingOneIn(2, 1000);
    expect(flushed).toBeLessThan(1000 / 4);
    const stopped = run(['clean-late', ...times('failed-flush', 5)]).state;
    const resumed = run(times('clean-late', 12), stopped);
    expect(resumed.state.flushing).toBe(true);
    expect(resumed.switches).toEqual(['resumed']);
    expect(resumed.state.heldBack).toBeUndefined();
  });

  it('a clean flushed page of a healthy route changes nothing: the same state, not stored again', () => {
    const flushing = run(['clean-late']).state;
    expect(nextFlushState(flushing, 'clean-flush').state).toBe(flushing);
  });

  it('keeps the failure rate between 0 and 1, stops only at STOP_AT and resumes only under RESUME_BELOW', () => {
    fc.assert(
      fc.property(fc.array(events, { maxLength: 200 }), (sequence) => {
        let state = INITIAL_FLUSH_STATE;
        for (const event of sequence) {
          const { state: next, switched } = nextFlushState(state, event);
          expect(next.failureRate).toBeGreaterThanOrEqual(0);
          expect(next.failureRate).toBeLessThanOrEqual(1);
          if (state.flushing && !next.flushing) expect(next.failureRate).toBeGreaterThanOrEqual(STOP_AT);
          if (!state.flushing && next.flushing) {
            expect(event).toBe('clean-late');
            expect(next.failureRate).toBeLessThan(RESUME_BELOW);
          }
          if (switched === 'stopped') expect(next.heldBack).toBeDefined();
          if (next.flushing) expect(next.heldBack).toBeUndefined();
          state = next;
        }
      }),
    );
  });

  it('moves the failure rate by FAILURE_WEIGHT of the way towards each response', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1, noNaN: true }), events, (failureRate, event) => {
        const next = nextFlushState({ flushing: true, failureRate, heldBack: undefined }, event).state;
        const failed = event === 'headers-late' || event === 'failed-late' || event === 'failed-flush';
        const expected = failureRate + ((failed ? 1 : 0) - failureRate) * FAILURE_WEIGHT;
        if (failed || expected >= 1 / 1024) expect(next.failureRate).toBeCloseTo(expected, 12);
        else expect(next.failureRate).toBe(0);
      }),
    );
  });

  it('a route with a failure rate under RESUME_BELOW that keeps failing on a share p flushes on the long run only when p is small', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 40 }), (every) => {
        const { flushed } = routeFailingOneIn(every, 2000);
        if (every >= 6) expect(flushed).toBeGreaterThan(2000 * 0.95);
        if (every <= 3) expect(flushed).toBeLessThan(2000 * 0.5);
      }),
      { numRuns: 40 },
    );
  });
});

describe('FlushStates', () => {
  it('learns per handler whether it may be flushed', () => {
    const states = new FlushStates();
    const home = () => 'home';
    const profile = () => 'profile';
    expect(states.of(home).flushing).toBe(false);
    expect(states.record(home, 'clean-late').switched).toBeUndefined();
    expect(states.of(home).flushing).toBe(true);
    for (let i = 0; i < 4; i += 1) expect(states.record(home, 'failed-flush').switched).toBeUndefined();
    expect(states.record(home, 'failed-flush').switched).toBe('stopped');
    expect(states.of(home).flushing).toBe(false);
    expect(states.record(profile, 'headers-late').switched).toBe('stopped');
    let resumed: string | undefined;
    while (!states.of(home).flushing) resumed = states.record(home, 'clean-late').switched;
    expect(resumed).toBe('resumed');
    expect(states.of(profile).flushing).toBe(false);
  });
});
