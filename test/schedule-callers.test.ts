// TRAILDIGEST_SCHEDULES: the compact form, its size for 50 schedules against Lambda's 4 KB environment,
// the graceful fallbacks, the strict parser, and what the classifier names from each form.
import { describe, expect, it } from "vitest";
import { callerInfo } from "../src/core/events/call-kind.js";
import { parseConfig } from "../src/core/setup/config-schema.js";
import type { ApiCallEvent } from "../src/core/events/events.js";
import { classifyContextOf, functionEnvironment, functionScheduleCallers } from "../src/core/setup/policies.js";
import {
  ENV_BUDGET_BYTES,
  ScheduleCallersError,
  encodeScheduleCallers,
  envBytes,
  parseScheduleCallers,
  utf8Bytes,
} from "../src/core/schedule/schedule-callers.js";

const ROLE = "arn:aws:iam::123456789012:role/traildigest-scheduler-role";
/** 25 services, each with a night stop and a morning start: 50 schedules in one group, one role. */
function fifty(svc: (i: number) => string, cluster: string, group = "traildigest-nightly") {
  return Array.from({ length: 50 }, (_, i) => ({
    name: `${svc(i >> 1)}-${i % 2 ? "morning-start" : "night-stop"}`,
    group,
    expression: i % 2 ? "cron(0 8 ? * MON-FRI *)" : "cron(0 22 ? * MON-FRI *)",
    cluster,
    service: svc(i >> 1),
    desiredCount: i % 2 ? 3 : 0,
    roleArn: ROLE,
  }));
}
const call = (over: Partial<ApiCallEvent>): ApiCallEvent =>
  ({
    eventId: "e",
    eventName: "UpdateService",
    eventTime: "2026-01-01T00:00:00Z",
    cluster: "prod",
    service: "svc-7",
    desiredCount: 0,
    caller: { type: "AssumedRole", name: "traildigest-scheduler-role", role: "traildigest-scheduler-role" },
    ...over,
  }) as ApiCallEvent;

describe("TRAILDIGEST_SCHEDULES size (Lambda: 4 KB for all variables; our budget 3,500 bytes as JSON)", () => {
  it("50 schedules with usual names fit in full: 2,103 bytes raw, 2,413 as counted (escaped in the Variables JSON), whole environment 2,517 bytes", () => {
    const cfg = parseConfig({ schedules: fifty((i) => `svc-${i}`, "prod") });
    const sc = functionScheduleCallers(cfg);
    expect(sc.form).toBe("full");
    expect(utf8Bytes(sc.value!)).toBe(2103);
    expect(sc.fullBytes).toBe(2413);
    expect(sc.budgetBytes).toBe(
      ENV_BUDGET_BYTES -
        envBytes({ DIGEST_TIMEZONE: "UTC", SLACK_WEBHOOK_SECRET_ID: "traildigest/slack-webhook" }) -
        ',"TRAILDIGEST_SCHEDULES":'.length,
    );
    expect(envBytes(functionEnvironment(cfg))).toBe(2517);
    expect(envBytes(functionEnvironment(cfg))).toBeLessThanOrEqual(ENV_BUDGET_BYTES);
    // Every schedule comes back, and the stop of svc-7 is told from its start by the count.
    expect(classifyContextOf(cfg).schedules).toHaveLength(50);
    expect(callerInfo(call({}), classifyContextOf(cfg)).name).toBe("schedule svc-7-night-stop");
    expect(callerInfo(call({ desiredCount: 3 }), classifyContextOf(cfg)).name).toBe("schedule svc-7-morning-start");
  });

  it("50 schedules with long names (6,353 bytes as counted) fall back to the role names (42 bytes): recognised, not named", () => {
    const cfg = parseConfig({
      schedules: fifty(
        (i) => `payments-reconciliation-worker-${String(i).padStart(2, "0")}`,
        "production-eu-central-1-main",
      ),
    });
    const sc = functionScheduleCallers(cfg);
    expect([sc.form, sc.fullBytes, utf8Bytes(sc.value!)]).toEqual(["roles", 6353, 42]);
    expect(functionEnvironment(cfg).TRAILDIGEST_SCHEDULES).toBe('{"v":1,"r":["traildigest-scheduler-role"]}');
    expect(callerInfo(call({ cluster: "production-eu-central-1-main" }), classifyContextOf(cfg))).toEqual({
      kind: "scheduler",
      name: "EventBridge Scheduler (role traildigest-scheduler-role)",
    });
  });

  it("when not even the role names fit, the variable is left out (scheduler calls show by their role)", () => {
    const s = fifty((i) => `svc-${i}`, "prod");
    expect(encodeScheduleCallers(s, 30)).toEqual({ form: "none", fullBytes: 2413, budgetBytes: 30 });
    expect(encodeScheduleCallers([], 3000)).toEqual({ form: "none", fullBytes: 0, budgetBytes: 3000 });
  });
});

describe("parseScheduleCallers", () => {
  it("reads back what it wrote, by role name, with group and count", () => {
    const value = encodeScheduleCallers(
      [
        {
          name: "n",
          group: "default",
          roleArn: "arn:aws:iam::1:role/path/r",
          cluster: "c",
          service: "s",
          desiredCount: 2,
        },
      ],
      1000,
    ).value!;
    expect(value).toBe('{"v":1,"s":{"r":{"default":[["n","c","s",2]]}}}');
    expect(parseScheduleCallers(value)).toEqual({
      schedules: [{ name: "n", group: "default", roleArn: "r", cluster: "c", service: "s", desiredCount: 2 }],
    });
    expect(parseScheduleCallers('{"v":1,"r":["a","b"]}')).toEqual({ schedulerRoles: ["a", "b"] });
  });

  it.each([
    ["{", "not JSON"],
    ["[]", "not a JSON object"],
    ['{"s":{}}', "unknown version"],
    ['{"v":1}', 'neither "s"'],
    ['{"v":1,"r":["a",3]}', '"r" must list role names'],
    ['{"v":1,"s":{"r":[]}}', '"s" must map role names'],
    ['{"v":1,"s":{"r":{"g":{}}}}', "must map group names"],
    ['{"v":1,"s":{"r":{"g":[["n","c","s","0"]]}}}', "schedule entry 1 is not"],
    ['{"v":1,"s":{"r":{"g":[["n","c","s",1.5]]}}}', "schedule entry 1 is not"],
  ])("refuses %s (%s), never quoting the value", (value, reason) => {
    let err: unknown;
    try {
      parseScheduleCallers(value);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ScheduleCallersError);
    expect((err as Error).message).toContain(reason);
  });
});

describe("classifier: which schedule made the call", () => {
  const ctx = {
    schedules: [
      { name: "night", group: "a", roleArn: "r", cluster: "prod", service: "svc-7", desiredCount: 0 },
      { name: "night", group: "b", roleArn: "r", cluster: "prod", service: "svc-7", desiredCount: 0 },
    ],
  };
  const byR = (over: Partial<ApiCallEvent> = {}) =>
    call({ caller: { type: "AssumedRole", name: "r", role: "r" } as ApiCallEvent["caller"], ...over });
  it("the same name in two groups is two schedules: neither is named", () => {
    expect(callerInfo(byR(), ctx).name).toBe("EventBridge Scheduler (role r)");
  });
  it("a count no schedule of that role sets is the role's call, not a named schedule's", () => {
    expect(callerInfo(byR({ desiredCount: 5 }), { schedules: [ctx.schedules[0]!] })).toEqual({
      kind: "scheduler",
      name: "EventBridge Scheduler (role r)",
    });
  });
});
