// Pure audit: expected fires × calls → ok / failed / missed / pending, and unexpected calls.
import type { Schedule } from "../src/core/schedule/schedule.js";
import { describe, expect, it } from "vitest";
import {
  audit,
  auditHasProblems,
  expectedFires,
  resourceName,
  roleNameFromArn,
  scanRange,
} from "../src/core/audit/audit.js";
import type { ApiCallEvent } from "../src/core/events/events.js";
import { decodeScheduleDetail } from "../src/core/schedule/schedules.js";
import { fixedFires, SCHEDULER_ROLE } from "./support/fixed-fires.js";

const ROLE = SCHEDULER_ROLE;

function schedule(
  name: string,
  service: string,
  desiredCount: number,
  fires: string[],
  extra: Partial<Schedule> = {},
): Schedule {
  return {
    name,
    group: "default",
    state: "ENABLED",
    expression: `fixed(${fires.join(",")})`,
    timezone: "UTC",
    flexibleWindowMinutes: 0,
    roleArn: ROLE,
    target: { kind: "ecs:updateService", cluster: "dev", service, desiredCount },
    ...extra,
  };
}

let n = 0;
function call(service: string, desiredCount: number, at: string, extra: Partial<ApiCallEvent> = {}): ApiCallEvent {
  n++;
  return {
    eventId: `ev-${n}`,
    eventTime: at,
    eventName: "UpdateService",
    eventSource: "ecs.amazonaws.com",
    region: "us-east-1",
    account: "123456789012",
    cluster: "dev",
    service,
    desiredCount,
    caller: {
      type: "AssumedRole",
      arn: "arn:aws:sts::123456789012:assumed-role/traildigest-scheduler-role/a4cdb673bc3db689",
      name: "traildigest-scheduler-role",
      role: "traildigest-scheduler-role",
      session: "a4cdb673bc3db689",
    },
    ...extra,
  };
}

const person = {
  type: "AssumedRole",
  arn: "arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_Admin_abc/jane@example.com",
  name: "jane@example.com",
  role: "AWSReservedSSO_Admin_abc",
  session: "jane@example.com",
};

const base = {
  from: new Date("2026-11-25T12:00:00Z"),
  to: new Date("2026-11-26T12:00:00Z"),
  now: new Date("2026-11-26T12:00:00Z"),
  toleranceMs: 60_000,
  pendingMarginMs: 15 * 60_000,
  firesBetween: fixedFires,
};

