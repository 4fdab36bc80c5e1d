import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import type { Response } from 'express';
import {
  type AfterFlushOutcome,
  type FlushedResponse,
  flushHeadersEarly,
  inlineScriptAllowed,
  recoveryPage,
  type ShellEnding,
} from './flush/index.js';
import { createNonceReader } from './csp-nonce.js';
import {
  appendLinkHeader,
  earlyHintLinks,
  flushedEarlyLinks,
  formatLink,
  formatLinkHeader,
  type LinkFormatOptions,
  ownsSocket,
} from './link/index.js';
import { HTTP2_PRELOAD_OPTIONS } from './http2-preload.module-definition.js';
import { PRELOAD_MODE } from './preload-vocabulary.js';
import type { ResolvedHttp2PreloadOptions } from './http2-preload-options.interface.js';
import type { HeaderTimeResult } from './preload-mode.js';
import type { PreloadHint } from './preload-hint.interface.js';
import type { PreloadRequest } from './preload-request.js';
import { redirectPreloadTarget } from './redirect-preload.js';
import { paddedShell, ShellRenderer, titleOf, titleScript } from './shell/index.js';
import { redirectFacts, routeLabel } from './request-facts.js';

/**
 * The emit step: what the module writes on a response. Early, before the handler runs:
 * flushed headers (flushed-response.ts) or a `103 Early Hints`. Late, while the
 * response's headers are written: the `Link` and debug headers. Links carry the
 * request's CSP nonce when it has one. A failure to emit is logged and costs only the
 * hints: the response goes on without them.
 */
@Injectable()
export class PreloadEmitter implements OnModuleDestroy {
  private readonly logger = new Logger('Http2Preload');
  private readonly linkOptions: LinkFormatOptions;
  private readonly readNonce: ReturnType<typeof createNonceReader>;
  /** Nest has begun to shut down (a signal with enableShutdownHooks(), or app.close()). */
  private shuttingDown = false;

  constructor(
    @Inject(HTTP2_PRELOAD_OPTIONS) private readonly options: ResolvedHttp2PreloadOptions,
    private readonly shell: ShellRenderer,
  ) {
    this.linkOptions = { nopush: !options.serverPush, maxBytes: options.maxHeaderBytes };
    this.readNonce = createNonceReader(options.nonce, this.logger);
  }

  /**
   * From here on nothing is flushed: a page still being made when the process goes
   * (a forced close, a kill at the end of a grace period) would leave a blank 200; a late
   * one leaves the browser's own error, which says reload. Nest calls onModuleDestroy()
   * first on shutdown, before any beforeApplicationShutdown() (where a health check
   * drains, as @nestjs/terminus's graceful shutdown does, serving requests meanwhile).
   */
  onModuleDestroy(): void {
    this.shuttingDown = true;
  }

  /**
   * Flushes a 200 with the hints; undefined when not one link fits, the app is shutting
   * down, or the flush could not even start (the request then goes late). `settled` hears
   * what followed it.
   */
  flush(
    page: PreloadRequest,
    hints: readonly PreloadHint[],
    settled: (outcome: AfterFlushOutcome) => void,
    withShell = false,
    sessionProblem?: () => string | undefined,
  ): FlushedResponse | undefined {
    if (this.shuttingDown) return undefined;
    const { request, response } = page;
    const linkOptions = this.linkOptionsFor(page);
    const links = flushedEarlyLinks(hints, linkOptions);
    if (links === undefined) return undefined;
    try {
      page.exchange.beforeFlush();
      const scriptAllowed = (): boolean =>
        inlineScriptAllowed(
          response.getHeader('content-security-policy') as string | string[] | undefined,
          linkOptions.nonce,
        );
      const shell = withShell ? this.shellOf(page, linkOptions.nonce, scriptAllowed) : undefined;
      return flushHeadersEarly(
        response,
        {
          link: appendLinkHeader(response.getHeader('link'), links),
          debug: this.debugHeader(PRELOAD_MODE.early),
          disableProxyBuffering: this.options.disableProxyBuffering,
        },
        {
          settled,
          sessionProblem,
          heldHeaders: page.exchange.heldHeaders,
          recoveryPage: () =>
            recoveryPage({ requestUrl: request.originalUrl, nonce: linkOptions.nonce, scriptAllowed: scriptAllowed() }),
          shell: shell?.ending,
        },
        shell?.firstChunk,
      );
    } catch (error) {
      this.logger.warn(`Could not flush early headers for ${routeLabel(request)}: ${(error as Error).message}`);
      if (response.headersSent) response.destroy();
      return undefined;
    }
  }

