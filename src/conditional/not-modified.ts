import type { Response } from 'express';
import type { Validators } from './conditional-request.js';

/** `ETag` and `Last-Modified` on a response, as RFC 9110 writes them. */
export function setValidators(response: Response, validators: Validators): void {
  if (validators.etag !== undefined) response.setHeader('ETag', validators.etag);
  if (validators.lastModified !== undefined) response.setHeader('Last-Modified', validators.lastModified.toUTCString());
}

function ignore(this: Response): Response {
  return this;
}

/**
 * Answers `304 Not Modified` for a request whose validators matched, before its handler
 * runs, with the validators a `200` would have carried. Nest still hands the (absent)
 * result to the response: a template to render, a value to send. Those calls do nothing
 * on this response, so no template renders and nothing throws `ERR_HTTP_HEADERS_SENT`.
 */
export function answerNotModified(response: Response, validators: Validators): void {
  response.statusCode = 304;
  for (const name of ['content-type', 'content-length', 'transfer-encoding']) response.removeHeader(name);
  setValidators(response, validators);
  response.end();
  const sealed = response as unknown as Record<string, unknown>;
  for (const method of [
    'status',
    'send',
    'json',
    'jsonp',
    'sendStatus',
    'render',
    'redirect',
    'setHeader',
    'appendHeader',
    'removeHeader',
    'writeHead',
  ]) {
    sealed[method] = ignore;
  }
  sealed.write = () => true;
}
