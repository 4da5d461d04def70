// What every use case is given instead of reaching for process.*: the resolved global flags, the
// environment, the working directory, stdin, a clock and the one output channel (report.ts).
import type { Reporter } from "./report.js";
import type { Clock } from "../core/time/clock.js";

export type OutputFormat = "table" | "json";

/** The global flags, checked (cli/commands/command.ts). */
export interface GlobalOptions {
  region?: string;
  profile?: string;
  endpointUrl?: string;
  /** --timeout: the longest one AWS or Slack call may take, retries included. */
  timeoutMs?: number;
  output: OutputFormat;
  color: boolean;
  config?: string;
  verbose: boolean;
}

/** Wall time and waiting, injectable so tests run on a fake clock (the one Clock type: core/time/clock.ts). */
export type { Clock } from "../core/time/clock.js";

export interface RunContext {
  opts: GlobalOptions;
  env: NodeJS.ProcessEnv;
  cwd: string;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  clock: Clock;
  report: Reporter;
  /** Hold Ctrl-C / SIGTERM while a long run stops cleanly; returns the function that lets go. */
  onInterrupt(handler: (signal: NodeJS.Signals) => void): () => void;
}