  /**
   * One 103 with the links Node can carry and the browsers act on (earlyHintLinks); false
   * when there are none or the response does not own its connection (early-hints.ts).
   */
  sendEarlyHints(page: PreloadRequest, hints: readonly PreloadHint[]): boolean {
    const { request, response } = page;
    try {
      // Checked first: on a pipelined connection there is nothing to format the links for.
      if (!ownsSocket(response)) return false;
      const links = earlyHintLinks(hints, this.linkOptionsFor(page));
      if (links.length === 0) return false;
      response.writeEarlyHints({ link: [...links] });
      return true;
    } catch (error) {
      this.logger.warn(`Could not send 103 Early Hints for ${routeLabel(request)}: ${(error as Error).message}`);
      return false;
    }
  }

  /**
   * The page's shell, for a flush that carries one: the layout before its body, rendered
   * from the app's and the response's template variables and what the route declares;
   * and how the page's own render ends it (the layout's rest, from the page's data, and
   * the page's title when it differs from the shell's): on Express the view renders
   * without its layout (flushed-response.ts); on Fastify, whose `reply.view()` renders
   * the whole document, the layout's start is taken off it. Undefined when the shell
   * cannot be rendered: the flush then goes without it.
   */
  private shellOf(
    page: PreloadRequest,
    nonce: string | undefined,
    scriptAllowed: () => boolean,
  ): { readonly firstChunk: string; readonly ending: ShellEnding } | undefined {
    // Express: app.locals; Fastify: none (what @fastify/view adds comes with the reply's locals).
    const response = page.response as Response & { app?: { locals?: object } };
    const locals = (): object => ({ ...response.app?.locals, ...page.exchange.locals });
    const declared = page.route.shell === false ? undefined : page.route.shell?.data;
    const start = this.shell.render({ ...locals(), ...declared });
    if (start === undefined) return undefined;
    const shellTitle = titleOf(start.head);
    const layoutFor = (pageLocals: object | undefined) =>
      this.shell.render({ ...locals(), ...declared, ...pageLocals });
    const retitled = (head: string, tail: string): string => {
      const title = titleOf(head);
      const retitle = title !== undefined && title !== shellTitle && scriptAllowed();
      return retitle ? `${titleScript(title, nonce)}${tail}` : tail;
    };
    return {
      firstChunk: paddedShell(start.head),
      ending: {
        rest: (pageLocals) => {
          const end = layoutFor(pageLocals);
          return end === undefined ? undefined : retitled(end.head, end.tail);
        },
        afterDocument: (document, pageLocals) => {
          const end = layoutFor(pageLocals);
          if (end === undefined || document.length < end.head.length + end.tail.length) return undefined;
          if (!document.startsWith(end.head) || !document.endsWith(end.tail)) return undefined;
          const view = document.slice(end.head.length, document.length - end.tail.length);
          return `${view}${retitled(end.head, end.tail)}`;
        },
      },
    };
  }

  /** The late step's headers, while the response's headers are written: the page's links after any the handler set, and the debug header. */
  setLateHeaders(page: PreloadRequest, result: HeaderTimeResult): void {
    if (result.mode === undefined) return;
    const { response, collector } = page;
    if (result.addLinks) {
      const links = formatLinkHeader(collector.entries(), this.linkOptionsFor(page));
      if (links !== '') response.setHeader('Link', appendLinkHeader(response.getHeader('link'), links));
    }
    const debug = this.debugHeader(result.mode);
    if (debug) response.setHeader(debug[0], debug[1]);
  }

  /** `preloadRedirects`: a same-origin HTTPS redirect gets a preload of where it leads. */
  setRedirectPreload(page: PreloadRequest): void {
    const { request, response, route, collector } = page;
    const target = redirectPreloadTarget(
      redirectFacts(request, response, route.optedOut || !collector.redirectPreloadWanted),
    );
    if (target !== undefined)
      response.setHeader('Link', formatLink({ url: target, as: 'document' }, this.linkOptionsFor(page)));
  }

  private debugHeader(mode: string): readonly [string, string] | undefined {
    return this.options.debugHeader ? [this.options.debugHeader, mode] : undefined;
  }

  /** The link format for this request: the module's, plus the request's CSP nonce when it has one. */
  private linkOptionsFor(page: PreloadRequest): LinkFormatOptions {
    if (page.nonce === undefined)
      page.nonce =
        this.readNonce(page.exchange.appRequest, page.exchange.appResponse, () => routeLabel(page.request)) ?? null;
    return page.nonce === null ? this.linkOptions : { ...this.linkOptions, nonce: page.nonce };
  }
}
