import type { Diagnosis } from '../../src/doctor/analysis.js';
import { runDoctor } from '../../src/doctor/doctor.command.js';

export interface DoctorRun {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `nestjs-http2-preload doctor <args>` in this process, as the bin does, capturing its output. */
export async function doctor(...args: string[]): Promise<DoctorRun> {
  let stdout = '';
  let stderr = '';
  const exitCode = await runDoctor(args, {
    stdout: (text) => void (stdout += text),
    stderr: (text) => void (stderr += text),
  });
  return { exitCode, stdout, stderr };
}

/** The same with `--json`: the exit status and the parsed diagnosis. */
export async function doctorJson(...args: string[]): Promise<{ exitCode: number; diagnosis: Diagnosis }> {
  const run = await doctor('--json', ...args);
  if (run.stderr) throw new Error(`doctor wrote to stderr: ${run.stderr}`);
  return { exitCode: run.exitCode, diagnosis: JSON.parse(run.stdout) as Diagnosis };
}

/** The codes of the findings that need a change (warn and error). */
export function problems(diagnosis: Diagnosis): string[] {
  return diagnosis.findings.filter((f) => f.severity === 'warn' || f.severity === 'error').map((f) => f.code);
}