describe("audit matching", () => {
  it("a schedule created inside the window: no fire before its creation is expected, none reported missed", () => {
    const fires = ["2026-11-25T14:00:00Z", "2026-11-25T20:00:00Z", "2026-11-26T02:00:00Z"];
    const s = schedule("api-new", "api", 0, fires, { createdAt: "2026-11-25T16:00:00Z" });
    const r = audit([s], [call("api", 0, "2026-11-25T20:00:03Z")], base);
    expect(r.fires.map((f) => [f.expectedAt, f.status])).toEqual([
      ["2026-11-25T20:00:00.000Z", "ok"],
      ["2026-11-26T02:00:00.000Z", "missed"],
    ]);
    expect(r.notExpected).toEqual([
      {
        schedule: "api-new",
        group: "default",
        before: "2026-11-25T16:00:00.000Z",
        fires: 1,
        reason: "created 2026-11-25T16:00:00.000Z: it did not exist before",
      },
    ]);
    // Created after every fire of the period (the morning after): nothing missed, exit 0.
    const late = audit([schedule("api-new", "api", 0, fires, { createdAt: "2026-11-26T03:00:00Z" })], [], base);
    expect(late.fires).toEqual([]);
    expect(late.notExpected[0]!.fires).toBe(3);
    expect(auditHasProblems(late)).toBe(false);
  });

  it("fires before a LastModificationDate are not reported (the expression then is unknown), but may still explain a call", () => {
    const fires = ["2026-11-25T14:00:00Z", "2026-11-25T20:00:00Z"];
    const s = schedule("api-changed", "api", 0, fires, {
      createdAt: "2026-01-01T00:00:00Z",
      modifiedAt: "2026-11-25T15:00:00Z",
    });
    const r = audit([s], [call("api", 0, "2026-11-25T14:00:02Z")], base);
    expect(r.fires.map((f) => [f.expectedAt, f.status])).toEqual([["2026-11-25T20:00:00.000Z", "missed"]]);
    expect(r.unexpected).toEqual([]);
    expect(r.notExpected[0]).toMatchObject({
      fires: 1,
      reason: "last modified 2026-11-25T15:00:00.000Z: its expression before then is not known",
    });
  });

  it("a day where every fire happened is all ok, exit 0", () => {
    const scheds = [
      schedule("api-night-down", "api", 0, ["2026-11-25T22:00:00Z"]),
      schedule("api-morning-up", "api", 2, ["2026-11-26T08:00:00Z"]),
    ];
    const calls = [call("api", 0, "2026-11-25T22:00:03Z"), call("api", 2, "2026-11-26T08:00:41Z")];
    const r = audit(scheds, calls, base);
    expect(r.fires.map((f) => [f.schedule, f.status, f.eventId, f.delaySeconds])).toEqual([
      ["api-night-down", "ok", calls[0]!.eventId, 3],
      ["api-morning-up", "ok", calls[1]!.eventId, 41],
    ]);
    expect(r.unexpected).toEqual([]);
    expect(auditHasProblems(r)).toBe(false);
  });

  it("no call → missed; a call with errorCode → failed with the code; both are problems", () => {
    const scheds = [
      schedule("api-down", "api", 0, ["2026-11-25T22:00:00Z"]),
      schedule("worker-down", "worker", 0, ["2026-11-25T22:00:00Z"]),
    ];
    const calls = [
      call("worker", 0, "2026-11-25T22:00:05Z", { errorCode: "AccessDeniedException", errorMessage: "no" }),
    ];
    const r = audit(scheds, calls, base);
    const byName = Object.fromEntries(r.fires.map((f) => [f.schedule, f]));
    expect(byName["api-down"]).toMatchObject({ status: "missed", eventId: null, errorCode: null });
    expect(byName["worker-down"]).toMatchObject({ status: "failed", errorCode: "AccessDeniedException" });
    expect(r.summary).toMatchObject({ ok: 0, missed: 1, failed: 1 });
    expect(auditHasProblems(r)).toBe(true);
  });

  it("a call after the window (flex + tolerance) does not count: missed, and the call is unexpected", () => {
    const s = schedule("api-down", "api", 0, ["2026-11-25T22:00:00Z"], { flexibleWindowMinutes: 5 });
    const inWindow = audit([s], [call("api", 0, "2026-11-25T22:05:59Z")], base);
    expect(inWindow.fires[0]!.status).toBe("ok");
    const late = audit([s], [call("api", 0, "2026-11-25T22:06:01Z")], base);
    expect(late.fires[0]!.status).toBe("missed");
    expect(late.unexpected).toHaveLength(1);
    const early = audit([s], [call("api", 0, "2026-11-25T21:59:59Z")], base);
    expect(early.fires[0]!.status).toBe("missed");
  });

  it("matching requires the same cluster, service, desired count and the schedule's role", () => {
    const s = schedule("api-down", "api", 0, ["2026-11-25T22:00:00Z"]);
    const at = "2026-11-25T22:00:02Z";
    for (const wrong of [
      call("api", 1, at),
      call("web", 0, at),
      call("api", 0, at, { cluster: "prod" }),
      call("api", 0, at, { caller: person }),
    ]) {
      const r = audit([s], [wrong], base);
      expect(r.fires[0]!.status).toBe("missed");
      expect(r.unexpected.map((e) => e.eventId)).toEqual([wrong.eventId]);
    }
  });

  it("a call made by a person is unexpected, with its caller", () => {
    const s = schedule("api-down", "api", 0, ["2026-11-25T22:00:00Z"]);
    const calls = [call("api", 0, "2026-11-25T22:00:02Z"), call("api", 3, "2026-11-26T02:14:00Z", { caller: person })];
    const r = audit([s], calls, base);
    expect(r.fires[0]!.status).toBe("ok");
    expect(r.unexpected).toHaveLength(1);
    expect(r.unexpected[0]!.caller.name).toBe("jane@example.com");
    // Unexpected calls alone are not a failure of the schedules.
    expect(auditHasProblems(r)).toBe(false);
  });

  it("a fire in the last minutes without a call is pending, not missed", () => {
    const now = new Date("2026-11-26T11:55:00Z");
    const s = schedule("api-down", "api", 0, ["2026-11-26T11:50:00Z", "2026-11-26T11:30:00Z"]);
    const r = audit([s], [], { ...base, now, to: now });
    expect(r.fires.map((f) => [f.expectedAt, f.status])).toEqual([
      ["2026-11-26T11:30:00.000Z", "missed"],
      ["2026-11-26T11:50:00.000Z", "pending"],
    ]);
    // A recent fire whose call is already there is simply ok.
    const seen = audit([s], [call("api", 0, "2026-11-26T11:50:01Z"), call("api", 0, "2026-11-26T11:30:01Z")], {
      ...base,
      now,
      to: now,
    });
    expect(seen.fires.map((f) => f.status)).toEqual(["ok", "ok"]);
  });

  it("the pending margin is a parameter", () => {
    const now = new Date("2026-11-26T11:55:00Z");
    const s = schedule("api-down", "api", 0, ["2026-11-26T11:50:00Z"]);
    expect(audit([s], [], { ...base, now, to: now, pendingMarginMs: 2 * 60_000 }).fires[0]!.status).toBe("missed");
  });

  it("each call is used at most once: two schedules with the same target need two calls", () => {
    const a = schedule("api-down-a", "api", 0, ["2026-11-25T22:00:00Z"]);
    const b = schedule("api-down-b", "api", 0, ["2026-11-25T22:00:00Z"]);
    const one = audit([a, b], [call("api", 0, "2026-11-25T22:00:04Z")], base);
    expect(one.fires.map((f) => f.status).sort()).toEqual(["missed", "ok"]);
    const two = audit([a, b], [call("api", 0, "2026-11-25T22:00:04Z"), call("api", 0, "2026-11-25T22:00:09Z")], base);
    expect(two.fires.map((f) => f.status)).toEqual(["ok", "ok"]);
    expect(new Set(two.fires.map((f) => f.eventId)).size).toBe(2);
  });

  it("a failed attempt followed by a successful retry in the window is ok, and the retry is not unexpected", () => {
    const s = schedule("api-down", "api", 0, ["2026-11-25T22:00:00Z"], { flexibleWindowMinutes: 15 });
    const calls = [
      call("api", 0, "2026-11-25T22:00:02Z", { errorCode: "ThrottlingException" }),
      call("api", 0, "2026-11-25T22:01:30Z"),
    ];
    const r = audit([s], calls, base);
    expect(r.fires[0]).toMatchObject({ status: "ok", eventId: calls[1]!.eventId, attempts: 2 });
    expect(r.unexpected).toEqual([]);
  });

  it("a failed first call whose Scheduler retry succeeds after the window is ok (attempts counted), within the event age and before the next fire", () => {
    const fire = "2026-11-25T22:00:00Z";
    const calls = () => [
      call("api", 0, "2026-11-25T22:00:02Z", { errorCode: "ThrottlingException" }),
      call("api", 0, "2026-11-25T22:03:00Z", { errorCode: "ThrottlingException" }),
      call("api", 0, "2026-11-25T22:20:00Z"),
    ];
    // Default retry policy (86,400 s): the success 20 minutes later is this fire's retry.
    const c1 = calls();
    const r = audit([schedule("api-down", "api", 0, [fire])], c1, base);
    expect(r.fires[0]).toMatchObject({ status: "ok", eventId: c1[2]!.eventId, errorCode: null, attempts: 3 });
    expect(r.unexpected).toEqual([]);
    expect(auditHasProblems(r)).toBe(false);

    // The decoded schedule's retry policy bounds it: 10 minutes of event age do not reach 22:20.
    const short = audit(
      [
        schedule("api-down", "api", 0, [fire], {
          retryPolicy: { maximumEventAgeInSeconds: 600, maximumRetryAttempts: 3 },
        }),
      ],
      calls(),
      base,
    );
    expect(short.fires[0]).toMatchObject({ status: "failed", errorCode: "ThrottlingException", attempts: 2 });
    expect(short.unexpected.map((c) => c.eventTime)).toEqual(["2026-11-25T22:20:00Z"]);

    // No retries at all.
    const none = audit(
      [
        schedule("api-down", "api", 0, [fire], {
          retryPolicy: { maximumEventAgeInSeconds: 3600, maximumRetryAttempts: 0 },
        }),
      ],
      calls(),
      base,
    );
    expect(none.fires[0]!.status).toBe("failed");
    expect(none.unexpected.map((c) => c.eventTime)).toEqual(["2026-11-25T22:03:00Z", "2026-11-25T22:20:00Z"]);

    // Never past the next fire: with a fire at 22:10 the 22:20 success belongs to neither.
    const next = audit([schedule("api-down", "api", 0, [fire, "2026-11-25T22:10:00Z"])], calls(), base);
    expect(next.fires.map((f) => f.status)).toEqual(["failed", "missed"]);
    expect(next.unexpected.map((c) => c.eventTime)).toEqual(["2026-11-25T22:20:00Z"]);

    // A success from another role is not a retry.
    const other = calls();
    other[2] = call("api", 0, "2026-11-25T22:20:00Z", { caller: person });
    expect(audit([schedule("api-down", "api", 0, [fire])], other, base).fires[0]!.status).toBe("failed");
  });

  it("a call at the start of the period that belongs to a fire just before it is not unexpected", () => {
    const s = schedule("api-down", "api", 0, ["2026-11-25T11:59:30Z"]);
    const r = audit([s], [call("api", 0, "2026-11-25T12:00:10Z")], base);
    expect(r.fires).toEqual([]);
    expect(r.unexpected).toEqual([]);
  });

  it("DISABLED schedules and non-ECS targets expect nothing", () => {
    const off = schedule("off", "api", 0, ["2026-11-25T22:00:00Z"], { state: "DISABLED" });
    const lambda = schedule("lam", "api", 0, ["2026-11-25T22:00:00Z"], {
      target: { kind: "lambda:invoke" },
    });
    expect(audit([off, lambda], [], base).fires).toEqual([]);
  });

  it("--group reports that group's fires; calls of other groups' schedules stay explained", () => {
    const a = schedule("api-down", "api", 0, ["2026-11-25T22:00:00Z"], { group: "team-a" });
    const b = schedule("web-down", "web", 0, ["2026-11-25T22:00:00Z"], { group: "team-b" });
    const calls = [
      call("api", 0, "2026-11-25T22:00:02Z"),
      call("web", 0, "2026-11-25T22:00:02Z"),
      call("api", 5, "2026-11-26T03:00:00Z", { caller: person }),
      call("web", 5, "2026-11-26T03:00:00Z", { caller: person }),
    ];
    const r = audit([a, b], calls, { ...base, group: "team-a" });
    expect(r.fires.map((f) => f.schedule)).toEqual(["api-down"]);
    expect(r.unexpected.map((e) => e.service)).toEqual(["api"]);
  });

  it("cluster and service given as ARNs match calls that carry names", () => {
    const s = schedule("api-down", "api", 0, ["2026-11-25T22:00:00Z"], {
      target: {
        kind: "ecs:updateService",
        cluster: "arn:aws:ecs:us-east-1:123456789012:cluster/dev",
        service: "arn:aws:ecs:us-east-1:123456789012:service/dev/api",
        desiredCount: 0,
      },
    });
    expect(audit([s], [call("api", 0, "2026-11-25T22:00:02Z")], base).fires[0]!.status).toBe("ok");
  });

  it("calls outside the period are not reported as unexpected", () => {
    const r = audit([], [call("api", 3, "2026-11-26T12:00:30Z", { caller: person })], base);
    expect(r.unexpected).toEqual([]);
  });
});

