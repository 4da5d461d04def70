// `schedules audit` end to end: schedules created through the SDK in moto_server, UpdateService calls
// served by a local CloudTrail LookupEvents server, the built CLI driven as a user would.
import { createServer } from "node:http";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { CreateScheduleCommand, CreateScheduleGroupCommand, SchedulerClient } from "@aws-sdk/client-scheduler";
import { resetMoto, startMoto, type RunningEmulator } from "../../tools/emulators.js";
import { startFakeCloudTrail } from "../support/fake-cloudtrail.js";
import { runCli } from "../support/run-cli.js";

const ACCOUNT = "123456789012";
const ROLE_NAME = "traildigest-scheduler-role";
const ROLE = `arn:aws:iam::${ACCOUNT}:role/${ROLE_NAME}`;
const creds = { AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test", AWS_REGION: "us-east-1" };

let moto: RunningEmulator;
let scheduler: SchedulerClient;
const servers: { stop(): Promise<void> }[] = [];
/** moto stamps CreationDate with today; the audited days are in the past. Set by the proxy below. */
let createdAt: string | undefined = "2026-01-01T00:00:00Z";
let backdated: string;

/**
 * In front of moto: GetSchedule answers with CreationDate and LastModificationDate set to `createdAt`
 * (when set), as if the schedules had existed before the audited period.
 */
async function backdatingProxy(target: string): Promise<string> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", async () => {
      const headers = Object.fromEntries(
        Object.entries(req.headers).filter(([k]) => k !== "host" && k !== "content-length"),
      ) as Record<string, string>;
      const up = await fetch(target + req.url, {
        method: req.method,
        headers,
        ...(chunks.length ? { body: Buffer.concat(chunks) } : {}),
      });
      let body = await up.text();
      if (createdAt && req.method === "GET" && /\/schedules\/[^/?]+/.test(req.url ?? "")) {
        const j = JSON.parse(body);
        const t = Date.parse(createdAt) / 1000;
        if (j.CreationDate !== undefined) j.CreationDate = t;
        if (j.LastModificationDate !== undefined) j.LastModificationDate = t;
        body = JSON.stringify(j);
      }
      res.writeHead(up.status, { "content-type": up.headers.get("content-type") ?? "application/json" });
      res.end(body);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  servers.push({ stop: () => new Promise<void>((r) => server.close(() => r())) });
  const a = server.address();
  return `http://127.0.0.1:${typeof a === "object" && a ? a.port : 0}`;
}

beforeAll(async () => {
  moto = await startMoto();
  backdated = await backdatingProxy(moto.endpoint);
  scheduler = new SchedulerClient({
    region: "us-east-1",
    endpoint: moto.endpoint,
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  });
});
afterAll(async () => {
  for (const s of servers) await s.stop();
  await moto?.stop();
});
beforeEach(async () => {
  await resetMoto(moto.endpoint);
  createdAt = "2026-01-01T00:00:00Z";
});

async function createSchedule(
  name: string,
  expression: string,
  service: string,
  desiredCount: number,
  extra: { group?: string; timezone?: string; flexMinutes?: number } = {},
): Promise<void> {
  await scheduler.send(
    new CreateScheduleCommand({
      Name: name,
      GroupName: extra.group,
      ScheduleExpression: expression,
      ScheduleExpressionTimezone: extra.timezone ?? "UTC",
      FlexibleTimeWindow: extra.flexMinutes
        ? { Mode: "FLEXIBLE", MaximumWindowInMinutes: extra.flexMinutes }
        : { Mode: "OFF" },
      Target: {
        Arn: "arn:aws:scheduler:::aws-sdk:ecs:updateService",
        RoleArn: ROLE,
        Input: JSON.stringify({ Cluster: "dev", Service: service, DesiredCount: desiredCount }),
      },
    }),
  );
}

