// Typed errors and the one place where any failure becomes an exit code (docs/design.md §4).

/** 70 is BSD's EX_SOFTWARE: CI can tell a crash (a bug) from findings (1). */
export const EXIT = { ok: 0, findings: 1, usage: 2, aws: 3, crash: 70 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** An error whose message is already fit to show a person, with the exit code it maps to. */
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

/** Usage or input error: bad flag value, unreadable file, invalid config (exit 2). */
export class UsageError extends CliError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, EXIT.usage, options);
  }
}

/** AWS, Slack or network error after retries (exit 3). */
export class ServiceError extends CliError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, EXIT.aws, options);
  }
}

/**
 * Hook for service-specific translation (AWS SDK errors are described in adapters/aws/errors.ts);
 * kept as a registry so this module stays free of SDK knowledge.
 */
type Translator = (err: unknown) => CliError | undefined;
const translators: Translator[] = [];
export function registerErrorTranslator(t: Translator): void {
  translators.push(t);
}

/** Any thrown value → a CliError with a one-line message. Unknown errors are bugs: exit 70. */
export function toCliError(err: unknown): CliError {
  if (err instanceof CliError) return err;
  for (const t of translators) {
    const mapped = t(err);
    if (mapped) return mapped;
  }
  const message = err instanceof Error ? err.message : String(err);
  return new CliError(`internal error: ${firstLine(message)} (run with --verbose for details)`, EXIT.crash, {
    cause: err,
  });
}

export function firstLine(s: string): string {
  return s.split("\n", 1)[0]!.trim();
}