describe("audit helpers", () => {
  it("names from ARNs", () => {
    expect(resourceName("arn:aws:ecs:us-east-1:1:cluster/dev")).toBe("dev");
    expect(resourceName("arn:aws:ecs:us-east-1:1:service/dev/api")).toBe("api");
    expect(resourceName("api")).toBe("api");
    expect(resourceName(undefined)).toBeUndefined();
    expect(roleNameFromArn("arn:aws:iam::1:role/ops/scaler")).toBe("scaler");
    expect(roleNameFromArn("arn:aws:sts::1:assumed-role/scaler/sess")).toBe("scaler");
  });

  it("the scan covers the period plus the longest window, never past now", () => {
    const s = [schedule("a", "api", 0, [], { flexibleWindowMinutes: 10 })];
    const r = scanRange(s, {
      from: base.from,
      to: base.to,
      now: new Date("2026-11-27T00:00:00Z"),
      toleranceMs: 60_000,
    });
    expect(r.until.toISOString()).toBe("2026-11-26T12:11:00.000Z");
    const capped = scanRange(s, { from: base.from, to: base.to, now: base.now, toleranceMs: 60_000 });
    expect(capped.until.toISOString()).toBe(base.now.toISOString());
  });

  it("expected fires carry the window end (fire + flexible window + tolerance)", () => {
    const fires = expectedFires([schedule("a", "api", 0, ["2026-11-25T22:00:00Z"], { flexibleWindowMinutes: 15 })], {
      from: base.from,
      to: base.to,
      toleranceMs: 60_000,
      firesBetween: fixedFires,
    });
    expect(fires[0]!.windowEnd.toISOString()).toBe("2026-11-25T22:16:00.000Z");
    expect(fires[0]!.role).toBe("traildigest-scheduler-role");
  });
});

