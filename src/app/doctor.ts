// `doctor`: gather the deployed pipeline's state (adapters/aws/doctor-gather.ts) and run the pure checks
// (core/doctor/checks.ts). Without a config file the default names are checked.
import type { Check } from "../core/doctor/checks.js";
import { say } from "./report.js";
import type { RunContext } from "./run-context.js";

export async function runDoctor(ctx: RunContext, strict: boolean): Promise<{ checks: Check[]; exitCode: 0 | 1 }> {
  const [{ loadConfig }, { parseConfig, awsOptionsFor }] = await Promise.all([
    import("../adapters/files/config-file.js"),
    import("../core/setup/config-schema.js"),
  ]);
  const ui = say(ctx.report);
  let cfg = await loadConfig(ctx.opts.config, ctx.cwd);
  if (!cfg) {
    ui.warn("no config file: checking the default names (traildigest init writes one)");
    cfg = parseConfig({}, "defaults");
  }
  const aws = awsOptionsFor(ctx.opts, cfg);
  const spin = ui.progress("checking the pipeline…");
  let checks: Check[];
  try {
    const { gatherDoctorState } = await import("../adapters/aws/doctor-gather.js");
    const { runChecks } = await import("../core/doctor/checks.js");
    checks = runChecks(await gatherDoctorState(aws, cfg));
    spin.stop();
  } catch (err) {
    spin.fail("doctor could not read the pipeline");
    throw err;
  }
  const { doctorExitCode } = await import("../core/doctor/checks.js");
  return { checks, exitCode: doctorExitCode(checks, strict) };
}
