// Runs the CLI's main() in this process (no build, no child process): stdout and stderr are captured
// as the strings the program wrote (so an unpaired surrogate is still visible), env vars are set for
// the run only. Commands that read stdin or need a TTY still belong to run-cli.ts.
import { main } from "../../src/cli.js";
import type { CliRun } from "./run-cli.js";

export async function runInProcess(
  args: string[],
  opts: { env?: Record<string, string | undefined>; tty?: boolean } = {},
): Promise<CliRun> {
  const env: Record<string, string | undefined> = { NO_COLOR: opts.tty ? undefined : "1", ...opts.env };
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  let stdout = "";
  let stderr = "";
  const out = process.stdout.write;
  const err = process.stderr.write;
  const tty = process.stdout.isTTY;
  const exitCode = process.exitCode;
  process.stdout.write = ((chunk: unknown) => ((stdout += String(chunk)), true)) as typeof process.stdout.write;
  process.stderr.write = ((chunk: unknown) => ((stderr += String(chunk)), true)) as typeof process.stderr.write;
  if (opts.tty) process.stdout.isTTY = true;
  try {
    const code = await main(["node", "traildigest", ...args]);
    return { code, stdout, stderr };
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
    process.stdout.isTTY = tty;
    process.exitCode = exitCode;
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}
