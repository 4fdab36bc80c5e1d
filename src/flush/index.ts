/**
 * The flush and its retry. `flushHeadersEarly` (flushed-response.ts) sends a `200` with
 * the hints before the handler runs and guards the response; at the handler's first body
 * byte `afterFlushOutcome` (after-flush.ts) decides whether that body may follow; if not,
 * the response ends on the page that forwards the browser (redirect-page.ts) or asks again
 * (flush-recovery.ts, which also holds the retry marker); `flush-backoff.ts` says when a
 * route may be flushed, from what its responses showed.
 */
export { failureOf, headersSetByHandler, type AfterFlushOutcome } from './after-flush.js';
export { cleanRunNeeded, FlushStates, type FlushEvent } from './flush-backoff.js';
export {
  inlineScriptAllowed,
  isRetryRequest,
  recoveryPage,
  RETRY_MARKER,
  withoutRetryMarker,
} from './flush-recovery.js';
export { flushHeadersEarly, type FlushedResponse } from './flushed-response.js';