describe("audit with the real fire-time evaluator", () => {
  it("a fire in a DST-skipped hour is not expected at all (America/New_York 02:30 on 2027-03-14)", () => {
    const s: Schedule = {
      name: "ny-0230",
      group: "default",
      state: "ENABLED",
      expression: "cron(30 2 * * ? *)",
      timezone: "America/New_York",
      flexibleWindowMinutes: null,
      roleArn: ROLE,
      target: { kind: "ecs:updateService", cluster: "dev", service: "api", desiredCount: 0 },
    };
    const from = new Date("2027-03-13T12:00:00Z");
    const to = new Date("2027-03-16T12:00:00Z");
    const calls = [call("api", 0, "2027-03-15T06:30:02Z"), call("api", 0, "2027-03-16T06:30:02Z")];
    const r = audit([s], calls, { from, to, now: to, toleranceMs: 60_000, pendingMarginMs: 15 * 60_000 });
    expect(r.fires.map((f) => [f.expectedAt, f.status])).toEqual([
      ["2027-03-15T06:30:00.000Z", "ok"],
      ["2027-03-16T06:30:00.000Z", "ok"],
    ]);
    expect(auditHasProblems(r)).toBe(false);
  });

  it("rate() without StartDate is anchored at the schedule's CreationDate: calls at :17 match a schedule created at :17", () => {
    // Decoded as `schedules audit` decodes GetSchedule output; an epoch anchor would expect :00 and report missed.
    const s = decodeScheduleDetail(
      {
        Name: "api-hourly",
        GroupName: "default",
        State: "ENABLED",
        ScheduleExpression: "rate(1 hour)",
        ScheduleExpressionTimezone: "UTC",
        CreationDate: "2026-11-20T08:17:00Z",
        FlexibleTimeWindow: { Mode: "OFF" },
        Target: {
          Arn: "arn:aws:scheduler:::aws-sdk:ecs:updateService",
          RoleArn: ROLE,
          Input: JSON.stringify({ Cluster: "dev", Service: "api", DesiredCount: 1 }),
        },
      },
      { from: base.from, count: 0 },
    );
    const from = new Date("2026-11-25T20:00:00Z");
    const to = new Date("2026-11-25T23:00:00Z");
    const calls = [
      call("api", 1, "2026-11-25T20:17:04Z"),
      call("api", 1, "2026-11-25T21:17:02Z"),
      call("api", 1, "2026-11-25T22:17:09Z"),
    ];
    const r = audit([s], calls, { from, to, now: to, toleranceMs: 60_000, pendingMarginMs: 15 * 60_000 });
    expect(r.fires.map((f) => [f.expectedAt, f.status])).toEqual([
      ["2026-11-25T20:17:00.000Z", "ok"],
      ["2026-11-25T21:17:00.000Z", "ok"],
      ["2026-11-25T22:17:00.000Z", "ok"],
    ]);
    expect(r.unexpected).toEqual([]);
    expect(auditHasProblems(r)).toBe(false);
  });

  it("StartDate and EndDate bound the expected fires", () => {
    const s: Schedule = {
      name: "hourly",
      expression: "rate(1 hour)",
      startDate: "2026-11-25T20:00:00Z",
      endDate: "2026-11-25T23:30:00Z",
      roleArn: ROLE,
      target: { kind: "ecs:updateService", cluster: "dev", service: "api", desiredCount: 1 },
    };
    const fires = expectedFires([s], { from: base.from, to: base.to, toleranceMs: 60_000 });
    expect(fires.map((f) => f.at.toISOString())).toEqual([
      "2026-11-25T20:00:00.000Z",
      "2026-11-25T21:00:00.000Z",
      "2026-11-25T22:00:00.000Z",
      "2026-11-25T23:00:00.000Z",
    ]);
  });
});

