/**
 * Conditional requests (RFC 9110 §13): how `If-None-Match`, `If-Modified-Since` and the
 * rest compare with a response's validators (conditional-request.ts, pure, over strict
 * HTTP-dates from http-date.ts), settling them before the handler for `@Conditional()`
 * routes (preconditions.ts) and keeping Express's own freshness check in agreement
 * (freshness.ts), writing a `304` or the validators on a response (not-modified.ts),
 * and whether a conditional request may still get its hints early (revalidation.ts,
 * pure, from what validator-memory.ts remembers of the route's responses).
 */
export { type Validators } from './conditional-request.js';
export { answerNotModified, setValidators } from './not-modified.js';
export { settlePreconditions, settledValidatorsOf } from './preconditions.js';
export {
  NO_PRECONDITIONS,
  NO_VALIDATOR_HISTORY,
  preconditionsAllowEarly,
  type PreconditionFacts,
  type ValidatorHistory,
} from './revalidation.js';
export { ValidatorMemories, type ValidatorObservation } from './validator-memory.js';
