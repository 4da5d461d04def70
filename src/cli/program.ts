// The whole CLI as a function: `main(argv, io)` builds the commander program from the command specs,
// runs it with the given streams, environment and clock, and returns the exit code. Any failure is one
// line on stderr and an exit code (docs/architecture.md §4). Heavy code loads inside each command's run.
import { Command, CommanderError, Option } from "commander";
import { UsageError } from "../core/errors.js";
import { EXIT, toCliError } from "./exit-codes.js";
import { parseTimeout } from "../app/context.js";
import { DEFAULT_TIMEOUT_MS, validateEndpointUrl, validateRegion } from "../adapters/aws/env.js";
import { createUi, emit, preloadRenderers, redact, spinnerAllowed, type GlobalOptions } from "./output/output.js";
import { uiReporter } from "./output/report-ui.js";
import { terminalText } from "../core/text/terminal-text.js";
import { VERSION } from "./version.js";
import {
  addOptions,
  examplesText,
  helpAfter,
  type CommandContext,
  type CommandSpec,
  type GroupSpec,
} from "./commands/command.js";
import { COMMANDS } from "./commands/index.js";
import type { CliIo } from "./io.js";

/** The exit-code table, as README.md and docs/operator-contract.md give it. */
export const EXIT_CODES_HELP = `Exit codes:
  0   ok
  1   the command ran and found problems (failed checks, missed schedules, plan changes with --exit-code)
  2   usage or input error: a bad flag value, file or config (one line names it)
  3   AWS, Slack or network error, a timeout included
  70  internal error (a bug): rerun with --verbose and report it`;

const ROOT_EXAMPLES = [
  "traildigest notify dry-run --sample            preview the digest for a bundled wave of events",
  "traildigest schedules list --region ap-northeast-2",
  "traildigest queue stats --queue traildigest-events",
  "traildigest trail recent UpdateService --since 2h",
  "traildigest doctor --json",
];

/** The global flags, checked: bad ones are usage errors (exit 2) before any work starts. */
export function globalOptions(cmd: Command, env: NodeJS.ProcessEnv): GlobalOptions {
  const o = cmd.optsWithGlobals() as Record<string, unknown>;
  const output = o.json ? "json" : ((o.output as string | undefined) ?? "table");
  if (output !== "table" && output !== "json") {
    throw new UsageError(`--output: "${output}" is not one of table, json`);
  }
  const region = o.region as string | undefined;
  if (region !== undefined) validateRegion(region);
  const endpointUrl = o.endpointUrl as string | undefined;
  if (endpointUrl !== undefined) validateEndpointUrl(endpointUrl);
  const profile = o.profile as string | undefined;
  if (profile !== undefined && !profile.trim()) throw new UsageError("--profile: empty (give a profile name)");
  return {
    region,
    profile,
    endpointUrl,
    timeoutMs: o.timeout !== undefined ? parseTimeout(String(o.timeout)) : DEFAULT_TIMEOUT_MS,
    output,
    color: o.color !== false && !env.NO_COLOR,
    config: o.config as string | undefined,
    verbose: Boolean(o.verbose),
  };
}

/** One run's outcome, set by the command that ran. */
interface RunState {
  exitCode: number;
}

const noInterrupt = () => () => {};

/** Resolves the global options and the Ui, runs the command, emits its result. Errors go up to main(). */
function actionFor(spec: CommandSpec, io: CliIo, state: RunState) {
  return async (...raw: unknown[]): Promise<void> => {
    const cmd = raw[raw.length - 1] as Command;
    const opts = globalOptions(cmd, io.env);
    await preloadRenderers({ spinner: spinnerAllowed(io.stderr, opts.color, io.env) });
    const ui = createUi(opts, io, io.env);
    const ctx: CommandContext = {
      opts,
      ui,
      io,
      env: io.env,
      cwd: io.cwd ?? process.cwd(),
      stdin: io.stdin,
      clock: io.clock,
      report: uiReporter(ui),
      onInterrupt: io.onInterrupt ?? noInterrupt,
      given: (option) => cmd.getOptionValueSource(option) === "cli",
    };
    const result = await spec.run(ctx, ...raw.slice(0, -1));
    emit(result, ui, io);
    state.exitCode = result.exitCode ?? 0;
  };
}

