#!/usr/bin/env node
/** The package's bin: `npx nestjs-http2-preload doctor <url>`. What each file of src/doctor/ does: index.ts. */
import { runDoctor, USAGE } from './doctor.command.js';

const [command, ...rest] = process.argv.slice(2);
const out = {
  stdout: (text: string) => process.stdout.write(text),
  stderr: (text: string) => process.stderr.write(text),
};

// No top-level await: the same file is also compiled into the CommonJS build.
if (command === 'doctor') {
  void runDoctor(rest, out).then((code) => (process.exitCode = code));
} else if (command === undefined || command === '-h' || command === '--help') {
  out.stdout(USAGE);
  process.exitCode = command === undefined ? 2 : 0;
} else {
  out.stderr(`nestjs-http2-preload: unknown command "${command}"\n\n${USAGE}`);
  process.exitCode = 2;
}
