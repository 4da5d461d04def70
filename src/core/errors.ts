// Domain errors: what went wrong, in words fit to show a person, and of which kind. Core, adapters and
// use cases throw these; the CLI alone turns a kind into an exit code (src/cli/exit-codes.ts).

/** "input": bad flag value, unreadable file, invalid config. "service": AWS, Slack or network after retries. */
export type ErrorKind = "input" | "service";

export class DomainError extends Error {
  constructor(
    message: string,
    readonly kind: ErrorKind,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Bad input: a flag value, a file, the config. */
export class UsageError extends DomainError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, "input", options);
  }
}

/** AWS, Slack or network error after retries. */
export class ServiceError extends DomainError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, "service", options);
  }
}

/**
 * Hook for service-specific translation (AWS SDK errors are described in adapters/aws/errors.ts);
 * kept as a registry so this module stays free of SDK knowledge.
 */
type Translator = (err: unknown) => DomainError | undefined;
const translators: Translator[] = [];
export function registerErrorTranslator(t: Translator): void {
  translators.push(t);
}

/** Any thrown value → the domain error it is or translates to; undefined for anything else (a bug). */
export function toDomainError(err: unknown): DomainError | undefined {
  if (err instanceof DomainError) return err;
  for (const t of translators) {
    const mapped = t(err);
    if (mapped) return mapped;
  }
  return undefined;
}

export function firstLine(s: string): string {
  return s.split("\n", 1)[0]!.trim();
}
