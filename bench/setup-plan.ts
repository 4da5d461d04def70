// `setup plan` output for N planned schedules: the table (what a person sees, fitted to 80 columns)
// beside --json, on an empty account (every row a create). Rendering must grow linearly: the old
// cli-table3 renderer took 6.6 s at 100 schedules and 352 s at 2,000 (issue 12).
// Run: npx tsx bench/setup-plan.ts [--sizes 100,1000,5000] [--runs 3]
import { parseConfig } from "../src/core/setup/config-schema.js";
import { computePlan, type LiveState } from "../src/core/setup/plan.js";
import { createUi, preloadRenderers } from "../src/cli/output/output.js";
import { renderPlan } from "../src/cli/render/setup.js";

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : dflt;
};
const SIZES = arg("sizes", "100,1000,5000").split(",").map(Number);
const RUNS = Number(arg("runs", "3"));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const id = { account: "123456789012", region: "eu-west-1", partition: "aws" };
const empty: LiveState = { targets: [], webhookExists: false, scheduleGroups: ["default"], schedules: [] };

async function main() {
  await preloadRenderers();
  const sink = { isTTY: false, columns: 80, write: () => true } as never;
  const ui = createUi({ output: "table", color: false, verbose: false }, { stdout: sink, stderr: sink });
  console.log("schedules  plan rows  table ms  json ms  table lines  widest line");
  for (const n of SIZES) {
    const cfg = parseConfig({
      region: "eu-west-1",
      schedules: Array.from({ length: n }, (_, i) => ({
        name: `svc-${String(i).padStart(5, "0")}-night-down`,
        group: `team-${i % 7}`,
        expression: "cron(0 22 ? * MON-FRI *)",
        timezone: "Asia/Seoul",
        cluster: "production",
        service: `svc-${i}`,
        desiredCount: 0,
        roleArn: "arn:aws:iam::123456789012:role/traildigest-scheduler-role",
      })),
    });
    const plan = computePlan({ config: cfg, identity: id, codeSha256: "x", webhookEnvSet: true }, empty);
    const tableMs: number[] = [];
    const jsonMs: number[] = [];
    let text = "";
    for (let r = 0; r < RUNS; r++) {
      let t0 = performance.now();
      text = renderPlan(plan, ui);
      tableMs.push(performance.now() - t0);
      t0 = performance.now();
      JSON.stringify(plan, null, 2);
      jsonMs.push(performance.now() - t0);
    }
    const lines = text.split("\n");
    const widest = Math.max(...lines.map((l) => [...l].length));
    console.log(
      `${String(n).padStart(9)}  ${String(plan.plan.length).padStart(9)}  ${median(tableMs).toFixed(0).padStart(8)}  ${median(
        jsonMs,
      )
        .toFixed(0)
        .padStart(7)}  ${String(lines.length).padStart(11)}  ${String(widest).padStart(11)}`,
    );
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
