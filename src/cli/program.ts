// Builds the commander program, then maps any failure to one line on stderr and an exit code
// (docs/design.md §4). Command groups register themselves; their heavy code loads inside actions.
import { Command, CommanderError, Option } from "commander";
import { EXIT, toCliError } from "./exit-codes.js";
import { redact } from "./output/output.js";
import { terminalText } from "../core/text/terminal-text.js";
import { VERSION } from "./version.js";
import { register as registerNotify } from "./commands/notify.js";
import { register as registerSchedules } from "./commands/schedules.js";
import { register as registerQueue } from "./commands/queue.js";
import { register as registerTrail } from "./commands/trail.js";
import { register as registerLocal } from "./commands/local.js";
import { register as registerSetup } from "./commands/setup.js";
import { register as registerDoctor } from "./commands/doctor.js";
import { examplesHelp } from "./commands/examples.js";

/** The exit-code table, as README.md and docs/operator-contract.md give it. */
export const EXIT_CODES_HELP = `Exit codes:
  0   ok
  1   the command ran and found problems (failed checks, missed schedules, plan changes with --exit-code)
  2   usage or input error: a bad flag value, file or config (one line names it)
  3   AWS, Slack or network error, a timeout included
  70  internal error (a bug): rerun with --verbose and report it`;

export function buildProgram(): Command {
  const program = new Command("traildigest")
    .description(
      "One Slack digest per batch of ECS UpdateService calls.\n" +
        "Inspect, preview, set up and check the EventBridge Scheduler → CloudTrail → SQS → Lambda pipeline.",
    )
    .version(VERSION, "-V, --version", "print the traildigest version")
    .addOption(new Option("--region <region>", "AWS region (default: AWS_REGION, AWS_DEFAULT_REGION, the profile's, the config file's)"))
    .addOption(new Option("--profile <name>", "AWS shared-config profile (SSO profiles included; default: AWS_PROFILE)"))
    .addOption(new Option("--endpoint-url <url>", "one endpoint for every AWS client (LocalStack, moto)"))
    .addOption(new Option("--timeout <duration>", "longest one AWS or Slack call may take, retries included (default: 30s)"))
    .addOption(new Option("-o, --output <format>", "table or json").default("table"))
    .addOption(new Option("--json", "shorthand for --output json"))
    .addOption(new Option("--no-color", "plain output (NO_COLOR is honoured too)"))
    .addOption(new Option("--config <file>", "config file (default: ./traildigest.config.json or .yaml)"))
    .addOption(new Option("--verbose", "debug detail on stderr"))
    .showHelpAfterError("(run with --help for usage)")
    .exitOverride()
    .addHelpText(
      "after",
      `
Examples:
  $ traildigest notify dry-run --sample            preview the digest for a bundled wave of events
  $ traildigest schedules list --region ap-northeast-2
  $ traildigest queue stats --queue traildigest-events
  $ traildigest trail recent UpdateService --since 2h
  $ traildigest doctor --json

${EXIT_CODES_HELP}`,
    );
  for (const register of [
    registerNotify,
    registerSchedules,
    registerQueue,
    registerTrail,
    registerLocal,
    registerSetup,
    registerDoctor,
  ]) {
    register(program);
  }
  // Subcommands inherit exitOverride so usage errors reach main() instead of exiting directly,
  // and every command's help lists the global flags (--region, --json, --timeout…) too.
  const inherit = (cmd: Command, path: string) => {
    for (const sub of cmd.commands) {
      const subPath = path ? `${path} ${sub.name()}` : sub.name();
      sub.exitOverride();
      sub.showHelpAfterError("(run with --help for usage)");
      sub.configureHelp({ showGlobalOptions: true });
      const examples = examplesHelp(subPath);
      if (examples) sub.addHelpText("after", examples);
      inherit(sub, subPath);
    }
  };
  inherit(program, "");
  return program;
}

export async function main(argv: string[] = process.argv): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === "number" ? process.exitCode : EXIT.ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      // commander has already printed its message (or the help / version).
      const ok = ["commander.helpDisplayed", "commander.version", "commander.help"].includes(err.code);
      return ok || err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    const cliErr = toCliError(err);
    // An error may quote input: one line, nothing a terminal would act on (docs/untrusted-text.md).
    process.stderr.write(terminalText(redact(`error: ${cliErr.message}`)) + "\n");
    if (argv.includes("--verbose") && cliErr.cause instanceof Error && cliErr.cause.stack) {
      process.stderr.write(terminalText(redact(cliErr.cause.stack), { multiline: true }) + "\n");
    }
    return cliErr.exitCode;
  }
}
