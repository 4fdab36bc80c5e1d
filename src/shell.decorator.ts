import { SetMetadata } from '@nestjs/common';

/** Reflect-metadata key written by `@Shell()`. */
export const SHELL_METADATA = 'nestjs-http2-preload:shell';

/** What `@Shell()` says about a route: its layout data, or `false` to opt out. */
export type ShellMetadata = { readonly data: Readonly<Record<string, unknown>> } | false;

/**
 * Streams this route's page shell when its headers are flushed (the module's `shell`
 * option names the layout): the layout before `{{{body}}}` is rendered from
 * `res.locals` and `data` before the handler runs. `data` is what the layout needs
 * that middleware does not set, such as the page's `title`. `@Shell(false)` opts a
 * route out when the option's `routes` is `'all'`.
 */
export function Shell(data: Readonly<Record<string, unknown>> | false = {}): ClassDecorator & MethodDecorator {
  if (data !== false && (data === null || typeof data !== 'object' || Array.isArray(data)))
    throw new TypeError('@Shell(): expects an object of layout data, or false to opt out.');
  return SetMetadata<string, ShellMetadata>(
    SHELL_METADATA,
    data === false ? false : { data: Object.freeze({ ...data }) },
  );
}
