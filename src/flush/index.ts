/**
 * The flush and its retry. `flushHeadersEarly` (flushed-response.ts) sends a `200` with
 * the hints before the handler runs and guards the response; at the handler's first body
 * byte `afterFlushOutcome` (after-flush.ts) decides whether that body may follow; if not,
 * the response ends on the page that forwards the browser (redirect-page.ts) or asks again
 * (flush-recovery.ts), marked so that the retry goes late (retry-marker.ts, which also
 * takes the mark off requests before the app sees them); `flush-backoff.ts` says when a
 * route may be flushed, from what its responses showed.
 */
export {
  failureCauseOf,
  failureOf,
  headersSetByHandler,
  RETRY_CAUSES,
  type AfterFlushOutcome,
  type RetryCause,
} from './after-flush.js';
export { FlushStates, RESUME_BELOW, STOP_AT, type FlushEvent } from './flush-backoff.js';
export { inlineScriptAllowed, recoveryPage } from './flush-recovery.js';
export { flushHeadersEarly, type FlushedResponse, type ShellEnding } from './flushed-response.js';
export { RETRY_MARKER, takeRetryMarker, takeRetryMarkerFirstOn, withoutRetryMarker } from './retry-marker.js';
