import type { Client } from 'autocannon';

/** http-parser-js's callback slots (HTTPParser.kOnHeadersComplete and kOnMessageComplete). */
const ON_HEADERS_COMPLETE = 2;
const ON_MESSAGE_COMPLETE = 4;

type Callback = (...args: any[]) => unknown;

/** Counts the 1xx responses the clients skipped, so the report can show the 103s were there. */
export interface InformationalCounter {
  count: number;
}

/**
 * autocannon's parser (http-parser-js) reports a `103 Early Hints` as a complete response:
 * autocannon would count it, send the next request while the real 200 is still due, and
 * pair that 200 with the wrong request. A browser (and node:http) treats a 1xx as a
 * preamble to the response. This `setupClient` hook makes autocannon do the same: the
 * message-complete callback of a 1xx is swallowed, so a request counts once, when its
 * final response ends, and its latency runs to that point.
 *
 * autocannon installs its callbacks on `client.parser` only after `setupClient` returns,
 * so they are intercepted with accessors rather than wrapped in place.
 */
export function skipInformationalResponses(counter: InformationalCounter): (client: Client) => void {
  return (client) => {
    const parser = (client as unknown as { parser: Record<number, Callback> }).parser;
    let informational = false;
    intercept(
      parser,
      ON_HEADERS_COMPLETE,
      (original) =>
        function (this: unknown, info: { statusCode?: number } | number, ...rest: unknown[]) {
          // compat mode passes one info object; older mode passes statusCode as the 6th argument
          const status = typeof info === 'object' ? info.statusCode : (rest[4] as number | undefined);
          informational = status !== undefined && status >= 100 && status < 200;
          return original.call(this, info, ...rest);
        },
    );
    intercept(
      parser,
      ON_MESSAGE_COMPLETE,
      (original) =>
        function (this: unknown, ...args: unknown[]) {
          if (informational) {
            informational = false;
            counter.count++;
            return undefined;
          }
          return original.apply(this, args);
        },
    );
  };
}

function intercept(target: Record<number, Callback>, slot: number, wrap: (original: Callback) => Callback): void {
  let wrapped: Callback | undefined;
  Object.defineProperty(target, slot, {
    configurable: true,
    get: () => wrapped,
    set: (original: Callback) => {
      wrapped = wrap(original);
    },
  });
}
