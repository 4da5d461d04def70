// The human view of `doctor`: checks grouped by part, a remedy under each that did not pass, then the counts.
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
