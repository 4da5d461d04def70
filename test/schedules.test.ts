import { readFileSync } from "node:fs";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { mockClient } from "aws-sdk-client-mock";
import { GetScheduleCommand, ListSchedulesCommand, SchedulerClient } from "@aws-sdk/client-scheduler";
import {
  clusterName,
  decodeSchedule,
  decodeScheduleDetail,
  decodeTarget,
  describeTarget,
  sortByNextFire,
  targetKind,
  type RawSchedule,
} from "../src/core/schedule/schedules.js";
import { fetchSchedules, findSchedule, listScheduleSummaries } from "../src/adapters/aws/scheduler.js";
import { mapLimit } from "../src/adapters/aws/concurrency.js";
import { formatInZone } from "../src/core/time/zoned-time.js";
import { runCliInProcess } from "./support/run-cli.js";
import { runInProcess } from "./support/run-in-process.js";
import { useVirtualTime } from "./support/virtual-time.js";
import { ecsSchedules, startFakeScheduler, type FakeScheduler } from "./support/fake-scheduler.js";

const fixture = JSON.parse(
  readFileSync(new URL("./fixtures/get-schedule-ecs.json", import.meta.url), "utf8"),
) as RawSchedule;
const from = new Date("2026-11-27T00:00:00Z");

describe("decoding GetSchedule", () => {
  it("decodes the universal ecs:updateService target of the fixture", () => {
    const v = decodeSchedule(fixture, { from, count: 3, nextFires: () => [] });
    expect(v).toMatchObject({
      name: "nestjs-night-down",
      group: "default",
      state: "ENABLED",
      expression: "cron(0 22 ? * MON-FRI *)",
      timezone: "Asia/Seoul",
      flexibleWindowMinutes: null,
      target: {
        arn: "arn:aws:scheduler:::aws-sdk:ecs:updateService",
        kind: "ecs:updateService",
        cluster: "dev",
        service: "nestjs",
        desiredCount: 0,
      },
    });
  });

  it("tolerates camelCase keys, a cluster ARN and a service ARN", () => {
    const t = decodeTarget({
      Arn: "arn:aws:scheduler:::aws-sdk:ecs:updateService",
      Input: JSON.stringify({
        cluster: "arn:aws:ecs:ap-northeast-2:123456789012:cluster/prod",
        service: "api",
        desiredCount: 4,
      }),
    });
    expect(t).toMatchObject({ kind: "ecs:updateService", cluster: "prod", service: "api", desiredCount: 4 });
    const t2 = decodeTarget({
      Arn: "arn:aws:scheduler:::aws-sdk:ecs:updateService",
      Input: JSON.stringify({ Service: "arn:aws:ecs:us-east-1:123456789012:service/stage/web", DesiredCount: 1 }),
    });
    expect(t2).toMatchObject({ cluster: "stage", service: "web", desiredCount: 1 });
  });

  it("puts a service without a cluster on the default cluster, and keeps bad Input undecoded", () => {
    expect(
      decodeTarget({ Arn: "arn:aws:scheduler:::aws-sdk:ecs:updateService", Input: '{"Service":"x"}' }),
    ).toMatchObject({
      cluster: "default",
      service: "x",
      desiredCount: null,
    });
    expect(decodeTarget({ Arn: "arn:aws:scheduler:::aws-sdk:ecs:updateService", Input: "{not json" })).toMatchObject({
      kind: "ecs:updateService",
      cluster: null,
      service: null,
    });
  });

  it("names other targets by kind", () => {
    expect(targetKind("arn:aws:scheduler:::aws-sdk:sqs:sendMessage")).toBe("sqs:sendMessage");
    expect(targetKind("arn:aws:sqs:us-east-1:123456789012:jobs")).toBe("sqs");
    expect(targetKind("arn:aws:lambda:us-east-1:123456789012:function:f")).toBe("lambda");
    expect(targetKind("arn:aws:ecs:us-east-1:123456789012:cluster/dev", true)).toBe("ecs:runTask");
    expect(targetKind("arn:aws:events:us-east-1:123456789012:event-bus/default")).toBe("events:putEvents");
    const runTask = decodeTarget({ Arn: "arn:aws:ecs:us-east-1:123456789012:cluster/batch", EcsParameters: {} });
    expect(describeTarget(runTask)).toBe("runTask on batch");
    expect(clusterName("arn:aws:ecs:us-east-1:1:cluster/x")).toBe("x");
  });

  it("passes zone, StartDate and EndDate to the evaluator, and skips it for DISABLED", () => {
    const nextFires = vi.fn(() => [new Date("2026-11-27T13:00:00Z")]);
    const raw: RawSchedule = {
      ...fixture,
      StartDate: "2026-01-01T00:00:00Z",
      EndDate: new Date("2027-01-01T00:00:00Z"),
      FlexibleTimeWindow: { Mode: "FLEXIBLE", MaximumWindowInMinutes: 15 },
    };
    const v = decodeScheduleDetail(raw, { from, count: 2, nextFires });
    expect(nextFires).toHaveBeenCalledWith("cron(0 22 ? * MON-FRI *)", from, 2, {
      timezone: "Asia/Seoul",
      startDate: new Date("2026-01-01T00:00:00Z"),
      endDate: new Date("2027-01-01T00:00:00Z"),
      createdAt: new Date("2026-03-03T02:11:09Z"),
    });
    expect(v.nextFires).toEqual(["2026-11-27T13:00:00.000Z"]);
    expect(v.flexibleWindowMinutes).toBe(15);
    expect(v.startDate).toBe("2026-01-01T00:00:00.000Z");
    expect(v.roleArn).toBe("arn:aws:iam::123456789012:role/traildigest-scheduler-role");
    expect(v.retryPolicy).toEqual({ maximumEventAgeInSeconds: 86400, maximumRetryAttempts: 185 });
    expect(v.deadLetterArn).toBeNull();

    nextFires.mockClear();
    const off = decodeSchedule({ ...fixture, State: "DISABLED" }, { from, count: 3, nextFires });
    expect(off.nextFires).toEqual([]);
    expect(nextFires).not.toHaveBeenCalled();
  });

  it("reports an expression the evaluator rejects instead of failing the list", () => {
    const v = decodeSchedule(fixture, {
      from,
      count: 3,
      nextFires: () => {
        throw new Error("bad cron");
      },
    });
    expect(v.nextFires).toEqual([]);
    expect(v.nextFiresError).toBe("bad cron");
  });

  it("sorts soonest first, never-firing last", () => {
    const mk = (name: string, nextFires: string[]) => ({
      ...decodeSchedule({ Name: name }, { from, count: 0 }),
      nextFires,
    });
    const sorted = sortByNextFire([mk("c", []), mk("b", ["2026-11-28T00:00:00Z"]), mk("a", ["2026-11-27T05:00:00Z"])]);
    expect(sorted.map((s) => s.name)).toEqual(["a", "b", "c"]);
  });

  it("formats a time in the schedule's zone", () => {
    expect(formatInZone("2026-11-27T13:00:00Z", "Asia/Seoul")).toBe("2026-11-27 22:00 GMT+9");
    expect(formatInZone("2026-07-01T12:00:00Z", "America/New_York")).toBe("2026-07-01 08:00 EDT");
  });
});

