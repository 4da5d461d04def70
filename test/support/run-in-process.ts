// The CLI's main() in this process with a terminal's colour (tty) when asked: a thin wrapper of runCliInProcess.
import { runCliInProcess, type CliRun } from "./run-cli.js";

export async function runInProcess(
  args: string[],
  opts: { env?: Record<string, string | undefined>; tty?: boolean } = {},
): Promise<CliRun> {
  return runCliInProcess(args, {
    env: { ...(opts.tty ? { NO_COLOR: undefined } : {}), ...opts.env },
    ...(opts.tty ? { tty: true } : {}),
  });
}