function addCommand(parent: Command, spec: CommandSpec, io: CliIo, state: RunState): void {
  const cmd = parent.command(spec.name).description(spec.description);
  addOptions(cmd, spec.options);
  for (const text of helpAfter(spec)) cmd.addHelpText("after", text);
  cmd.action(actionFor(spec, io, state));
}

export function buildProgram(io: CliIo, state: RunState = { exitCode: 0 }): Command {
  const program = new Command("traildigest")
    .description(
      "One Slack digest per batch of ECS UpdateService calls.\n" +
        "Inspect, preview, set up and check the EventBridge Scheduler → CloudTrail → SQS → Lambda pipeline.",
    )
    .configureOutput({
      writeOut: (s) => void io.stdout.write(s),
      writeErr: (s) => void io.stderr.write(s),
      getOutHelpWidth: () => (io.stdout.isTTY ? io.stdout.columns : undefined) ?? 80,
      getErrHelpWidth: () => (io.stderr.isTTY ? io.stderr.columns : undefined) ?? 80,
      getOutHasColors: () => false,
      getErrHasColors: () => false,
    })
    .version(VERSION, "-V, --version", "print the traildigest version")
    .addOption(
      new Option(
        "--region <region>",
        "AWS region (default: AWS_REGION, AWS_DEFAULT_REGION, the profile's, the config file's)",
      ),
    )
    .addOption(
      new Option("--profile <name>", "AWS shared-config profile (SSO profiles included; default: AWS_PROFILE)"),
    )
    .addOption(new Option("--endpoint-url <url>", "one endpoint for every AWS client (LocalStack, moto)"))
    .addOption(
      new Option("--timeout <duration>", "longest one AWS or Slack call may take, retries included (default: 30s)"),
    )
    .addOption(new Option("-o, --output <format>", "table or json").default("table"))
    .addOption(new Option("--json", "shorthand for --output json"))
    .addOption(new Option("--no-color", "plain output (NO_COLOR is honoured too)"))
    .addOption(new Option("--config <file>", "config file (default: ./traildigest.config.json or .yaml)"))
    .addOption(new Option("--verbose", "debug detail on stderr"))
    .showHelpAfterError("(run with --help for usage)")
    .exitOverride()
    .addHelpText("after", `${examplesText(ROOT_EXAMPLES)}\n\n${EXIT_CODES_HELP}`);
  for (const entry of COMMANDS) {
    if ("commands" in entry) {
      const group: GroupSpec = entry;
      const g = program.command(group.name).description(group.description);
      if (group.examples) g.addHelpText("after", examplesText(group.examples));
      for (const spec of group.commands) addCommand(g, spec, io, state);
    } else {
      addCommand(program, entry, io, state);
    }
  }
  // Subcommands inherit exitOverride so usage errors reach main() instead of exiting directly,
  // and every command's help lists the global flags (--region, --json, --timeout…) too.
  const inherit = (cmd: Command) => {
    for (const sub of cmd.commands) {
      sub.exitOverride();
      sub.showHelpAfterError("(run with --help for usage)");
      sub.configureHelp({ showGlobalOptions: true });
      inherit(sub);
    }
  };
  inherit(program);
  return program;
}

/** The whole CLI: `argv` are the user's arguments (no node, no script path); returns the exit code. */
export async function main(argv: string[], io: CliIo): Promise<number> {
  const state: RunState = { exitCode: EXIT.ok };
  const program = buildProgram(io, state);
  try {
    await program.parseAsync(argv, { from: "user" });
    return state.exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      // commander has already printed its message (or the help / version).
      const ok = ["commander.helpDisplayed", "commander.version", "commander.help"].includes(err.code);
      return ok || err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    const cliErr = toCliError(err);
    // An error may quote input: one line, nothing a terminal would act on (docs/untrusted-text.md).
    io.stderr.write(terminalText(redact(`error: ${cliErr.message}`)) + "\n");
    if (argv.includes("--verbose") && cliErr.cause instanceof Error && cliErr.cause.stack) {
      io.stderr.write(terminalText(redact(cliErr.cause.stack), { multiline: true }) + "\n");
    }
    return cliErr.exitCode;
  }
}
