// `schedules list` over 500 schedules against a local Scheduler (REST-JSON) that answers every request
// after a fixed delay: bounded-concurrency GetSchedule (what the CLI does) vs one call at a time.
// Run: npx tsx bench/schedules-list.ts [--schedules 500] [--delay 20] [--runs 3]
import { SchedulerClient } from "@aws-sdk/client-scheduler";
import { fetchSchedules, DEFAULT_CONCURRENCY } from "../src/adapters/aws/scheduler.js";
import { decodeSchedule } from "../src/core/schedule/schedules.js";
import { nextFires } from "../src/core/schedule/schedule-expression.js";
import { ecsSchedules, startFakeScheduler } from "../test/support/fake-scheduler.js";
import { runCli } from "../test/support/run-cli.js";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const N = arg("schedules", 500);
const DELAY = arg("delay", 20);
const RUNS = arg("runs", 3);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main() {
  const fake = await startFakeScheduler({ schedules: ecsSchedules(N), delayMs: DELAY });
  const client = new SchedulerClient({
    region: "us-east-1",
    endpoint: fake.endpoint,
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    maxAttempts: 5,
    retryMode: "adaptive", // as adapters/aws/clients.ts configures every client
  });
  const from = new Date("2026-11-27T00:00:00Z");
  const time = async (concurrency: number) => {
    const t0 = performance.now();
    const raws = await fetchSchedules(client, { concurrency });
    const views = raws.map((r) => decodeSchedule(r, { from, count: 3, nextFires }));
    const ms = performance.now() - t0;
    if (views.length !== N) throw new Error(`expected ${N} schedules, got ${views.length}`);
    return ms;
  };
  await time(DEFAULT_CONCURRENCY); // warm-up: connections, JIT
  const results: { label: string; concurrency: number; ms: number }[] = [];
  for (const [label, c] of [
    ["sequential GetSchedule", 1],
    [`bounded (${DEFAULT_CONCURRENCY} in flight, the default)`, DEFAULT_CONCURRENCY],
    ["bounded (16 in flight)", 16],
  ] as const) {
    const runs: number[] = [];
    for (let i = 0; i < RUNS; i++) runs.push(await time(c));
    results.push({ label, concurrency: c, ms: median(runs) });
  }
  // The same through the built CLI (process start, SDK load, decoding, JSON output included).
  const cli: { label: string; ms: number }[] = [];
  if (!process.argv.includes("--no-cli")) {
    for (const [label, c] of [
      ["CLI, --concurrency 1", 1],
      [`CLI, default (${DEFAULT_CONCURRENCY})`, DEFAULT_CONCURRENCY],
    ] as const) {
      const t0 = performance.now();
      const r = await runCli(
        ["schedules", "list", "--json", "--concurrency", String(c), "--endpoint-url", fake.endpoint],
        {
          env: { AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test", AWS_REGION: "us-east-1" },
          timeoutMs: 120_000,
        },
      );
      const ms = performance.now() - t0;
      if (r.code !== 0 || JSON.parse(r.stdout).schedules.length !== N) throw new Error(`CLI run failed: ${r.stderr}`);
      cli.push({ label, ms });
    }
  }
  await fake.stop();
  client.destroy();
  const base = results[0]!.ms;
  console.log(
    `schedules list: ${N} schedules, ${DELAY} ms per request, ${Math.ceil(N / 100)} ListSchedules pages, median of ${RUNS} runs`,
  );
  for (const r of results) {
    console.log(`  ${r.label.padEnd(40)} ${(r.ms / 1000).toFixed(2).padStart(6)} s   ×${(base / r.ms).toFixed(1)}`);
  }
  console.log(
    `  ideal for ${DEFAULT_CONCURRENCY} in flight: ×${Math.min(DEFAULT_CONCURRENCY, N).toFixed(1)} on the GetSchedule part`,
  );
  for (const r of cli) {
    console.log(
      `  ${r.label.padEnd(40)} ${(r.ms / 1000).toFixed(2).padStart(6)} s   ×${(cli[0]!.ms / r.ms).toFixed(1)}  (one run, built CLI end to end)`,
    );
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
