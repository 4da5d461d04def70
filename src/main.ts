// Entry point of the bundled CLI (dist/cli/main.mjs).
import { main } from "./cli.js";
import { terminalText } from "./lib/terminal-text.js";

// The AWS SDK is bundled and pinned, so its "future versions need Node 22" notice is not actionable here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`${terminalText(`error: ${err instanceof Error ? err.message : String(err)}`)}\n`);
    process.exitCode = 70; // EX_SOFTWARE: a crash, not a finding (errors.ts)
  },
);
