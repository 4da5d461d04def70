// Two ways to run the CLI in tests:
// - runCliInProcess: main(argv, io) in this process, with string-collecting streams, the given env, stdin,
//   working directory and a clock whose sleeps return at once (the unit tier's default: fast, no build needed);
// - runCli: the built CLI (bin/traildigest.js → dist/cli) as a child process, the way a user runs it (start-up,
//   the bin shim, EPIPE, a real TTY and the integration tier).
import { spawn } from "node:child_process";
import { EventEmitter } from "node:events";
import { Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import { main } from "../../src/cli/program.js";
import type { CliIo, OutStream } from "../../src/cli/io.js";
import type { Clock } from "../../src/app/run-context.js";
import { forgetSharedConfig } from "../../src/adapters/aws/env.js";
import { setActiveProfile } from "../../src/adapters/aws/errors.js";
import { forgetSharedPacer } from "../../src/adapters/aws/cloudtrail.js";

export const BIN = fileURLToPath(new URL("../../bin/traildigest.js", import.meta.url));

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  env?: Record<string, string | undefined>;
  input?: string;
  cwd?: string;
  timeoutMs?: number;
}

/** The environment a run sees: this process's, with colour off and the SDK's Node notice quiet, then the test's. */
function runEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NO_COLOR: "1",
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
  };
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

export function runCli(args: string[], opts: RunOptions = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: opts.cwd,
      env: runEnv(opts.env),
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 60_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(opts.input ?? "");
  });
}

/** A stream that keeps what is written as a string (an unpaired surrogate stays visible), never asking to wait. */
export function stringStream(props: { isTTY?: boolean; columns?: number } = {}): OutStream & { text: string } {
  const stream = Object.assign(new EventEmitter(), {
    text: "",
    ...props,
    write(chunk: string | Uint8Array, encoding?: unknown, cb?: unknown): boolean {
      stream.text += typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8");
      const done = typeof encoding === "function" ? encoding : cb;
      if (typeof done === "function") done();
      return true;
    },
  });
  return stream as unknown as OutStream & { text: string };
}

/** Wall time that moves on when the program sleeps, without waiting (Slack pacing, retry back-offs). */
export function skippingClock(): Clock {
  let skipped = 0;
  return {
    now: () => Date.now() + skipped,
    sleep: (ms) => {
      skipped += Math.max(0, ms);
      return new Promise((resolve) => setImmediate(resolve));
    },
  };
}

export interface InProcessOptions extends RunOptions {
  clock?: Clock;
  /** Both output streams claim to be a terminal of this many columns (colour still needs NO_COLOR unset). */
  tty?: boolean;
  columns?: number;
}

/**
 * main(args, io) in this process. The AWS SDK reads credentials and endpoints from process.env itself, so the run's
 * env is also put into process.env while it runs (tests in a file run one at a time) and restored after.
 */
export async function runCliInProcess(args: string[], opts: InProcessOptions = {}): Promise<CliRun> {
  const env = runEnv(opts.env);
  const stdout = stringStream({
    isTTY: opts.tty ?? false,
    ...(opts.columns !== undefined ? { columns: opts.columns } : {}),
  });
  const stderr = stringStream({
    isTTY: opts.tty ?? false,
    ...(opts.columns !== undefined ? { columns: opts.columns } : {}),
  });
  const stdin = Object.assign(Readable.from(opts.input !== undefined ? [opts.input] : []), { isTTY: false });
  const io: CliIo = {
    stdout,
    stderr,
    stdin,
    env,
    clock: opts.clock ?? skippingClock(),
    cwd: opts.cwd ?? process.cwd(),
  };
  const saved = { ...process.env };
  const setEnv = (next: NodeJS.ProcessEnv) => {
    for (const k of Object.keys(process.env)) if (!(k in next)) delete process.env[k];
    Object.assign(process.env, next);
  };
  setEnv(env);
  // Process-wide caches a child process would start without.
  forgetSharedConfig();
  setActiveProfile(undefined);
  forgetSharedPacer();
  try {
    const code = await main(args, io);
    return { code, stdout: stdout.text, stderr: stderr.text };
  } finally {
    setEnv(saved);
  }
}
