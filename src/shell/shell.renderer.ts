import { Inject, Injectable, Logger } from '@nestjs/common';
import { readFileSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { HTTP2_PRELOAD_OPTIONS } from '../http2-preload.module-definition.js';
import type { ResolvedHttp2PreloadOptions } from '../http2-preload-options.interface.js';
import {
  compilingInstanceOf,
  registeredHandlebars,
  type CompiledTemplate,
  type CompilingHandlebars,
} from './shell-handlebars.js';
import {
  layoutProblem,
  SHELL_BODY_MARK,
  splitRenderedLayout,
  webkitPaintShortfall,
  type SplitLayout,
} from './shell-layout.js';

/**
 * Renders the shell option's layout around a mark in the body's place, with the
 * Handlebars instance the preload helper was registered on (or the one the option
 * names): before the handler, from what middleware and the route declared; after it,
 * from the page's own data, for what ends the page. The layout is read and checked at
 * bootstrap, and compiled once, on first use (the helper may be registered after the
 * module starts).
 */
@Injectable()
export class ShellRenderer {
  private readonly logger = new Logger('Http2Preload');
  private readonly source: string | undefined;
  private template: CompiledTemplate | undefined;
  private failureLogged = false;
  private paintChecked = false;

  constructor(@Inject(HTTP2_PRELOAD_OPTIONS) private readonly options: ResolvedHttp2PreloadOptions) {
    const shell = options.shell;
    if (shell === false) return;
    if (!isAbsolute(shell.layout))
      throw new TypeError(
        `Http2PreloadModule: option "shell.layout" must be an absolute path to the layout file, such as join(__dirname, '..', 'views', 'layout.hbs'); got ${JSON.stringify(shell.layout)}.`,
      );
    let source: string;
    try {
      source = readFileSync(shell.layout, 'utf8');
    } catch (error) {
      throw new TypeError(
        `Http2PreloadModule: option "shell.layout" names a file that cannot be read (${(error as Error).message}).`,
        { cause: error },
      );
    }
    const problem = layoutProblem(source);
    if (problem !== undefined) throw new TypeError(`Http2PreloadModule: the shell layout ${shell.layout} ${problem}.`);
    this.source = source;
  }

  /** Whether the option is on at all. */
  get enabled(): boolean {
    return this.source !== undefined;
  }

  /** The layout rendered with these template variables, split at the body; undefined (logged once) when it cannot be. */
  render(locals: object): SplitLayout | undefined {
    const template = this.compiled();
    if (template === undefined) return undefined;
    try {
      const split = splitRenderedLayout(template({ ...locals, body: SHELL_BODY_MARK }));
      if (split === undefined) this.failOnce('its {{{body}}} did not render exactly once (is it inside a block?)');
      else this.checkPaintOnce(split.head);
      return split;
    } catch (error) {
      this.failOnce(`rendering it failed (${(error as Error).message})`);
      return undefined;
    }
  }

  private compiled(): CompiledTemplate | undefined {
    if (this.template !== undefined || this.source === undefined) return this.template;
    const shell = this.options.shell as Exclude<ResolvedHttp2PreloadOptions['shell'], false>;
    const handlebars: CompilingHandlebars | undefined = compilingInstanceOf(shell.handlebars) ?? registeredHandlebars();
    if (handlebars === undefined) {
      this.failOnce('no Handlebars instance is known: call registerPreloadHelper() on the one your view engine uses');
      return undefined;
    }
    this.template = handlebars.compile(this.source);
    return this.template;
  }

  /** The first shell rendered says whether Safari can paint it early: a layout that cannot is worth a warning, once. */
  private checkPaintOnce(head: string): void {
    if (this.paintChecked) return;
    this.paintChecked = true;
    const shortfall = webkitPaintShortfall(head);
    if (shortfall === undefined) return;
    const layout = (this.options.shell as { layout: string }).layout;
    this.logger.warn(`The page shell from ${layout} ${shortfall} (logged once).`);
  }

  private failOnce(problem: string): void {
    if (this.failureLogged) return;
    this.failureLogged = true;
    const layout = (this.options.shell as { layout: string }).layout;
    this.logger.warn(`No page shell from ${layout}: ${problem}. Pages are flushed without it (logged once).`);
  }
}
