import { Inject, Injectable, Logger, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import onHeaders from 'on-headers';
import type { Observable } from 'rxjs';
import { HTTP2_PRELOAD_OPTIONS, NO_PRELOAD_METADATA, PRELOAD_MODE } from './http2-preload.constants.js';
import type { ResolvedHttp2PreloadOptions } from './http2-preload-options.interface.js';
import { appendLinkHeader, formatLinkHeader } from './link-header.js';
import { collectorFor, type PreloadCollector } from './preload.collector.js';
import { lateMode } from './preload-mode.js';
import { attachRenderContext } from './preload-render-context.js';

/** Express responses only: another platform's reply has no `locals` to hand the helper. */
function isExpressResponse(response: unknown): response is Response {
  return (
    typeof response === 'object' &&
    response !== null &&
    typeof (response as Response).writeHead === 'function' &&
    typeof (response as Response).locals === 'object'
  );
}

/**
 * Global interceptor, a singleton (it must not make every controller request-scoped).
 * Before the handler it hands the request's collector to the templates; the `Link`
 * header is added when the headers are written, because `@Render()` templates (and so
 * the helper's recordings) run only after the handler's observable has completed.
 */
@Injectable()
export class PreloadInterceptor implements NestInterceptor {
  private readonly logger = new Logger('Http2Preload');

  constructor(
    @Inject(HTTP2_PRELOAD_OPTIONS) private readonly options: ResolvedHttp2PreloadOptions,
    private readonly reflector: Reflector,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (!this.options.preloadHeaders || context.getType() !== 'http') return next.handle();
    const http = context.switchToHttp();
    const request = http.getRequest<Request>();
    const response = http.getResponse<unknown>();
    if (!isExpressResponse(response)) return next.handle();

    const optedOut =
      this.reflector.getAllAndOverride<boolean | undefined>(NO_PRELOAD_METADATA, [
        context.getHandler(),
        context.getClass(),
      ]) === true;
    const collector = collectorFor(request);
    attachRenderContext(response.locals, { collector, staticPrefix: this.options.staticPrefix });
    onHeaders(response, () => this.beforeHeadersWritten(request, response, collector, optedOut));
    return next.handle();
  }

  private beforeHeadersWritten(request: Request, response: Response, collector: PreloadCollector, optedOut: boolean): void {
    // Runs inside writeHead(): a throw here would break a response that is otherwise fine.
    try {
      const mode = lateMode({
        statusCode: response.statusCode,
        contentType: response.getHeader('content-type'),
        optedOut,
        hintCount: collector.size,
      });
      if (mode === undefined) return;
      if (mode === PRELOAD_MODE.late) {
        const links = formatLinkHeader(collector.entries(), { nopush: !this.options.serverPush });
        response.setHeader('Link', appendLinkHeader(response.getHeader('link'), links));
      }
      if (this.options.debugHeader) response.setHeader(this.options.debugHeader, mode);
    } catch (error) {
      this.logger.warn(`No preload headers for ${request.method} ${request.path}: ${(error as Error).message}`);
    }
  }
}
