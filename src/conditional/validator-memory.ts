import { flatCopy } from '../flat-string.js';
import { NO_VALIDATOR_HISTORY, type ValidatorHistory, type ValidatorRecord } from './revalidation.js';

/**
 * What a route's responses have shown about their validators (revalidation.ts decides
 * from it): the last few `ETag` and `Last-Modified` values each handler sent, whether
 * one came twice, and whether one was not the module's. Bounded per handler: a few
 * short values per kind, dropped once a value has repeated (nothing more to learn).
 * Held by route-learning.ts, the one owner of what routes have shown.
 */

/** What one response showed, read when it was decided (late: its headers; flushed: its first body byte). */
export interface ValidatorObservation {
  /** The response's `ETag` and `Last-Modified`: the module's, Express's own body ETag, the handler's. */
  readonly etag: string | undefined;
  readonly lastModified: string | undefined;
  /** What `@Conditional()` set on it, if anything. */
  readonly moduleEtag: string | undefined;
  readonly moduleLastModified: string | undefined;
  /** It is a `304`: the request's validator matched. */
  readonly notModified: boolean;
  /** The request had `If-None-Match` (so a `304` matched the ETag; otherwise `Last-Modified`). */
  readonly ifNoneMatch: boolean;
  /** The `304` came after flushed headers: something other than the module's settling answered it. */
  readonly underFlush: boolean;
}

/** Values kept per kind: enough to see a stable page repeat, little enough to hold for every handler. */
const RECENT_VALUES = 8;
/** A value longer than this is not kept, and counts as a repeat: nothing shows it never comes back. */
const LONGEST_VALUE = 256;

/** One kind of validator of one handler. */
class KindMemory {
  private recent: string[] | undefined = [];
  private seen = 0;
  record: ValidatorRecord = 'unknown';

  /** Notes a value the route sent; the weak and strong forms of a tag are the same value here (RFC 9110 §8.8.3.2). */
  sent(value: string): void {
    if (this.recent === undefined) return;
    const opaque = value.startsWith('W/') ? value.slice(2) : value;
    if (opaque.length > LONGEST_VALUE || this.recent.includes(opaque)) return this.repeated();
    this.recent.push(flatCopy(opaque));
    if (this.recent.length > RECENT_VALUES) this.recent.shift();
    this.seen += 1;
    if (this.seen >= 2) this.record = 'unique';
  }

  repeated(): void {
    this.recent = undefined;
    this.record = 'repeated';
  }
}

class HandlerMemory implements ValidatorHistory {
  private readonly etag = new KindMemory();
  private readonly modified = new KindMemory();
  foreignEtag = false;
  foreignLastModified = false;

  get etags(): ValidatorRecord {
    return this.etag.record;
  }

  get lastModified(): ValidatorRecord {
    return this.modified.record;
  }

  /** True when a `304` just showed that a kind of validator repeats. */
  observe(response: ValidatorObservation): boolean {
    if (response.notModified) {
      const kind = response.ifNoneMatch ? this.etag : this.modified;
      const before = kind.record;
      kind.repeated();
      // Answered underneath the flush: the module does not own that validator, whatever it set.
      if (response.underFlush) {
        if (response.ifNoneMatch) this.foreignEtag = true;
        else this.foreignLastModified = true;
      }
      return before !== 'repeated';
    }
    if (response.etag !== undefined) {
      if (response.etag !== response.moduleEtag) this.foreignEtag = true;
      this.etag.sent(response.etag);
    }
    if (response.lastModified !== undefined) {
      if (response.lastModified !== response.moduleLastModified) this.foreignLastModified = true;
      this.modified.sent(response.lastModified);
    }
    return false;
  }
}

/** Each handler's validator history, keyed by handler function: bounded by the code. */
export class ValidatorMemories {
  private readonly memories = new WeakMap<Function, HandlerMemory>();

  /** What the handler's responses have shown; no allocation per request. */
  of(handler: Function): ValidatorHistory {
    return this.memories.get(handler) ?? NO_VALIDATOR_HISTORY;
  }

  /**
   * Records what a response of the handler showed. True when it was a `304` that showed
   * for the first time that the validator it matched repeats: after a flush, worth one
   * log line (the route's revalidations go late from now on).
   */
  record(handler: Function, response: ValidatorObservation): boolean {
    let memory = this.memories.get(handler);
    if (memory === undefined) {
      if (response.etag === undefined && response.lastModified === undefined && !response.notModified) return false;
      this.memories.set(handler, (memory = new HandlerMemory()));
    }
    return memory.observe(response);
  }
}
