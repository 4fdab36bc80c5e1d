import accepts from 'accepts';
import type { Request, Response } from 'express';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { answerNotModified, setValidators, type Validators } from './conditional/index.js';
import { RETRY_MARKER, takeRetryMarker, withoutRetryMarker } from './flush/index.js';

/**
 * One request and its response, as the module needs them on either platform. The
 * module reads an Express-shaped `request` and writes the Node `response`; what the app
 * sees (`@Req()`, `@Res()`) is kept apart, for the collector's key and for the functions
 * users give the module (cache keys, validators, nonces), which get what their app has.
 */
export interface HttpExchange {
  /** The app's own request object (Express `Request` or `FastifyRequest`). */
  readonly appRequest: Request;
  /** The app's own response object (Express `Response` or `FastifyReply`). */
  readonly appResponse: Response;
  /** What the module reads: the Express request itself, or an Express-shaped view of Fastify's. */
  readonly request: Request;
  /** The Node response the module writes (Express's `Response` is one; Fastify's is `reply.raw`). */
  readonly response: Response;
  /** Where templates find their variables: `res.locals`, or `reply.locals` of `@fastify/view`. */
  readonly locals: object | undefined;
  /** Every header set so far (Fastify keeps the reply's own until it sends them). */
  headers(): OutgoingHttpHeaders;
  /** Puts headers the platform still holds onto the Node response, so that flushed headers carry them. */
  beforeFlush(): void;
  /**
   * After a flush, the headers the platform holds and will not hand to the Node response
   * (Fastify's reply's); undefined on Express, whose response holds them all.
   */
  readonly heldHeaders?: () => OutgoingHttpHeaders | undefined;
  /**
   * Whether the request is a retry. The module's server hook took the mark off as the
   * request arrived; a request that came another way (the app's handler mounted on a
   * server of the user's own) has it taken off here, from the URL and what the platform
   * already parsed of it, though its middleware saw it.
   */
  takeRetryMarker(): boolean;
  setValidators(validators: Validators): void;
  answerNotModified(validators: Validators): void;
}

/** What the module uses of a Fastify request and reply (no dependency on fastify's types). */
interface FastifyRequestLike {
  readonly raw: IncomingMessage;
  readonly method: string;
  readonly headers: IncomingMessage['headers'];
  readonly routeOptions?: { readonly url?: string };
  readonly protocol?: string;
  readonly host?: string;
  readonly hostname?: string;
  query?: unknown;
}

interface FastifyReplyLike {
  readonly raw: ServerResponse;
  /** True once hijacked (or ended): Fastify then sends nothing, its held headers included. */
  readonly sent?: boolean;
  locals?: object | null;
  getHeader(name: string): OutgoingHttpHeaders[string];
  getHeaders(): OutgoingHttpHeaders;
  code(statusCode: number): FastifyReplyLike;
}

function isExpressResponse(response: unknown): response is Response {
  return (
    typeof response === 'object' &&
    response !== null &&
    typeof (response as Response).writeHead === 'function' &&
    typeof (response as Response).locals === 'object'
  );
}

function isFastifyReply(response: unknown): response is FastifyReplyLike {
  const raw = (response as { raw?: unknown } | null)?.raw;
  return (
    typeof raw === 'object' &&
    raw !== null &&
    typeof (raw as ServerResponse).writeHead === 'function' &&
    typeof (response as FastifyReplyLike).getHeaders === 'function'
  );
}

function takeExpressRetryMarker(request: Request): boolean {
  const url = request.url;
  const retry = takeRetryMarker(request);
  if (request.url !== url) request.originalUrl = withoutRetryMarker(request.originalUrl);
  return retry;
}

/** Express: the app's objects are the ones the module reads and writes. A class, so a request costs one object. */
class ExpressExchange implements HttpExchange {
  readonly locals: object;

  constructor(
    readonly request: Request,
    readonly response: Response,
  ) {
    this.locals = response.locals;
  }

  get appRequest(): Request {
    return this.request;
  }

  get appResponse(): Response {
    return this.response;
  }

  headers(): OutgoingHttpHeaders {
    return this.response.getHeaders();
  }

  beforeFlush(): void {}

  takeRetryMarker(): boolean {
    return takeExpressRetryMarker(this.request);
  }

  setValidators(validators: Validators): void {
    setValidators(this.response, validators);
  }

  answerNotModified(validators: Validators): void {
    answerNotModified(this.response, validators);
  }
}

/** The parts of an Express request the module reads, from a Fastify request. */
function expressShaped(request: FastifyRequestLike): Request {
  const raw = request.raw;
  const view = {
    method: request.method,
    headers: request.headers,
    httpVersion: raw.httpVersion,
    get url() {
      return raw.url ?? '/';
    },
    get originalUrl() {
      return raw.url ?? '/';
    },
    get path() {
      const url = raw.url ?? '/';
      const query = url.indexOf('?');
      return query < 0 ? url : url.slice(0, query);
    },
    route: { path: request.routeOptions?.url },
    secure: request.protocol === 'https',
    host: request.host ?? request.hostname,
    accepts: (...types: string[]) => accepts(raw).type(types),
  };
  return view as unknown as Request;
}

function ignore<T>(this: T): T {
  return this;
}

function fastifyExchange(request: FastifyRequestLike, reply: FastifyReplyLike): HttpExchange {
  const response = reply.raw as Response;
  const view = expressShaped(request);
  /** Headers the reply holds until it sends (helmet's, say) onto the Node response the module writes. */
  const copyReplyHeaders = (): void => {
    for (const [name, value] of Object.entries(reply.getHeaders())) {
      if (value !== undefined && response.getHeader(name) === undefined) response.setHeader(name, value);
    }
  };
  return {
    appRequest: request as unknown as Request,
    appResponse: reply as unknown as Response,
    request: view,
    response,
    locals: reply.locals ?? undefined,
    headers: () => reply.getHeaders(),
    beforeFlush: copyReplyHeaders,
    heldHeaders: () => {
      // Hijacked: the app writes reply.raw itself, and what the reply holds never goes out.
      if (reply.sent === true) return undefined;
      const held = reply.getHeaders();
      // getHeaders() starts from the Node response's, whose Content-Type is the flushed one;
      // getHeader() reads it through the flush guard, which hides that one: what is left is
      // the reply's own type, or none (a stream sent without one).
      held['content-type'] = reply.getHeader('content-type');
      return held;
    },
    takeRetryMarker: () => {
      const url = request.raw.url;
      const retry = takeRetryMarker(request.raw);
      // Fastify parsed the query before the handler: the app must not see the mark there either.
      if (request.raw.url !== url && request.query && typeof request.query === 'object')
        delete (request.query as Record<string, unknown>)[RETRY_MARKER];
      return retry;
    },
    setValidators: (validators) => setValidators(response, validators),
    answerNotModified: (validators) => {
      copyReplyHeaders();
      answerNotModified(response, validators);
      // Nest still hands the (absent) result to the reply; it must send nothing more.
      const sealed = reply as unknown as Record<string, unknown>;
      for (const method of ['send', 'view', 'code', 'status', 'header', 'headers', 'type', 'redirect'])
        sealed[method] = ignore;
    },
  };
}

/** The exchange of a request on Express or Fastify; undefined on another platform, which the module leaves alone. */
export function exchangeOf(request: unknown, response: unknown): HttpExchange | undefined {
  if (isExpressResponse(response)) return new ExpressExchange(request as Request, response);
  if (isFastifyReply(response)) return fastifyExchange(request as FastifyRequestLike, response);
  return undefined;
}
