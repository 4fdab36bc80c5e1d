import { readFile } from 'node:fs/promises';
import { DEFAULT_DEBUG_HEADER } from '../http2-preload-options.defaults.js';
import { diagnose, type Diagnosis } from './analysis.js';
import { observe, type ProbeOptions } from './probe.js';
import { formatReport } from './report.format.js';
import { escapeControls, terminalSafeJson } from './terminal-text.js';

export const USAGE = `Usage: nestjs-http2-preload doctor <url> [options]

Checks, against a live page and whatever proxy sits in front of the app, whether its
preload hints reach the browser early, which strategy works there (flushHeaders or
earlyHints), and whether the hinted files are usable. Run it on a page of a route that
sends hints (the doctor requests it twice: the first request warms the route).

Options:
  --json           print the diagnosis as JSON (see the README for its shape)
  --insecure       accept any TLS certificate (self-signed, a local CA)
  --ca <file>      trust this CA certificate (PEM) as well
  --timeout <ms>   longest wait for one request (default 15000)
  --debug-header <name>
                   the app's debug header, if its debugHeader option renamed it
                   (default ${DEFAULT_DEBUG_HEADER})
  -h, --help       this help

Exit status: 0 fine, 1 something to fix, 2 could not check.
`;

/** RFC 9110's token: what a header name may be. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

export interface DoctorArgs {
  readonly url: string;
  readonly json: boolean;
  readonly insecure: boolean;
  readonly caFile?: string;
  readonly timeoutMs: number;
  /** The app's debug header, when renamed. */
  readonly debugHeader?: string;
}

export type ParsedArgs = { readonly args: DoctorArgs } | { readonly help: true } | { readonly error: string };

/** Reads the arguments after `doctor`. */
export function parseDoctorArgs(argv: readonly string[]): ParsedArgs {
  let url: string | undefined;
  let json = false;
  let insecure = false;
  let caFile: string | undefined;
  let timeoutMs = 15_000;
  let debugHeader: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '-h' || arg === '--help') return { help: true };
    else if (arg === '--json') json = true;
    else if (arg === '--insecure' || arg === '-k') insecure = true;
    else if (arg === '--ca' || arg === '--timeout' || arg === '--debug-header') {
      const value = argv[++i];
      if (value === undefined) return { error: `${arg} needs a value` };
      if (arg === '--ca') caFile = value;
      else if (arg === '--debug-header') {
        if (!HEADER_NAME.test(value)) return { error: `--debug-header must be a header name, got "${value}"` };
        debugHeader = value.toLowerCase();
      } else {
        timeoutMs = Number(value);
        if (!Number.isInteger(timeoutMs) || timeoutMs <= 0)
          return { error: `--timeout must be a positive number of milliseconds, got "${value}"` };
      }
    } else if (arg.startsWith('-')) return { error: `unknown option ${arg}` };
    else if (url === undefined) url = arg;
    else return { error: `one URL only, got "${url}" and "${arg}"` };
  }
  if (url === undefined) return { error: 'give the URL of a page, for example https://example.com/' };
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { error: `not a URL: "${url}" (give an absolute http:// or https:// URL)` };
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    return { error: `only http:// and https:// URLs, got "${url}"` };
  return { args: { url: parsed.href, json, insecure, caFile, timeoutMs, debugHeader } };
}

export interface Output {
  stdout(text: string): void;
  stderr(text: string): void;
}

/** Runs the doctor on the URL; resolves with the exit status. */
export async function runDoctor(argv: readonly string[], out: Output): Promise<number> {
  const parsed = parseDoctorArgs(argv);
  if ('help' in parsed) {
    out.stdout(USAGE);
    return 0;
  }
  if ('error' in parsed) {
    out.stderr(`nestjs-http2-preload doctor: ${escapeControls(parsed.error)}\n\n${USAGE}`);
    return 2;
  }
  const { args } = parsed;
  let ca: string | undefined;
  if (args.caFile) {
    try {
      ca = await readFile(args.caFile, 'utf8');
    } catch (error) {
      out.stderr(
        `nestjs-http2-preload doctor: ${escapeControls(`cannot read --ca ${args.caFile}: ${(error as Error).message}`)}\n`,
      );
      return 2;
    }
  }
  const options: ProbeOptions = { timeoutMs: args.timeoutMs, insecure: args.insecure, ca };
  let diagnosis: Diagnosis;
  try {
    diagnosis = diagnose(await observe(args.url, options), { debugHeader: args.debugHeader });
  } catch (error) {
    // The probe turns network failures into observations; this is a bug, said plainly.
    out.stderr(`nestjs-http2-preload doctor: unexpected error: ${escapeControls((error as Error).message)}\n`);
    return 2;
  }
  out.stdout(args.json ? terminalSafeJson(diagnosis) + '\n' : formatReport(diagnosis));
  return diagnosis.verdict.exitCode;
}
