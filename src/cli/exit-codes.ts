// The one place where any failure becomes an exit code (docs/architecture.md §4).
import { firstLine, toDomainError, type ErrorKind } from "../core/errors.js";

/** 70 is BSD's EX_SOFTWARE: CI can tell a crash (a bug) from findings (1). */
export const EXIT = { ok: 0, findings: 1, usage: 2, aws: 3, crash: 70 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

const BY_KIND: Record<ErrorKind, ExitCode> = { input: EXIT.usage, service: EXIT.aws };

/** A failure as the CLI reports it: one line and its exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Any thrown value → a CliError with a one-line message. Unknown errors are bugs: exit 70. */
export function toCliError(err: unknown): CliError {
  if (err instanceof CliError) return err;
  const domain = toDomainError(err);
  if (domain) return new CliError(domain.message, BY_KIND[domain.kind], { cause: domain.cause });
  const message = err instanceof Error ? err.message : String(err);
  return new CliError(`internal error: ${firstLine(message)} (run with --verbose for details)`, EXIT.crash, {
    cause: err,
  });
}