describe("bounded concurrency", () => {
  it("keeps order and never exceeds the limit", async () => {
    let inFlight = 0;
    let max = 0;
    const out = await mapLimit([...Array(20).keys()], 4, async (i) => {
      inFlight++;
      max = Math.max(max, inFlight);
      await new Promise((r) => setTimeout(r, (i % 3) * 3));
      inFlight--;
      return i * 2;
    });
    expect(out).toEqual([...Array(20).keys()].map((i) => i * 2));
    expect(max).toBe(4);
  });

  it("rethrows the first failure and starts no new work after it", async () => {
    const started: number[] = [];
    await expect(
      mapLimit([0, 1, 2, 3, 4, 5], 2, async (i) => {
        started.push(i);
        if (i === 1) throw new Error("boom");
        await new Promise((r) => setTimeout(r, 5));
      }),
    ).rejects.toThrow("boom");
    expect(started.length).toBeLessThan(6);
  });
});

describe("fetching schedules (aws-sdk-client-mock)", () => {
  // Stubbed only while this block runs: the CLI tests below run in this process against a real (local) Scheduler.
  let scheduler = mockClient(SchedulerClient);
  scheduler.restore();
  beforeAll(() => {
    scheduler = mockClient(SchedulerClient);
  });
  afterAll(() => scheduler.restore());
  afterEach(() => scheduler.reset());
  // The CLI tests below run in this process and must reach the fake Scheduler.
  afterAll(() => scheduler.restore());

  const summary = (name: string, group = "default") => ({ Name: name, GroupName: group, State: "ENABLED" as const });

  it("follows ListSchedules over several pages with MaxResults 100", async () => {
    scheduler
      .on(ListSchedulesCommand, { NextToken: undefined })
      .resolves({ Schedules: [summary("a"), summary("b")], NextToken: "t1" })
      .on(ListSchedulesCommand, { NextToken: "t1" })
      .resolves({ Schedules: [summary("c", "ops")], NextToken: "t2" })
      .on(ListSchedulesCommand, { NextToken: "t2" })
      .resolves({ Schedules: [summary("d")] });
    const client = new SchedulerClient({ region: "us-east-1" });
    const all = await listScheduleSummaries(client, { group: "ops", prefix: "n" });
    expect(all.map((s) => s.Name)).toEqual(["a", "b", "c", "d"]);
    const calls = scheduler.commandCalls(ListSchedulesCommand);
    expect(calls).toHaveLength(3);
    for (const c of calls)
      expect(c.args[0].input).toMatchObject({ MaxResults: 100, GroupName: "ops", NamePrefix: "n" });
  });

  it("calls GetSchedule once per schedule with at most `concurrency` in flight", async () => {
    const names = Array.from({ length: 30 }, (_, i) => `s${i}`);
    scheduler
      .on(ListSchedulesCommand, { NextToken: undefined })
      .resolves({ Schedules: names.slice(0, 20).map((n) => summary(n)), NextToken: "p2" })
      .on(ListSchedulesCommand, { NextToken: "p2" })
      .resolves({ Schedules: names.slice(20).map((n) => summary(n, "ops")) });
    let inFlight = 0;
    let max = 0;
    scheduler.on(GetScheduleCommand).callsFake(async (input: { Name: string; GroupName?: string }): Promise<any> => {
      inFlight++;
      max = Math.max(max, inFlight);
      await new Promise((r) => setTimeout(r, 2));
      inFlight--;
      return { ...fixture, Name: input.Name, GroupName: input.GroupName };
    });
    const progress: number[] = [];
    const out = await fetchSchedules(new SchedulerClient({ region: "us-east-1" }), {
      concurrency: 5,
      onProgress: (done) => progress.push(done),
    });
    expect(out.map((s) => s.Name)).toEqual(names);
    expect(out.at(-1)?.GroupName).toBe("ops");
    expect(scheduler.commandCalls(GetScheduleCommand)).toHaveLength(30);
    expect(max).toBe(5);
    expect(progress.at(-1)).toBe(30);
  });

  it("skips a schedule deleted between list and get, and surfaces other errors", async () => {
    scheduler.on(ListSchedulesCommand).resolves({ Schedules: [summary("gone"), summary("here")] });
    const notFound = Object.assign(new Error("Schedule gone does not exist."), { name: "ResourceNotFoundException" });
    scheduler.on(GetScheduleCommand, { Name: "gone" }).rejects(notFound);
    scheduler.on(GetScheduleCommand, { Name: "here" }).resolves({ ...fixture, Name: "here" } as any);
    const out = await fetchSchedules(new SchedulerClient({ region: "us-east-1" }));
    expect(out.map((s) => s.Name)).toEqual(["here"]);

    const denied = Object.assign(new Error("denied"), { name: "AccessDeniedException" });
    scheduler.on(GetScheduleCommand, { Name: "here" }).rejects(denied);
    await expect(fetchSchedules(new SchedulerClient({ region: "us-east-1" }))).rejects.toThrow("denied");
  });

  it("finds a schedule by name across groups, and reports ambiguity", async () => {
    scheduler
      .on(ListSchedulesCommand)
      .resolves({ Schedules: [summary("night"), summary("night-2"), summary("night", "ops")] });
    const found = await findSchedule(new SchedulerClient({ region: "us-east-1" }), "night");
    expect(found.schedule).toBeUndefined();
    expect(found.groups).toEqual(["default", "ops"]);

    scheduler.on(ListSchedulesCommand).resolves({ Schedules: [summary("night", "ops"), summary("night-2")] });
    scheduler
      .on(GetScheduleCommand, { Name: "night", GroupName: "ops" })
      .resolves({ ...fixture, GroupName: "ops" } as any);
    const one = await findSchedule(new SchedulerClient({ region: "us-east-1" }), "night");
    expect(one.schedule?.GroupName).toBe("ops");
  });
});

