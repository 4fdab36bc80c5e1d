import {
  cleanRunNeeded,
  FlushStates,
  INITIAL_FLUSH_STATE,
  nextFlushState,
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

describe('flush back-off', () => {
  it('flushes after one clean late response', () => {
    expect(run(['clean-late']).state.flushing).toBe(true);
    expect(run([]).state.flushing).toBe(false);
  });

  it('never flushes a route whose every late response sets headers, and says so once', () => {
    const { state, switches } = run(times('headers-late', 50));
    expect(state.flushing).toBe(false);
    expect(switches).toEqual(['stopped']);
  });

  it('stops at a failure and resumes after a run of clean late responses that grows as failures repeat', () => {
    const first = run(['clean-late', 'failed-flush', ...times('clean-late', 3)]);
    expect(first.state.flushing).toBe(false);
    expect(first.switches).toEqual(['stopped']);
    const resumed = run(['clean-late'], first.state);
    expect(resumed.state.flushing).toBe(true);
    expect(resumed.switches).toEqual(['resumed']);

    const second = run(['failed-flush', ...times('clean-late', 7)], resumed.state);
    expect(second.state.flushing).toBe(false);
    expect(run(['clean-late'], second.state).state.flushing).toBe(true);
  });

  it('counts failures of responses already under way only once', () => {
    const { state, switches } = run(['clean-late', 'failed-flush', 'failed-flush', 'failed-flush']);
    expect(state.failures).toBe(1);
    expect(switches).toEqual(['stopped']);
  });

  it('a failure in the middle of a clean run starts the run again', () => {
    const { state } = run([
      'clean-late',
      'failed-flush',
      'clean-late',
      'clean-late',
      'headers-late',
      'clean-late',
      'clean-late',
      'clean-late',
    ]);
    expect(state.flushing).toBe(false);
  });

  it('forgives one failure after as many clean flushed responses as the current run', () => {
    const stopped = run(['clean-late', 'failed-flush', ...times('clean-late', 4)]).state;
    expect(stopped.failures).toBe(1);
    expect(run(times('clean-flush', 3), stopped).state.failures).toBe(1);
    expect(run(times('clean-flush', 4), stopped).state.failures).toBe(0);
  });

  it('grows the run 4, 8, 16… up to 256', () => {
    expect([0, 1, 2, 3, 7, 8, 20].map(cleanRunNeeded)).toEqual([1, 4, 8, 16, 256, 256, 256]);
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
    expect(states.record(home, 'failed-flush').switched).toBe('stopped');
    expect(states.record(home, 'failed-flush').switched).toBeUndefined();
    expect(states.of(home).flushing).toBe(false);
    expect(states.of(profile).flushing).toBe(false);
  });
});
