import { Injectable } from '@nestjs/common';
import type { PreloadAttributes, PreloadHint } from './preload-hint.interface.js';
import { normalizeHint } from './preload-hint.js';

/**
 * The assets one request wants preloaded. The template helper records into it while
 * the page renders; a service may inject it (it is request-scoped) and add hints of
 * its own. The interceptor reads it when the response headers are written.
 */
@Injectable()
export class PreloadCollector {
  private readonly hints = new Map<string, PreloadHint>();

  /**
   * Records a URL to preload. `as` is inferred from the extension when left out, and
   * fonts get `crossorigin` by default. Recording a URL twice keeps the first hint.
   * Throws a `TypeError` for an empty URL or an attribute browsers would not accept.
   */
  add(url: string, attributes?: PreloadAttributes): this {
    if (!this.hints.has(url)) this.hints.set(url, normalizeHint(url, attributes));
    return this;
  }

  /** The recorded hints, in the order they were first recorded. */
  entries(): PreloadHint[] {
    return [...this.hints.values()];
  }

  /** How many distinct URLs were recorded. */
  get size(): number {
    return this.hints.size;
  }
}

const collectors = new WeakMap<object, PreloadCollector>();

/**
 * The one collector of a request, created on first use. Keyed by the request object,
 * so the request-scoped provider, the singleton interceptor and the helper all see
 * the same instance without making anything else request-scoped.
 */
export function collectorFor(request: object): PreloadCollector {
  let collector = collectors.get(request);
  if (!collector) {
    collector = new PreloadCollector();
    collectors.set(request, collector);
  }
  return collector;
}