describe("runAudit with mocked AWS clients (aws-sdk-client-mock)", () => {
  const ACCOUNT = "123456789012";
  const lookupItem = (
    id: string,
    time: string,
    service: string,
    desiredCount: number,
    extra: Record<string, unknown> = {},
  ) => ({
    EventId: id,
    EventName: "UpdateService",
    EventTime: new Date(time),
    CloudTrailEvent: JSON.stringify({
      eventVersion: "1.11",
      userIdentity: {
        type: "AssumedRole",
        arn: `arn:aws:sts::${ACCOUNT}:assumed-role/traildigest-scheduler-role/abc`,
        sessionContext: { sessionIssuer: { type: "Role", arn: ROLE, userName: "traildigest-scheduler-role" } },
      },
      eventTime: time,
      eventSource: "ecs.amazonaws.com",
      eventName: "UpdateService",
      awsRegion: "us-east-1",
      requestParameters: { cluster: "dev", service, desiredCount },
      eventID: id,
      recipientAccountId: ACCOUNT,
      ...extra,
    }),
  });
  const getSchedule = (name: string, service: string, desiredCount: number, expression: string) => ({
    Name: name,
    GroupName: "default",
    State: "ENABLED" as const,
    ScheduleExpression: expression,
    ScheduleExpressionTimezone: "Asia/Seoul",
    FlexibleTimeWindow: { Mode: "OFF" as const },
    Target: {
      Arn: "arn:aws:scheduler:::aws-sdk:ecs:updateService",
      RoleArn: ROLE,
      Input: JSON.stringify({ Cluster: "dev", Service: service, DesiredCount: desiredCount }),
    },
  });

  it("one ListSchedules/GetSchedule pass and ONE LookupEvents scan over the period plus the window slack", async () => {
    const { mockClient } = await import("aws-sdk-client-mock");
    const { SchedulerClient, ListSchedulesCommand, GetScheduleCommand } = await import("@aws-sdk/client-scheduler");
    const { CloudTrailClient, LookupEventsCommand } = await import("@aws-sdk/client-cloudtrail");
    const { runAudit } = await import("../src/app/audit.js");
    const sm = mockClient(SchedulerClient);
    const cm = mockClient(CloudTrailClient);
    try {
      sm.on(ListSchedulesCommand).resolves({
        Schedules: [
          { Name: "api-down", GroupName: "default" },
          { Name: "web-down", GroupName: "default" },
        ],
      });
      // 22:00 Seoul = 13:00Z.
      sm.on(GetScheduleCommand, { Name: "api-down" }).resolves(getSchedule("api-down", "api", 0, "cron(0 22 * * ? *)"));
      sm.on(GetScheduleCommand, { Name: "web-down" }).resolves(getSchedule("web-down", "web", 0, "cron(0 22 * * ? *)"));
      cm.on(LookupEventsCommand).resolves({
        Events: [
          lookupItem("e2", "2026-11-25T13:00:05Z", "web", 0, { errorCode: "AccessDeniedException" }),
          lookupItem("e1", "2026-11-25T13:00:02Z", "api", 0),
        ],
      });
      const creds = { accessKeyId: "test", secretAccessKey: "test" };
      const data = await runAudit(
        {
          scheduler: new SchedulerClient({ region: "us-east-1", credentials: creds }),
          cloudtrail: new CloudTrailClient({ region: "us-east-1", credentials: creds }),
          now: new Date("2026-11-26T12:00:00Z"),
        },
        { since: "24h", pendingMargin: "15m", tolerance: "60s" },
      );
      expect(data.fires.map((f) => [f.schedule, f.status, f.eventId, f.errorCode])).toEqual([
        ["api-down", "ok", "e1", null],
        ["web-down", "failed", "e2", "AccessDeniedException"],
      ]);
      expect(data.summary).toMatchObject({ ok: 1, failed: 1, missed: 0, pending: 0 });
      const scans = cm.commandCalls(LookupEventsCommand);
      expect(scans).toHaveLength(1);
      const input = scans[0]!.args[0].input;
      expect(input.LookupAttributes).toEqual([{ AttributeKey: "EventName", AttributeValue: "UpdateService" }]);
      expect(new Date(input.StartTime as Date).toISOString()).toBe("2026-11-25T12:00:00.000Z");
      // until = now (the window slack would reach past it).
      expect(new Date(input.EndTime as Date).toISOString()).toBe("2026-11-26T12:00:00.000Z");
      expect(sm.commandCalls(GetScheduleCommand)).toHaveLength(2);
    } finally {
      sm.restore();
      cm.restore();
    }
  });

  it("missed, a person's call, a pending fire and a DST-skipped fire, through the mocked clients", async () => {
    const { mockClient } = await import("aws-sdk-client-mock");
    const { SchedulerClient, ListSchedulesCommand, GetScheduleCommand } = await import("@aws-sdk/client-scheduler");
    const { CloudTrailClient, LookupEventsCommand } = await import("@aws-sdk/client-cloudtrail");
    const { runAudit } = await import("../src/app/audit.js");
    const sm = mockClient(SchedulerClient);
    const cm = mockClient(CloudTrailClient);
    try {
      sm.on(ListSchedulesCommand).resolves({
        Schedules: [
          { Name: "ny-0230", GroupName: "default" },
          { Name: "recent", GroupName: "default" },
        ],
      });
      sm.on(GetScheduleCommand, { Name: "ny-0230" }).resolves({
        ...getSchedule("ny-0230", "api", 0, "cron(30 2 * * ? *)"),
        ScheduleExpressionTimezone: "America/New_York",
      });
      // 2026-03-10T05:50Z, 10 minutes before "now".
      sm.on(GetScheduleCommand, { Name: "recent" }).resolves({
        ...getSchedule("recent", "web", 0, "cron(50 5 * * ? *)"),
        ScheduleExpressionTimezone: "UTC",
      });
      cm.on(LookupEventsCommand).resolves({
        Events: [
          lookupItem("p1", "2026-03-08T15:00:00Z", "api", 5, {
            userIdentity: {
              type: "AssumedRole",
              arn: `arn:aws:sts::${ACCOUNT}:assumed-role/AWSReservedSSO_Admin_0123/jane@example.com`,
              sessionContext: { sessionIssuer: { type: "Role", userName: "AWSReservedSSO_Admin_0123" } },
            },
          }),
          lookupItem("c1", "2026-03-07T07:30:03Z", "api", 0),
        ],
      });
      const creds = { accessKeyId: "test", secretAccessKey: "test" };
      const data = await runAudit(
        {
          scheduler: new SchedulerClient({ region: "us-east-1", credentials: creds }),
          cloudtrail: new CloudTrailClient({ region: "us-east-1", credentials: creds }),
          now: new Date("2026-03-10T06:00:00Z"),
        },
        { since: "2026-03-07T00:00:00Z", pendingMargin: "15m", tolerance: "60s" },
      );
      const rows = data.fires.map((f) => [f.schedule, f.expectedAt, f.status]);
      // ny-0230: 07:30Z on the 7th (ok), nothing on the 8th (02:30 does not exist), 06:30Z on the 9th (missed).
      expect(rows.filter((r) => r[0] === "ny-0230")).toEqual([
        ["ny-0230", "2026-03-07T07:30:00.000Z", "ok"],
        ["ny-0230", "2026-03-09T06:30:00.000Z", "missed"],
      ]);
      // recent: daily 05:50Z; the fire 10 minutes ago has no call yet → pending; the earlier ones missed.
      expect(rows.filter((r) => r[0] === "recent").map((r) => r[2])).toEqual(["missed", "missed", "missed", "pending"]);
      expect(data.unexpected.map((e) => [e.eventId, e.caller.name])).toEqual([["p1", "jane@example.com"]]);
      expect(data.summary).toMatchObject({ ok: 1, missed: 4, pending: 1, failed: 0, unexpected: 1 });
    } finally {
      sm.restore();
      cm.restore();
    }
  });

  /** Hand-made clients that log the order of their calls; ListSchedules can wait for the scan to start. */
  async function orderedClients(waitForScan: boolean) {
    const log: string[] = [];
    let scanStarted!: () => void;
    const started = new Promise<void>((r) => (scanStarted = r));
    const scheduler = {
      send: async (cmd: { constructor: { name: string }; input: { Name?: string } }) => {
        if (cmd.constructor.name === "ListSchedulesCommand") {
          if (waitForScan) await Promise.race([started, new Promise((r) => setTimeout(r, 300))]);
          log.push("ListSchedules");
          return { Schedules: [{ Name: "api-down", GroupName: "default" }] };
        }
        log.push("GetSchedule");
        return getSchedule("api-down", "api", 0, "cron(0 22 * * ? *)");
      },
    };
    const cloudtrail = {
      send: async () => {
        log.push("LookupEvents");
        scanStarted();
        return { Events: [lookupItem("e1", "2026-11-25T13:00:02Z", "api", 0)] };
      },
    };
    const { createPacer } = await import("../src/adapters/aws/pacer.js");
    const { systemClock: realClock } = await import("../src/adapters/clock.js");
    const { LOOKUP_RATE } = await import("../src/adapters/aws/cloudtrail.js");
    const lookup = { pacer: createPacer({ ...LOOKUP_RATE, clock: realClock }) }; // not the one earlier tests used up
    return { log, scheduler: scheduler as never, cloudtrail: cloudtrail as never, lookup };
  }

  it("scans CloudTrail while reading the schedules when the period ends now", async () => {
    const { runAudit } = await import("../src/app/audit.js");
    const c = await orderedClients(true);
    const data = await runAudit(
      { ...c, now: new Date("2026-11-26T12:00:00Z") },
      { since: "24h", pendingMargin: "15m", tolerance: "60s" },
    );
    expect(c.log).toEqual(["LookupEvents", "ListSchedules", "GetSchedule"]);
    expect(data.fires.map((f) => f.status)).toEqual(["ok"]);
    expect(data.scanned).toMatchObject({ since: "2026-11-25T12:00:00.000Z", until: "2026-11-26T12:00:00.000Z" });
  });

  it("waits for the schedules when the scan range depends on their windows (a period that ended days ago)", async () => {
    const { runAudit } = await import("../src/app/audit.js");
    const c = await orderedClients(false);
    const data = await runAudit(
      { ...c, now: new Date("2026-11-28T12:00:00Z") },
      { since: "2026-11-25T00:00:00Z", until: "2026-11-26T00:00:00Z", pendingMargin: "15m", tolerance: "60s" },
    );
    expect(c.log).toEqual(["ListSchedules", "GetSchedule", "LookupEvents"]);
    expect(data.scanned.until).toBe("2026-11-26T00:01:00.000Z"); // the period + the tolerance
  });

  it("--since after --until is a usage error before any AWS call", async () => {
    const { runAudit } = await import("../src/app/audit.js");
    const send = async () => {
      throw new Error("no AWS call expected");
    };
    await expect(
      runAudit(
        { scheduler: { send } as never, cloudtrail: { send } as never, now: new Date("2026-11-26T12:00:00Z") },
        { since: "2h", until: "3h", pendingMargin: "15m", tolerance: "60s" },
      ),
    ).rejects.toMatchObject({ kind: "input" });
  });
});