let seq = 0;
/** One LookupEvents item, shaped like the real API's (CloudTrailEvent is a JSON string). */
function lookupItem(
  time: string,
  service: string,
  desiredCount: number,
  opts: { person?: string; errorCode?: string } = {},
): Record<string, unknown> {
  seq++;
  const eventId = `00000000-0000-4000-8000-${String(seq).padStart(12, "0")}`;
  const userIdentity = opts.person
    ? {
        type: "AssumedRole",
        principalId: `AROAPERSON:${opts.person}`,
        arn: `arn:aws:sts::${ACCOUNT}:assumed-role/AWSReservedSSO_Admin_0123/${opts.person}`,
        accountId: ACCOUNT,
        sessionContext: {
          sessionIssuer: {
            type: "Role",
            arn: `arn:aws:iam::${ACCOUNT}:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_0123`,
            accountId: ACCOUNT,
            userName: "AWSReservedSSO_Admin_0123",
          },
        },
      }
    : {
        type: "AssumedRole",
        principalId: "AROAEXAMPLETRAI:a4cdb673bc3db689",
        arn: `arn:aws:sts::${ACCOUNT}:assumed-role/${ROLE_NAME}/a4cdb673bc3db689`,
        accountId: ACCOUNT,
        sessionContext: {
          sessionIssuer: { type: "Role", arn: ROLE, accountId: ACCOUNT, userName: ROLE_NAME },
        },
      };
  const record: Record<string, unknown> = {
    eventVersion: "1.11",
    userIdentity,
    eventTime: time,
    eventSource: "ecs.amazonaws.com",
    eventName: "UpdateService",
    awsRegion: "us-east-1",
    sourceIPAddress: opts.person ? "203.0.113.7" : "scheduler.amazonaws.com",
    userAgent: opts.person ? "aws-cli/2.17" : "scheduler.amazonaws.com",
    requestParameters: { cluster: "dev", service, desiredCount },
    responseElements: opts.errorCode
      ? null
      : { service: { serviceName: service, desiredCount, runningCount: 2, pendingCount: 0 } },
    eventID: eventId,
    eventType: "AwsApiCall",
    recipientAccountId: ACCOUNT,
  };
  if (opts.errorCode) {
    record.errorCode = opts.errorCode;
    record.errorMessage = `User: arn:aws:sts::${ACCOUNT}:assumed-role/${ROLE_NAME}/x is not authorized to perform: ecs:UpdateService`;
  }
  return {
    EventId: eventId,
    EventName: "UpdateService",
    ReadOnly: "false",
    EventTime: time,
    EventSource: "ecs.amazonaws.com",
    Username: opts.person ?? "a4cdb673bc3db689",
    Resources: [{ ResourceType: "AWS::ECS::Service", ResourceName: service }],
    CloudTrailEvent: JSON.stringify(record),
  };
}

async function audit(events: Record<string, unknown>[], args: string[]) {
  const trail = await startFakeCloudTrail({ events, pageSize: 2 });
  servers.push(trail);
  const run = await runCli(["schedules", "audit", ...args], {
    // A wide terminal: these tests read the table's content; fitting to 80 columns is tested in operator-contract.test.ts.
    env: {
      ...creds,
      AWS_ENDPOINT_URL_SCHEDULER: backdated,
      AWS_ENDPOINT_URL_CLOUDTRAIL: trail.endpoint,
      COLUMNS: "200",
    },
  });
  const json = args.includes("--json") && run.stdout.trim() ? JSON.parse(run.stdout) : undefined;
  return { ...run, json, trail };
}

// Two days a few days back (CloudTrail's event history keeps 90 days, and the CLI refuses older
// periods): scale-down at 22:00 UTC on D0, scale-up at 08:00 UTC on D1.
const isoDay = (daysAgo: number) => new Date(Date.now() - daysAgo * 86_400_000).toISOString().slice(0, 10);
const D0 = isoDay(4);
const D1 = isoDay(3);
const DAY = ["--since", `${D0}T12:00:00Z`, "--until", `${D1}T12:00:00Z`];

