// netjet ships no types; this is the part of its API the bench uses.
declare module 'netjet' {
  import type { RequestHandler } from 'express';
  export default function netjet(options?: Record<string, unknown>): RequestHandler;
}
