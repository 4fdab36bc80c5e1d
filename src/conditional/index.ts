/**
 * Conditional requests (RFC 9110 §13): how `If-None-Match`, `If-Modified-Since` and the
 * rest compare with a response's validators (conditional-request.ts, pure), settling them
 * before the handler for `@Conditional()` routes (preconditions.ts), and writing a `304`
 * or the validators on a response (not-modified.ts).
 */
export { hasPrecondition, type Validators } from './conditional-request.js';
export { answerNotModified, setValidators } from './not-modified.js';
export { settlePreconditions } from './preconditions.js';
