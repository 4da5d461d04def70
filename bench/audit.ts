// `schedules audit` over 500 and 1,000 daily schedules, 1 and 7 days, one call per fire:
// 1. matching alone (expected fires + matchFires), which must grow with fires + calls;
// 2. end to end against a local Scheduler (20 ms per answer) and a local CloudTrail (paced at the real 2 TPS),
//    beside `schedules list` alone (fetchSchedules) and `trail recent` alone (the same scan): the audit should
//    cost about its slower part, not their sum.
// Default: matching for all four, end to end for 500 × 1 day. BENCH_BIG=1 (or --big): end to end for all four
// (the 7-day scans are 70 and 140 LookupEvents pages, 35 s and 70 s at 2 TPS).
// Run: npx tsx bench/audit.ts [--big]
import { setTimeout as delay } from "node:timers/promises";
import { SchedulerClient } from "@aws-sdk/client-scheduler";
import { CloudTrailClient } from "@aws-sdk/client-cloudtrail";
import { expectedFires, matchFires } from "../src/core/audit/audit.js";
import type { Schedule } from "../src/core/schedule/schedule.js";
import type { ApiCallEvent } from "../src/core/events/events.js";
import { fetchSchedules } from "../src/adapters/aws/scheduler.js";
import { scanTrail } from "../src/adapters/aws/cloudtrail.js";
import { runAudit } from "../src/app/audit.js";
import { ecsSchedules, startFakeScheduler } from "../test/support/fake-scheduler.js";
import { startFakeCloudTrail, updateServiceEvent } from "../test/support/fake-cloudtrail.js";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
const BIG = Boolean(process.env.BENCH_BIG) || process.argv.includes("--big");
const NOW = new Date("2026-11-27T00:00:00Z");
const DAY = 86_400_000;
const ROLE = "scheduler-ecs";

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** n daily schedules (22:00 Seoul = 13:00Z), each scaling its own service. */
function schedulesOf(n: number): Schedule[] {
  return Array.from({ length: n }, (_, i) => ({
    name: `svc-${String(i).padStart(4, "0")}-night-down`,
    group: "default",
    expression: "cron(0 22 * * ? *)",
    timezone: "Asia/Seoul",
    roleArn: `arn:aws:iam::123456789012:role/${ROLE}`,
    target: { kind: "ecs:updateService", cluster: "dev", service: `svc-${i}`, desiredCount: 0 },
  }));
}

/** One successful call 3 s after every fire in the period. */
function callTimes(n: number, days: number): { service: string; time: string }[] {
  const out: { service: string; time: string }[] = [];
  for (let d = days; d >= 1; d--) {
    const fire = Date.UTC(2026, 10, 27 - d, 13, 0, 3);
    for (let i = 0; i < n; i++) out.push({ service: `svc-${i}`, time: new Date(fire + (i % 50) * 1000).toISOString() });
  }
  return out;
}

function asEvent(c: { service: string; time: string }, i: number): ApiCallEvent {
  return {
    eventId: `call-${i}`,
    eventTime: c.time.replace(".000Z", "Z"),
    eventName: "UpdateService",
    eventSource: "ecs.amazonaws.com",
    region: "ap-northeast-2",
    account: "123456789012",
    cluster: "dev",
    service: c.service,
    desiredCount: 0,
    caller: { type: "AssumedRole", name: ROLE, role: ROLE, session: "s" },
  };
}

function matching(n: number, days: number): { fires: number; calls: number; ms: number } {
  const schedules = schedulesOf(n);
  const calls = callTimes(n, days).map(asEvent);
  const from = new Date(NOW.getTime() - days * DAY);
  const fires = expectedFires(schedules, { from, to: NOW, toleranceMs: 60_000 });
  const opts = { from, to: NOW, now: NOW, pendingMarginMs: 15 * 60_000 };
  const r = matchFires(fires, calls, opts);
  if (r.summary.ok !== n * days) throw new Error(`expected ${n * days} ok fires, got ${JSON.stringify(r.summary)}`);
  const xs: number[] = [];
  for (let k = 0; k < 5; k++) {
    const t0 = performance.now();
    matchFires(fires, calls, opts);
    xs.push(performance.now() - t0);
  }
  return { fires: fires.length, calls: calls.length, ms: median(xs) };
}

