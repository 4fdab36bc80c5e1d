import type { LoggerService } from '@nestjs/common';

/** A Nest logger that keeps what it is given, so that tests can assert on warnings. */
export class RecordingLogger implements LoggerService {
  readonly messages: { level: string; message: string }[] = [];

  log(message: unknown): void {
    this.record('log', message);
  }
  warn(message: unknown): void {
    this.record('warn', message);
  }
  error(message: unknown): void {
    this.record('error', message);
  }
  debug(message: unknown): void {
    this.record('debug', message);
  }
  verbose(message: unknown): void {
    this.record('verbose', message);
  }

  /** Messages of one level, as strings. */
  at(level: string): string[] {
    return this.messages.filter((entry) => entry.level === level).map((entry) => entry.message);
  }

  private record(level: string, message: unknown): void {
    this.messages.push({ level, message: message instanceof Error ? message.message : String(message) });
  }
}
