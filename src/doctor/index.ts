/**
 * The doctor: `npx nestjs-http2-preload doctor <url>` (cli.ts, the package's bin) checks a
 * live page through whatever proxy sits in front of the app. One straight line:
 * doctor.command.ts reads the arguments; probe.ts visits the page as a browser would and
 * records what came back and when (observation.ts, plain data; html-scan.ts, css-scan.ts and
 * link-parse.ts read bodies and headers in linear time); analysis.ts decides, in three
 * steps: what was observed (observed.ts), the checks (checks/, one topic each), the
 * verdict (verdict.ts), into a Diagnosis (diagnosis.ts); report.format.ts writes it for
 * people, terminal-text.ts keeps what the network sent from acting on the terminal.
 * No Nest here: it checks any URL.
 */
export { diagnose, type DiagnoseOptions } from './analysis.js';
export type { AssetReport, Diagnosis, Finding, RequestReport, Severity, Strategy, Verdict } from './diagnosis.js';
export { parseDoctorArgs, runDoctor, USAGE, type DoctorArgs, type Output } from './doctor.command.js';
export type { Observations } from './observation.js';
export { observe, type ProbeOptions } from './probe.js';
export { formatReport } from './report.format.js';