async function endToEnd(n: number, days: number): Promise<string> {
  const scheduler = await startFakeScheduler({
    schedules: ecsSchedules(n).map((s) => ({ ...s, ScheduleExpression: "cron(0 22 * * ? *)" })),
    delayMs: 20,
  });
  const items = callTimes(n, days).map((c, i) =>
    updateServiceEvent({
      time: c.time,
      cluster: "dev",
      service: c.service,
      desiredCount: 0,
      role: ROLE,
      eventId: `call-${i}`,
    }),
  );
  const trail = await startFakeCloudTrail({ events: items, pageSize: 50 });
  const creds = { accessKeyId: "test", secretAccessKey: "test" };
  const sc = new SchedulerClient({
    region: "ap-northeast-2",
    endpoint: scheduler.endpoint,
    credentials: creds,
    maxAttempts: 5,
    retryMode: "adaptive",
  });
  const ct = new CloudTrailClient({
    region: "ap-northeast-2",
    endpoint: trail.endpoint,
    credentials: creds,
    maxAttempts: 1,
  });
  try {
    const since = new Date(NOW.getTime() - days * DAY);
    let t0 = performance.now();
    await fetchSchedules(sc, {});
    const list = (performance.now() - t0) / 1000;
    await delay(1100);
    t0 = performance.now();
    const scan = await scanTrail({ eventName: "UpdateService", since, until: NOW }, ct);
    const recent = (performance.now() - t0) / 1000;
    await delay(1100); // the pacer is process-wide: start the audit's scan with a fresh 1 s window, as a new process would
    t0 = performance.now();
    const data = await runAudit(
      { scheduler: sc, cloudtrail: ct, now: NOW },
      { since: `${days}d`, pendingMargin: "15m", tolerance: "60s" },
    );
    const total = (performance.now() - t0) / 1000;
    if (data.summary.ok !== n * days || scan.events.length !== n * days)
      throw new Error(`unexpected result: ${JSON.stringify(data.summary)}`);
    const sum = list + recent;
    return `| ${n} | ${days} | ${list.toFixed(2)} s | ${recent.toFixed(2)} s (${scan.pages} pages) | ${total.toFixed(2)} s | ${(total / Math.max(list, recent)).toFixed(2)}× the slower, ${(total / sum).toFixed(2)}× the sum |`;
  } finally {
    await scheduler.stop();
    await trail.stop();
  }
}

async function main() {
  const cases: [number, number][] = [
    [500, 1],
    [1000, 1],
    [500, 7],
    [1000, 7],
  ];
  matching(1000, 7); // warm-up: JIT
  console.log("matching alone (matchFires, median of 5): time per fire + call should stay flat");
  console.log("| schedules | days | fires | calls | matching | µs per (fire + call) |");
  console.log("|---:|---:|---:|---:|---:|---:|");
  for (const [n, d] of cases) {
    const m = matching(n, d);
    console.log(
      `| ${n} | ${d} | ${m.fires} | ${m.calls} | ${m.ms.toFixed(1)} ms | ${((m.ms * 1000) / (m.fires + m.calls)).toFixed(2)} |`,
    );
  }
  console.log(
    "\nend to end (Scheduler answers after 20 ms, 8 GetSchedule in flight; CloudTrail paced at 2 TPS, 50 per page)",
  );
  console.log(
    "| schedules | days | `schedules list` alone | `trail recent` alone | `schedules audit` | audit vs its parts |",
  );
  console.log("|---:|---:|---:|---:|---:|---|");
  for (const [n, d] of BIG ? cases : cases.slice(0, 1)) console.log(await endToEnd(n, d));
  if (!BIG) console.log("(1,000 schedules and 7 days end to end: BENCH_BIG=1 npm run bench -- audit)");
}

await main();