describe("audit robustness", () => {
  it("a schedule whose expression cannot be evaluated is skipped (reported), the others are audited", () => {
    const bad: Schedule = {
      name: "broken",
      expression: "cron(61 25 * * ? *)",
      roleArn: ROLE,
      target: { kind: "ecs:updateService", cluster: "dev", service: "api", desiredCount: 0 },
    };
    const good: Schedule = { ...bad, name: "good", expression: "cron(0 22 * * ? *)" };
    const r = audit([bad, good], [], { ...base, firesBetween: undefined });
    expect(r.skipped).toEqual([expect.objectContaining({ schedule: "broken", group: "default" })]);
    expect(r.fires.map((f) => [f.schedule, f.status])).toEqual([["good", "missed"]]);
  });
});

describe("audit: only calls the schedule explains count; deploys and auto scaling apart", () => {
  it("a deploy or auto-scaling call at the fire time never stands in for the fire, and is not 'unexpected'", () => {
    const scheds = [schedule("api-night-down", "api", 0, ["2026-11-25T22:00:00Z"])];
    const autoscaler = {
      type: "AssumedRole",
      name: "AWSServiceRoleForApplicationAutoScaling_ECSService",
      role: "AWSServiceRoleForApplicationAutoScaling_ECSService",
      session: "AutoScaling",
      invokedBy: "ecs.application-autoscaling.amazonaws.com",
    };
    const calls = [
      // The scheduler's role, but a deploy (no desired count): not this fire's call.
      call("api", 0, "2026-11-25T22:00:05Z", {
        desiredCount: undefined,
        taskDefinition: "api:42",
        forceNewDeployment: true,
      }),
      call("api", 0, "2026-11-25T22:00:06Z", { caller: autoscaler }),
      call("web", 3, "2026-11-25T23:00:00Z", { caller: person }),
    ];
    const r = audit(scheds, calls, base);
    expect(r.fires.map((f) => f.status)).toEqual(["missed"]);
    expect(r.unexpected.map((e) => e.service)).toEqual(["web"]);
    expect(r.deploys.map((e) => e.taskDefinition)).toEqual(["api:42"]);
    expect(r.autoScaling.map((e) => e.eventTime)).toEqual(["2026-11-25T22:00:06Z"]);
    expect(r.summary).toMatchObject({ missed: 1, unexpected: 1, deploys: 1, autoScaling: 1 });
  });
});
