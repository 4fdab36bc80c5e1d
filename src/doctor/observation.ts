/**
 * What the doctor saw on the wire, as plain data: the probe (I/O) fills it in, the
 * analysis (pure) reads it. Times are milliseconds since the request was sent.
 */

export type Protocol = 'h2' | 'http/1.1';

/** Why a request gave no usable answer. */
export type FailureKind = 'timeout' | 'tls' | 'unreachable' | 'protocol' | 'other';

export interface Failure {
  readonly kind: FailureKind;
  /** Node's error code when it had one (`ECONNREFUSED`, `ERR_HTTP2_STREAM_ERROR`, `DEPTH_ZERO_SELF_SIGNED_CERT`…). */
  readonly code?: string;
  readonly message: string;
}

/** A 1xx response before the final one (a 103 Early Hints). */
export interface Interim {
  readonly status: number;
  readonly atMs: number;
  /** Its Link header, if any. */
  readonly link?: string;
}

/** One request of the page and everything that came back for it. */
export interface Exchange {
  readonly protocol: Protocol;
  readonly interim: Interim[];
  /** The final status; absent when the request failed before one arrived. */
  readonly status?: number;
  /** Response headers, names in lower case, repeated ones joined with `, `. */
  readonly headers: Record<string, string>;
  /** Size of the response headers as `name: value\r\n` lines, about what a proxy must buffer. */
  readonly headerBytes: number;
  /** When the final response's headers arrived. */
  readonly headersAtMs?: number;
  /** The first piece of body the client received held only whitespace: the module's flushed newline came alone. */
  readonly firstChunkBlank?: boolean;
  /** When the first byte of the body that is not whitespace arrived (decoded). */
  readonly contentAtMs?: number;
  /** When the body was complete. */
  readonly endAtMs?: number;
  /** The body (decoded, cut to a size the analysis needs). */
  readonly body: string;
  readonly failure?: Failure;
}

/** How the page's origin talks. */
export type Transport =
  /** `http:`: browsers use HTTP/1.1 (they do not speak cleartext HTTP/2). */
  | 'cleartext'
  /** TLS, and ALPN chose HTTP/2. */
  | 'tls-h2'
  /** TLS without HTTP/2. */
  | 'tls-http1';

/** A hinted file (or a stylesheet of the page), fetched as the browser would. */
export interface AssetFetch {
  /** Absolute URL. */
  readonly url: string;
  readonly status?: number;
  readonly headers: Record<string, string>;
  /** Kept for stylesheets only, to see which fonts and images they use. */
  readonly body?: string;
  readonly failure?: Failure;
}

export interface Observations {
  /** The page, as given (absolute). */
  readonly url: string;
  readonly transport?: Transport;
  /** Set when the origin could not be reached at all (DNS, refused, TLS, timeout). */
  readonly failure?: Failure;
  /** The first request: it warms the route's hint cache. */
  readonly warm?: Exchange;
  /** The page again over HTTP/2, when TLS offers it. */
  readonly h2?: Exchange;
  /** The page again over HTTP/1.1. */
  readonly http1?: Exchange;
  /** Each hinted file and each stylesheet of the page. */
  readonly assets: AssetFetch[];
}
