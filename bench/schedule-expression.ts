// Fire-time evaluation speed (issue 3): cron walks local days, so a month of 5-minute fires stays in milliseconds.
// Run: npx tsx bench/schedule-expression.ts
import { firesBetween, nextFires } from "../src/core/schedule/schedule-expression.js";

const RUNS = 20;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function time(label: string, fn: () => unknown[]): void {
  const n = fn().length; // warm-up
  const xs: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    fn();
    xs.push(performance.now() - t0);
  }
  console.log(`${label.padEnd(72)} ${median(xs).toFixed(2).padStart(7)} ms  (${n} fires)`);
}

const a = new Date("2026-03-15T00:00:00Z");
const b = new Date("2026-04-14T00:00:00Z");
time("firesBetween cron(0/5 * * * ? *) 30 days, UTC", () => firesBetween("cron(0/5 * * * ? *)", a, b));
time("firesBetween cron(0/5 * * * ? *) 30 days, Europe/London (DST day inside)", () =>
  firesBetween("cron(0/5 * * * ? *)", a, b, { timezone: "Europe/London" }),
);
time("firesBetween cron(* * * * ? *) 30 days, America/New_York", () =>
  firesBetween("cron(* * * * ? *)", a, b, { timezone: "America/New_York" }, 100_000),
);
time("nextFires 3 × cron(0 22 ? * MON-FRI *), America/New_York", () =>
  nextFires("cron(0 22 ? * MON-FRI *)", a, 3, { timezone: "America/New_York" }),
);
time("nextFires cron(0 0 30 2 ? *) (never fires: walks to 2199)", () => nextFires("cron(0 0 30 2 ? *)", a, 3));
time("500 schedules × nextFires 3 (mixed zones)", () => {
  const zones = ["UTC", "Europe/London", "America/New_York", "Asia/Seoul"];
  const out: Date[] = [];
  for (let i = 0; i < 500; i++) {
    out.push(...nextFires(`cron(${i % 60} ${i % 24} ? * MON-FRI *)`, a, 3, { timezone: zones[i % 4]! }));
  }
  return out;
});
