// A command is data: its name, description, options, help notes, examples and exit codes, plus a `run`
// that loads its use case (one lazy import) and returns a CommandResult. program.ts turns these into the
// commander tree; nothing heavy loads until a command runs, so `--help` stays fast.
import type { Command } from "commander";
import { UsageError } from "../../core/errors.js";
import type { RunContext } from "../../app/run-context.js";
import type { CliIo } from "../io.js";
import type { CommandResult, Ui } from "../output/output.js";

export interface OptionSpec {
  flags: string;
  description: string;
  /** commander's argument parser (a usage error names the flag). */
  parse?: (value: string, previous: never) => unknown;
  default?: unknown;
  required?: boolean;
}

/** What a command's `run` is given: the use cases' RunContext, plus the Ui for rendering. */
export interface CommandContext extends RunContext {
  ui: Ui;
  io: CliIo;
  /** True when the option was given on the command line (not defaulted). */
  given(option: string): boolean;
}

export interface CommandSpec {
  /** "list", or with its arguments: "show <name>". */
  name: string;
  description: string;
  options?: OptionSpec[];
  /** Help text after the options (before the examples). */
  notes?: string;
  /** Example command lines, each shown as `  $ …`. */
  examples?: string[];
  /** A line right under the examples ("See docs/…"). */
  seeAlso?: string;
  /** The command's own exit-code line, when it differs from the table. */
  exitCodes?: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- positional args and options, as commander passes them
  run(ctx: CommandContext, ...args: any[]): Promise<CommandResult>;
}

/** A command group (`schedules`, `queue` …): its subcommands and the examples its own --help shows. */
export interface GroupSpec {
  name: string;
  description: string;
  examples?: string[];
  commands: CommandSpec[];
}

export const defineCommand = (spec: CommandSpec): CommandSpec => spec;

export function examplesText(lines: string[]): string {
  return `\nExamples:\n${lines.map((l) => `  $ ${l}`).join("\n")}`;
}

/** The help text after the options: notes, examples, exit codes (each a block of its own). */
export function helpAfter(spec: Pick<CommandSpec, "notes" | "examples" | "seeAlso" | "exitCodes">): string[] {
  const out: string[] = [];
  if (spec.notes) out.push(`\n${spec.notes}`);
  if (spec.examples?.length) out.push(examplesText(spec.examples) + (spec.seeAlso ? `\n${spec.seeAlso}` : ""));
  if (spec.exitCodes) out.push(`\n${spec.exitCodes}`);
  return out;
}

export function addOptions(cmd: Command, options: OptionSpec[] = []): Command {
  for (const o of options) {
    const add = o.required ? cmd.requiredOption.bind(cmd) : cmd.option.bind(cmd);
    if (o.parse) add(o.flags, o.description, o.parse as (v: string, p: unknown) => unknown, o.default);
    else if (o.default !== undefined) add(o.flags, o.description, o.default as string);
    else add(o.flags, o.description);
  }
  return cmd;
}

/** commander option parser for positive integers: `--max <n>`. */
export function intOption(flag: string, { min = 1, max = Number.MAX_SAFE_INTEGER } = {}) {
  return (value: string): number => {
    // Decimal digits only: Number() would also take "1e3", "0x10" and " 5 ".
    const n = /^-?\d+$/.test(value) ? Number(value) : NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max) {
      throw new UsageError(`${flag}: "${value}" must be a whole number from ${min} to ${max}`);
    }
    return n;
  };
}

/** For repeatable options: `--adopt a --adopt b`. */
export const collect = (value: string, previous: string[] = []): string[] => [...previous, value];