async function nightAndMorning(): Promise<void> {
  await createSchedule("api-night-down", "cron(0 22 * * ? *)", "api", 0);
  await createSchedule("worker-night-down", "cron(0 22 * * ? *)", "worker", 0);
  await createSchedule("api-morning-up", "cron(0 8 * * ? *)", "api", 2);
  await createSchedule("worker-morning-up", "cron(0 8 * * ? *)", "worker", 1, { flexMinutes: 15 });
}

describe("schedules audit against moto + a local CloudTrail", () => {
  it("schedules created after the audited day (moto's real CreationDate): no fire expected, none missed, exit 0, and why", async () => {
    createdAt = undefined;
    await nightAndMorning();
    const r = await audit([], [...DAY, "--json"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json.fires).toEqual([]);
    expect(r.json.summary.missed).toBe(0);
    expect(r.json.notExpected).toHaveLength(4);
    expect(r.stderr).toMatch(/default\/api-night-down: 1 fire before \S+ not expected \((created|last modified) /);
  });

  it("a day where every fire happened: all ok, exit 0", async () => {
    await nightAndMorning();
    const r = await audit(
      [
        lookupItem(`${D0}T22:00:03Z`, "api", 0),
        lookupItem(`${D0}T22:00:05Z`, "worker", 0),
        lookupItem(`${D1}T08:00:02Z`, "api", 2),
        lookupItem(`${D1}T08:09:40Z`, "worker", 1), // inside its 15-minute flexible window
      ],
      [...DAY, "--json"],
    );
    expect(r.stderr).not.toMatch(/error:/);
    expect(r.code).toBe(0);
    expect(r.json.fires.map((f: { schedule: string; status: string }) => [f.schedule, f.status]).sort()).toEqual([
      ["api-morning-up", "ok"],
      ["api-night-down", "ok"],
      ["worker-morning-up", "ok"],
      ["worker-night-down", "ok"],
    ]);
    expect(r.json.unexpected).toEqual([]);
    for (const f of r.json.fires) {
      expect(Object.keys(f)).toEqual(
        expect.arrayContaining([
          "schedule",
          "group",
          "cluster",
          "service",
          "expectedAt",
          "desiredCount",
          "status",
          "eventId",
          "errorCode",
        ]),
      );
    }
    // ONE scan shared by every schedule: every request asked for UpdateService only.
    expect(r.trail.requests.length).toBeGreaterThanOrEqual(2); // pageSize 2, 4 events → pages followed
    for (const req of r.trail.requests) {
      expect(req.body.LookupAttributes).toEqual([{ AttributeKey: "EventName", AttributeValue: "UpdateService" }]);
      // The period plus the longest window after it (15 min flexible + 60 s tolerance).
      expect(new Date(req.body.StartTime! * 1000).toISOString()).toBe(`${D0}T12:00:00.000Z`);
      expect(new Date(req.body.EndTime! * 1000).toISOString()).toBe(`${D1}T12:16:00.000Z`);
    }
    // It says what it read and from where, on stderr.
    expect(r.stderr).toMatch(/4 schedules .*EventBridge Scheduler.* 4 UpdateService calls from CloudTrail/);
  });

  it("one missed, one failed with AccessDeniedException, one call by a person: exit 1, all reported", async () => {
    await nightAndMorning();
    const r = await audit(
      [
        lookupItem(`${D0}T22:00:03Z`, "api", 0),
        // worker-night-down: no call at all → missed
        lookupItem(`${D1}T08:00:02Z`, "api", 2, { errorCode: "AccessDeniedException" }),
        lookupItem(`${D1}T08:03:00Z`, "worker", 1),
        lookupItem(`${D1}T02:14:09Z`, "api", 4, { person: "jane@example.com" }),
      ],
      [...DAY, "--json"],
    );
    expect(r.code).toBe(1);
    const by = Object.fromEntries(r.json.fires.map((f: { schedule: string }) => [f.schedule, f]));
    expect(by["worker-night-down"]).toMatchObject({
      status: "missed",
      eventId: null,
      cluster: "dev",
      service: "worker",
      desiredCount: 0,
    });
    expect(by["api-morning-up"]).toMatchObject({ status: "failed", errorCode: "AccessDeniedException" });
    expect(by["api-night-down"].status).toBe("ok");
    expect(by["worker-morning-up"].status).toBe("ok");
    expect(r.json.unexpected).toHaveLength(1);
    expect(r.json.unexpected[0]).toMatchObject({
      service: "api",
      desiredCount: 4,
      caller: { name: "jane@example.com" },
    });
  });

  it("the table view: a row per fire with its status, then the unexpected calls with the caller", async () => {
    await nightAndMorning();
    const r = await audit(
      [
        lookupItem(`${D0}T22:00:03Z`, "api", 0),
        lookupItem(`${D1}T08:00:02Z`, "api", 2, { errorCode: "AccessDeniedException" }),
        lookupItem(`${D1}T08:03:00Z`, "worker", 1),
        lookupItem(`${D1}T02:14:09Z`, "api", 4, { person: "jane@example.com" }),
      ],
      DAY,
    );
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/api-night-down[\s\S]*ok/);
    expect(r.stdout).toContain("MISSED");
    expect(r.stdout).toContain("FAILED");
    expect(r.stdout).toContain("AccessDeniedException");
    expect(r.stdout).toMatch(/Unexpected UpdateService calls[\s\S]*dev\/api → 4[\s\S]*jane@example\.com/);
    expect(r.stdout).toMatch(
      /4 expected fires of 4 schedules: 2 ok, 1 failed, 1 missed, 0 pending · 1 unexpected call/,
    );
  });

  it("a fire in the last 10 minutes without a call yet is pending, not missed (exit 0)", async () => {
    const fireAt = new Date(Math.floor((Date.now() - 5 * 60_000) / 60_000) * 60_000);
    const expr = `cron(${fireAt.getUTCMinutes()} ${fireAt.getUTCHours()} * * ? *)`;
    await createSchedule("api-recent", expr, "api", 0);
    const r = await audit([], ["--since", "1h", "--json"]);
    expect(r.code).toBe(0);
    expect(r.json.fires).toEqual([
      expect.objectContaining({ schedule: "api-recent", status: "pending", expectedAt: fireAt.toISOString() }),
    ]);
    // With a zero margin the same fire is missed.
    const strict = await audit([], ["--since", "1h", "--pending-margin", "0s", "--json"]);
    expect(strict.code).toBe(1);
    expect(strict.json.fires[0].status).toBe("missed");
  });

  // A DST-skipped fire end to end is in test/audit.test.ts (mocked clients, 2027-03-14): a real audit can
  // only look 90 days back, so no fixed DST date stays inside the window here.
  it("a period older than CloudTrail's 90 days is refused before any call (exit 2, one line)", async () => {
    const r = await audit([], ["--since", "100d", "--json"]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/--since.*90 days/);
    expect(r.trail.requests).toHaveLength(0);
  });

  it("--group reports one group's fires only", async () => {
    await scheduler.send(new CreateScheduleGroupCommand({ Name: "team-b" }));
    await createSchedule("api-night-down", "cron(0 22 * * ? *)", "api", 0);
    await createSchedule("web-night-down", "cron(0 22 * * ? *)", "web", 0, { group: "team-b" });
    const r = await audit([lookupItem(`${D0}T22:00:03Z`, "api", 0)], [...DAY, "--group", "team-b", "--json"]);
    expect(r.code).toBe(1);
    expect(r.json.fires).toEqual([
      expect.objectContaining({ schedule: "web-night-down", group: "team-b", status: "missed" }),
    ]);
    expect(r.json.unexpected).toEqual([]);
  });

  it("a bad duration is a usage error (exit 2), one line", async () => {
    const r = await audit([], ["--since", "yesterday"]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/--since/);
  });
});
