// Wraps every command action: resolves global options, builds the Ui, runs the action and emits
// its result through the one output layer. Errors propagate to cli/program.ts, which maps them to exit codes.
import type { Command } from "commander";
import { UsageError } from "../../core/errors.js";
import { DEFAULT_TIMEOUT_MS, parseTimeout, validateEndpointUrl, validateRegion } from "../../app/context.js";
import { createUi, emit, preloadRenderers, spinnerAllowed, type CommandResult, type GlobalOptions, type Ui } from "../output/output.js";

export interface Ctx {
  opts: GlobalOptions;
  ui: Ui;
}

export function globalOptions(cmd: Command): GlobalOptions {
  const o = cmd.optsWithGlobals() as Record<string, unknown>;
  const output = o.json ? "json" : ((o.output as string | undefined) ?? "table");
  if (output !== "table" && output !== "json") {
    throw new UsageError(`--output: "${output}" is not one of table, json`);
  }
  // Bad global flags are usage errors (exit 2) before any work starts.
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
    color: o.color !== false && !process.env.NO_COLOR,
    config: o.config as string | undefined,
    verbose: Boolean(o.verbose),
  };
}

/**
 * `action(async (ctx, arg1, opts) => result)`: commander passes positional args, then the
 * command's own options, then the Command; the wrapper swaps the Command for a Ctx up front.
 */
export function action<A extends unknown[]>(fn: (ctx: Ctx, ...args: A) => Promise<CommandResult>) {
  return async (...raw: unknown[]): Promise<void> => {
    const cmd = raw[raw.length - 1] as Command;
    const opts = globalOptions(cmd);
    await preloadRenderers({ spinner: spinnerAllowed(process.stderr, opts.color) });
    const ui = createUi(opts);
    const result = await fn({ opts, ui }, ...(raw.slice(0, -1) as A));
    emit(result, ui);
    process.exitCode = result.exitCode ?? 0;
  };
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
