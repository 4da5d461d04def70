// Pure forecast: schedules → waves → best-case digest counts and the first digest's events.
import { describe, expect, it } from "vitest";
import {
  bestCaseDigests,
  firstBatch,
  forecastWaves,
  groupWaves,
  synthesizeEvents,
  upcomingCalls,
} from "../src/core/audit/forecast.js";
import type { FiresBetweenFn } from "../src/core/audit/audit.js";
import type { Schedule } from "../src/core/schedule/schedule.js";
import { fixedFires, SCHEDULER_ROLE } from "./support/fixed-fires.js";

const ROLE = SCHEDULER_ROLE;
function schedule(name: string, service: string, fires: string[], extra: Partial<Schedule> = {}): Schedule {
  return {
    name,
    group: "default",
    state: "ENABLED",
    expression: `fixed(${fires.join(",")})`,
    roleArn: ROLE,
    target: { kind: "ecs:updateService", cluster: "dev", service, desiredCount: 0 },
    ...extra,
  };
}

const opts = {
  from: new Date("2026-11-26T00:00:00Z"),
  to: new Date("2026-11-27T00:00:00Z"),
  batchSize: 10,
  windowSeconds: 300,
  firesBetween: fixedFires,
};

describe("forecast waves", () => {
  it("25 services scaled down at 22:00 make one wave of 25 calls → 3 digests at best", () => {
    const scheds = Array.from({ length: 25 }, (_, i) => schedule(`svc${i}-down`, `svc${i}`, ["2026-11-26T22:00:00Z"]));
    const waves = forecastWaves(scheds, opts);
    expect(waves).toHaveLength(1);
    expect(waves[0]!.calls).toHaveLength(25);
    expect(waves[0]!.digests).toBe(3);
    expect(waves[0]!.at.toISOString()).toBe("2026-11-26T22:00:00.000Z");
  });

  it("fires within the batching window of the wave's first fire join it; later ones start a new wave", () => {
    const scheds = [
      schedule("a", "a", ["2026-11-26T22:00:00Z"]),
      schedule("b", "b", ["2026-11-26T22:05:00Z"]), // exactly 300 s later: same wave
      schedule("c", "c", ["2026-11-26T22:06:00Z"]), // 360 s after the first: new wave
      schedule("d", "d", ["2026-11-27T08:00:00Z"]), // outside [from, to)
    ];
    const waves = forecastWaves(scheds, opts);
    expect(waves.map((w) => [w.at.toISOString(), w.calls.map((c) => c.schedule)])).toEqual([
      ["2026-11-26T22:00:00.000Z", ["a", "b"]],
      ["2026-11-26T22:06:00.000Z", ["c"]],
    ]);
  });

  it("without a batching window only simultaneous fires share a wave", () => {
    const calls = upcomingCalls(
      [
        schedule("a", "a", ["2026-11-26T22:00:00Z"]),
        schedule("b", "b", ["2026-11-26T22:00:00Z"]),
        schedule("c", "c", ["2026-11-26T22:01:00Z"]),
      ],
      opts,
    );
    expect(groupWaves(calls, { batchSize: 10, windowSeconds: 0 }).map((w) => w.calls.length)).toEqual([2, 1]);
  });

  it("best case is ceil(n / batchSize)", () => {
    expect(bestCaseDigests(0, 10)).toBe(0);
    expect(bestCaseDigests(1, 10)).toBe(1);
    expect(bestCaseDigests(10, 10)).toBe(1);
    expect(bestCaseDigests(11, 10)).toBe(2);
    expect(bestCaseDigests(1500, 10000)).toBe(1);
  });

  it("DISABLED schedules and other targets are left out", () => {
    const waves = forecastWaves(
      [
        schedule("off", "a", ["2026-11-26T22:00:00Z"], { state: "DISABLED" }),
        schedule("lam", "b", ["2026-11-26T22:00:00Z"], { target: { kind: "lambda:invoke" } }),
      ],
      opts,
    );
    expect(waves).toEqual([]);
  });

  it("the first batch is the first BatchSize calls, synthesized as the schedule's role in its account", () => {
    const scheds = Array.from({ length: 12 }, (_, i) =>
      schedule(`s${String(i).padStart(2, "0")}`, `svc${i}`, [`2026-11-26T22:00:${String(i).padStart(2, "0")}Z`]),
    );
    const [wave] = forecastWaves(scheds, { ...opts, batchSize: 5 });
    expect(wave!.digests).toBe(3);
    const batch = firstBatch(wave!, 5);
    expect(batch.map((c) => c.service)).toEqual(["svc0", "svc1", "svc2", "svc3", "svc4"]);
    const events = synthesizeEvents(batch, { region: "ap-northeast-2" });
    expect(events[0]).toMatchObject({
      eventName: "UpdateService",
      eventTime: "2026-11-26T22:00:00.000Z",
      region: "ap-northeast-2",
      account: "123456789012",
      cluster: "dev",
      service: "svc0",
      desiredCount: 0,
      caller: { type: "AssumedRole", name: "traildigest-scheduler-role", role: "traildigest-scheduler-role" },
    });
    expect(new Set(events.map((e) => e.eventId)).size).toBe(5);
  });

  it("schedule time zone, start and end dates are passed to the fire computation", () => {
    const seen: unknown[] = [];
    const spy: FiresBetweenFn = (expr, from, to, o) => {
      seen.push(o);
      return [];
    };
    upcomingCalls(
      [
        schedule("a", "a", [], {
          timezone: "America/New_York",
          startDate: "2026-01-01T00:00:00Z",
          endDate: new Date("2027-01-01T00:00:00Z"),
        }),
      ],
      { ...opts, firesBetween: spy },
    );
    expect(seen).toEqual([
      {
        timezone: "America/New_York",
        startDate: new Date("2026-01-01T00:00:00Z"),
        endDate: new Date("2027-01-01T00:00:00Z"),
      },
    ]);
  });
});
