// Everything the CLI takes from the outside world, passed in: `main(argv, io)` (program.ts) never reads
// process.stdout, stderr, stdin, env or argv itself. main.ts builds the process-bound io; tests pass
// string-collecting streams (test/support/run-cli.ts).
import type { Clock } from "../core/time/clock.js";

export type OutStream = NodeJS.WritableStream & { isTTY?: boolean; columns?: number };

export interface CliIo {
  stdout: OutStream;
  stderr: OutStream;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  clock: Clock;
  /** The working directory config files and relative paths are read from (default: the process's). */
  cwd?: string;
  /** Ctrl-C / SIGTERM for a long run (local run); the default ignores them (nothing to interrupt in-process). */
  onInterrupt?(handler: (signal: NodeJS.Signals) => void): () => void;
}