describe("schedules list|show through the CLI against a local Scheduler", () => {
  let fake: FakeScheduler | undefined;
  afterEach(async () => {
    await fake?.stop();
    fake = undefined;
  });
  const env = { AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test", AWS_REGION: "us-east-1" };

  it("lists every schedule across pages, decoded, with throttled GetSchedule calls retried", async () => {
    fake = await startFakeScheduler({
      schedules: [
        ...ecsSchedules(120),
        {
          Name: "report-off",
          GroupName: "ops",
          State: "DISABLED",
          ScheduleExpression: "rate(1 hour)",
          Target: { Arn: "arn:aws:lambda:us-east-1:123456789012:function:report" },
        },
      ],
      throttleGets: 3,
    });
    // In this process on virtual time: after the throttles the SDK's adaptive rate limiter waits
    // (seconds, in real time) for tokens that virtual time refills at once.
    useVirtualTime();
    const r = await runInProcess(["schedules", "list", "--endpoint-url", fake.endpoint, "--json", "--next", "0"], {
      env,
    });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const { schedules } = JSON.parse(r.stdout);
    expect(schedules).toHaveLength(121);
    expect(schedules.find((s: { name: string }) => s.name === "svc-0007-night-down")).toMatchObject({
      group: "default",
      timezone: "Asia/Seoul",
      target: { kind: "ecs:updateService", cluster: "dev", service: "svc-7", desiredCount: 0 },
    });
    expect(schedules.find((s: { name: string }) => s.name === "report-off")).toMatchObject({
      group: "ops",
      state: "DISABLED",
      nextFires: [],
      target: { kind: "lambda" },
    });
    const lists = fake.requests.filter((q) => q.operation === "ListSchedules");
    expect(lists).toHaveLength(2);
    // 121 schedules + 3 throttled attempts that were retried.
    expect(fake.requests.filter((q) => q.operation === "GetSchedule")).toHaveLength(124);
    expect(fake.maxInFlight).toBeLessThanOrEqual(8);
  });

  it("shows one schedule in full, searching all groups", async () => {
    fake = await startFakeScheduler({
      schedules: [...ecsSchedules(3), ...ecsSchedules(1, "ops").map((s) => ({ ...s, Name: "only-in-ops" }))],
    });
    const r = await runCliInProcess(
      ["schedules", "show", "only-in-ops", "--endpoint-url", fake.endpoint, "--json", "--next", "0"],
      { env },
    );
    expect(r.code).toBe(0);
    const { schedule } = JSON.parse(r.stdout);
    expect(schedule).toMatchObject({
      name: "only-in-ops",
      group: "ops",
      roleArn: "arn:aws:iam::123456789012:role/scheduler-ecs",
      input: JSON.stringify({ Cluster: "dev", Service: "svc-0", DesiredCount: 0 }),
      deadLetterArn: null,
      target: { kind: "ecs:updateService" },
    });
    const missing = await runCliInProcess(["schedules", "show", "nope", "--endpoint-url", fake.endpoint], { env });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('schedule "nope" not found in any group');
  });

  it("maps AccessDenied to exit 3 naming the IAM action, from the message or from the call", async () => {
    fake = await startFakeScheduler({ schedules: ecsSchedules(2), denyOperation: { operation: "ListSchedules" } });
    const r = await runCliInProcess(["schedules", "list", "--endpoint-url", fake.endpoint], { env });
    expect(r.code).toBe(3);
    expect(r.stderr.trim()).toBe(
      "error: access denied: scheduler:ListSchedules is not allowed for arn:aws:iam::123456789012:user/oncall",
    );
    await fake.stop();

    fake = await startFakeScheduler({
      schedules: ecsSchedules(2),
      denyOperation: { operation: "GetSchedule", bare: true },
    });
    const r2 = await runCliInProcess(["schedules", "list", "--endpoint-url", fake.endpoint], { env });
    expect(r2.code).toBe(3);
    expect(r2.stderr.trim()).toBe(
      "error: access denied: scheduler:GetSchedule is not allowed for the current credentials",
    );
  });

  it("--from without an offset is UTC on a machine in another zone (list and show)", async () => {
    const evening = {
      ...ecsSchedules(1)[0]!,
      ScheduleExpression: "cron(0 20 * * ? *)",
      ScheduleExpressionTimezone: "UTC",
    };
    fake = await startFakeScheduler({ schedules: [evening] });
    const seoul = { ...env, TZ: "Asia/Seoul" };
    const flags = ["--from", "2026-11-27T00:00:00", "--next", "1", "--endpoint-url", fake.endpoint, "--json"];
    const list = await runCliInProcess(["schedules", "list", ...flags], { env: seoul });
    expect(list.code).toBe(0);
    // Read in Seoul it would start at 2026-11-26T15:00Z and find the 26th's 20:00Z fire.
    expect(JSON.parse(list.stdout).schedules[0].nextFires).toEqual(["2026-11-27T20:00:00.000Z"]);
    const show = await runCliInProcess(["schedules", "show", evening.Name!, ...flags], { env: seoul });
    expect(JSON.parse(show.stdout).schedule.nextFires).toEqual(["2026-11-27T20:00:00.000Z"]);
  });

  it("rejects bad flags with exit 2", async () => {
    const r = await runCliInProcess(["schedules", "list", "--state", "PAUSED"], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--state: "PAUSED" is not one of ENABLED, DISABLED');
    const r2 = await runCliInProcess(["schedules", "list", "--from", "tomorrow"], { env });
    expect(r2.code).toBe(2);
  });
});
