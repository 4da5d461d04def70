// `traildigest doctor`: check the deployed pipeline end to end. Gathering is SDK work
// (src/adapters/aws/doctor-gather.ts); the checks themselves are pure (src/core/doctor/checks.ts).
import type { Command } from "commander";
import { action } from "./action.js";
import type { Ui } from "../output/output.js";
import type { Check } from "../../core/doctor/checks.js";
import { plural } from "../../core/text/text.js";

const PART_TITLES: Record<Check["part"], string> = {
  trail: "CloudTrail",
  rule: "EventBridge rule",
  queue: "SQS queue",
  dlq: "Dead-letter queue",
  mapping: "Event source mapping",
  function: "Lambda function",
  schedules: "Schedules",
};

export function renderChecks(checks: Check[], ui: Ui): string {
  const { c } = ui;
  const icon = (s: Check["status"]) => (s === "pass" ? c.green("✔") : s === "warn" ? c.yellow("⚠") : c.red("✖"));
  const out: string[] = [];
  const width = Math.max(0, ...checks.map((x) => x.id.length)) + 1;
  for (const part of Object.keys(PART_TITLES) as Check["part"][]) {
    const group = checks.filter((x) => x.part === part);
    if (!group.length) continue;
    out.push(c.bold(PART_TITLES[part]));
    for (const ch of group) {
      out.push(`  ${icon(ch.status)} ${ch.id.padEnd(width)} ${ch.message}`);
      if (ch.status !== "pass" && ch.remedy) out.push(`    ${c.dim("→ " + ch.remedy)}`);
    }
  }
  const n = { pass: 0, warn: 0, fail: 0 };
  for (const ch of checks) n[ch.status]++;
  out.push("", `${n.pass} passed, ${plural(n.warn, "warning")}, ${n.fail} failed`);
  return out.join("\n");
}

export function register(program: Command): void {
  program
    .command("doctor")
    .description("Check the deployed pipeline end to end (trail, rule, queue, DLQ, mapping, function, schedules)")
    .option("--strict", "exit 1 on warnings too")
    .addHelpText(
      "after",
      `
Examples:
  $ traildigest doctor                                      the pipeline named in ./traildigest.config.json
  $ traildigest doctor --strict --json                      in CI: exit 1 on warnings too

Exit codes: 0 every check passed · 1 a check failed (--strict: or warned) · 2 bad config · 3 AWS error`,
    )
    .action(
      action(async (ctx, o: { strict?: boolean }) => {
        const [{ loadConfig }, { parseConfig, awsOptionsFor }] = await Promise.all([import("../../adapters/files/config-file.js"), import("../../core/setup/config-schema.js")]);
        let cfg = await loadConfig(ctx.opts.config);
        if (!cfg) {
          ctx.ui.warn("no config file: checking the default names (traildigest init writes one)");
          cfg = parseConfig({}, "defaults");
        }
        const aws = awsOptionsFor(ctx.opts, cfg);
        const spin = ctx.ui.spinner("checking the pipeline…");
        let checks: Check[];
        try {
          const { gatherDoctorState } = await import("../../adapters/aws/doctor-gather.js");
          const { runChecks } = await import("../../core/doctor/checks.js");
          checks = runChecks(await gatherDoctorState(aws, cfg));
          spin.stop();
        } catch (err) {
          spin.fail("doctor could not read the pipeline");
          throw err;
        }
        const { doctorExitCode } = await import("../../core/doctor/checks.js");
        return {
          data: { checks: checks.map(({ id, status, message, remedy }) => ({ id, status, message, remedy })) },
          render: (_d, ui) => renderChecks(checks, ui),
          exitCode: doctorExitCode(checks, Boolean(o.strict)),
        };
      }),
    );
}
