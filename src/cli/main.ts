// Entry point of the bundled CLI (dist/cli/main.mjs): the only file bound to this process. It handles a
// closed pipe, answers --version without building the command tree, and runs main(argv, io) (program.ts)
// with the process's streams, environment and clock.
import { VERSION } from "./version.js";
import { terminalText } from "../core/text/terminal-text.js";
import type { CliIo } from "./io.js";
import { systemClock } from "../adapters/clock.js";

// The AWS SDK is bundled and pinned, so its "future versions need Node 22" notice is not actionable here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

// A reader that stopped early (`traildigest … | head -1`) is not a failure: end quietly with 0, as `git log | head`
// does. Any other write failure is one line, never a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (err: NodeJS.ErrnoException) => {
    if (err.code === "EPIPE") process.exit(0);
    if (stream !== process.stderr)
      process.stderr.write(`error: cannot write the output (${err.code ?? err.message})\n`);
    process.exit(1);
  });
}

/** First Ctrl-C / SIGTERM: the handler stops the run cleanly; a second one quits at once (130). */
function onInterrupt(handler: (signal: NodeJS.Signals) => void): () => void {
  let signals = 0;
  const on = (sig: NodeJS.Signals) => {
    if (++signals === 1) handler(sig);
    else process.exit(130);
  };
  process.on("SIGINT", on);
  process.on("SIGTERM", on);
  return () => {
    process.off("SIGINT", on);
    process.off("SIGTERM", on);
  };
}

const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === "--version" || args[0] === "-V")) {
  // Without building the command tree: the version is all that was asked for.
  process.stdout.write(`${VERSION}\n`);
} else {
  const io: CliIo = {
    stdout: process.stdout,
    stderr: process.stderr,
    // A getter: opening stdin costs start-up time that `--help` and most commands never need.
    get stdin() {
      return process.stdin;
    },
    env: process.env,
    clock: systemClock,
    cwd: process.cwd(),
    onInterrupt,
  };
  import("./program.js")
    .then(({ main }) => main(args, io))
    .then(
      (code) => {
        process.exitCode = code;
      },
      (err) => {
        process.stderr.write(`${terminalText(`error: ${err instanceof Error ? err.message : String(err)}`)}\n`);
        process.exitCode = 70; // EX_SOFTWARE: a crash, not a finding (exit-codes.ts)
      },
    );
}
