// The inspection commands end to end against emulators: `schedules list|show` on moto_server,
// `queue stats|peek` on moto_server and on fauxqs, through the built CLI with --endpoint-url.
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CreateScheduleCommand, CreateScheduleGroupCommand, SchedulerClient } from "@aws-sdk/client-scheduler";
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { startMoto, startSqs, type RunningEmulator } from "../../tools/emulators.js";
import { runCli } from "../support/run-cli.js";

const ACCOUNT = "123456789012";
const ROLE = `arn:aws:iam::${ACCOUNT}:role/traildigest-scheduler-role`;
const env = { AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test", AWS_REGION: "us-east-1" };
const creds = { accessKeyId: "test", secretAccessKey: "test" };
const lambdaEvent = JSON.parse(readFileSync(new URL("../fixtures/sqs-lambda-event.json", import.meta.url), "utf8")) as {
  Records: { body: string }[];
};
const bodies = lambdaEvent.Records.map((r) => r.body);

let moto: RunningEmulator;
beforeAll(async () => {
  moto = await startMoto();
});
afterAll(async () => moto?.stop());

describe("the AWS environment on moto_server", () => {
  it("AWS_DEFAULT_REGION alone is enough (what the AWS CLI and most CI set)", async () => {
    const r = await runCli(["schedules", "list", "--endpoint-url", moto.endpoint, "--json", "--next", "0"], {
      env: {
        ...env,
        AWS_REGION: undefined,
        AWS_DEFAULT_REGION: "us-east-1",
        AWS_PROFILE: undefined,
        AWS_CONFIG_FILE: "/nonexistent",
      },
    });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toHaveProperty("schedules");
  });

  it("an endpoint without CloudTrail LookupEvents fails at once with a message that says so", async () => {
    const r = await runCli(["trail", "recent", "UpdateService", "--endpoint-url", moto.endpoint, "--since", "1h"], {
      env,
      timeoutMs: 30_000,
    });
    // It used to retry for 16 s, then print a raw JSON parse error.
    expect(r.code).toBe(3);
    expect(r.stderr.trim()).toMatch(
      /^error: 127\.0\.0\.1:\d+ did not answer CloudTrail LookupEvents like AWS \(HTTP \d+\): does this endpoint provide CloudTrail\?/,
    );
  });
});

describe("schedules on moto_server", () => {
  const FROM = "2026-11-27T00:00:00Z"; // a Friday, 09:00 in Seoul
  beforeAll(async () => {
    const s = new SchedulerClient({ region: "us-east-1", endpoint: moto.endpoint, credentials: creds });
    await s.send(new CreateScheduleGroupCommand({ Name: "ops" }));
    const ecs = (
      name: string,
      expression: string,
      input: Record<string, unknown>,
      extra: Record<string, unknown> = {},
    ) =>
      s.send(
        new CreateScheduleCommand({
          Name: name,
          ScheduleExpression: expression,
          ScheduleExpressionTimezone: "Asia/Seoul",
          FlexibleTimeWindow: { Mode: "OFF" },
          Target: { Arn: "arn:aws:scheduler:::aws-sdk:ecs:updateService", RoleArn: ROLE, Input: JSON.stringify(input) },
          ...extra,
        }),
      );
    await ecs("nestjs-night-down", "cron(0 22 ? * MON-FRI *)", { Cluster: "dev", Service: "nestjs", DesiredCount: 0 });
    await ecs(
      "nestjs-morning-up",
      "cron(0 8 ? * MON-FRI *)",
      { cluster: `arn:aws:ecs:us-east-1:${ACCOUNT}:cluster/dev`, service: "nestjs", desiredCount: 2 },
      { FlexibleTimeWindow: { Mode: "FLEXIBLE", MaximumWindowInMinutes: 15 } },
    );
    await ecs(
      "billing-once",
      "at(2020-01-01T00:00:00)",
      { Cluster: "prod", Service: "billing", DesiredCount: 1 },
      { GroupName: "ops" },
    );
    await ecs(
      "worker-paused",
      "rate(1 hour)",
      { Cluster: "prod", Service: "worker", DesiredCount: 3 },
      { GroupName: "ops", State: "DISABLED" },
    );
    await s.send(
      new CreateScheduleCommand({
        Name: "report",
        GroupName: "ops",
        ScheduleExpression: "rate(6 hours)",
        StartDate: new Date("2026-11-26T01:30:00Z"),
        FlexibleTimeWindow: { Mode: "OFF" },
        Target: { Arn: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:report`, RoleArn: ROLE },
      }),
    );
  });

  it("lists both groups, decoded, sorted by next fire", async () => {
    const r = await runCli(["schedules", "list", "--endpoint-url", moto.endpoint, "--from", FROM, "--json"], { env });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const { schedules } = JSON.parse(r.stdout);
    expect(schedules.map((s: { group: string; name: string }) => `${s.group}/${s.name}`)).toEqual([
      "ops/report", // 2026-11-27T01:30Z (every 6 h from StartDate)
      "default/nestjs-night-down", // 22:00 KST = 13:00Z
      "default/nestjs-morning-up", // Monday 08:00 KST = Sunday 23:00Z
      "ops/billing-once", // past at(): none
      "ops/worker-paused", // DISABLED: none
    ]);
    const by = (n: string) => schedules.find((s: { name: string }) => s.name === n);
    expect(by("nestjs-night-down")).toEqual({
      name: "nestjs-night-down",
      group: "default",
      state: "ENABLED",
      expression: "cron(0 22 ? * MON-FRI *)",
      timezone: "Asia/Seoul",
      nextFires: ["2026-11-27T13:00:00.000Z", "2026-11-30T13:00:00.000Z", "2026-12-01T13:00:00.000Z"],
      flexibleWindowMinutes: null,
      target: {
        arn: "arn:aws:scheduler:::aws-sdk:ecs:updateService",
        kind: "ecs:updateService",
        cluster: "dev",
        service: "nestjs",
        desiredCount: 0,
      },
    });
    expect(by("nestjs-morning-up")).toMatchObject({
      flexibleWindowMinutes: 15,
      nextFires: ["2026-11-29T23:00:00.000Z", "2026-11-30T23:00:00.000Z", "2026-12-01T23:00:00.000Z"],
      target: { cluster: "dev", service: "nestjs", desiredCount: 2 },
    });
    expect(by("billing-once")).toMatchObject({
      nextFires: [],
      target: { cluster: "prod", service: "billing", desiredCount: 1 },
    });
    expect(by("worker-paused")).toMatchObject({ state: "DISABLED", nextFires: [] });
    expect(by("report")).toMatchObject({
      target: { kind: "lambda", cluster: null, service: null, desiredCount: null },
      nextFires: ["2026-11-27T01:30:00.000Z", "2026-11-27T07:30:00.000Z", "2026-11-27T13:30:00.000Z"],
    });
  });

  it("filters by group and state, and renders the on-call table", async () => {
    const ops = await runCli(
      ["schedules", "list", "--endpoint-url", moto.endpoint, "--group", "ops", "--state", "enabled", "--json"],
      { env },
    );
    expect(
      JSON.parse(ops.stdout)
        .schedules.map((s: { name: string }) => s.name)
        .sort(),
    ).toEqual(["billing-once", "report"]);
    const table = await runCli(["schedules", "list", "--endpoint-url", moto.endpoint, "--from", FROM], {
      env: { ...env, COLUMNS: "200" },
    });
    expect(table.code).toBe(0);
    expect(table.stdout).toContain("dev/nestjs → 0");
    expect(table.stdout).toContain("2026-11-27 22:00 GMT+9");
    expect(table.stdout).toContain("— (disabled)");
    expect(table.stdout).toContain("5 schedules (4 enabled)");
  });

  it("shows one schedule in full", async () => {
    const r = await runCli(["schedules", "show", "billing-once", "--endpoint-url", moto.endpoint, "--json"], { env });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).schedule).toMatchObject({
      name: "billing-once",
      group: "ops",
      expression: "at(2020-01-01T00:00:00)",
      nextFires: [],
      roleArn: ROLE,
      input: JSON.stringify({ Cluster: "prod", Service: "billing", DesiredCount: 1 }),
      deadLetterArn: null,
    });
  });
});

async function makeQueues(client: SQSClient, name: string, maxReceiveCount = 5) {
  const dlq = await client.send(new CreateQueueCommand({ QueueName: `${name}-dlq` }));
  const dlqArn = (
    await client.send(new GetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl, AttributeNames: ["QueueArn"] }))
  ).Attributes!.QueueArn!;
  const main = await client.send(
    new CreateQueueCommand({
      QueueName: name,
      Attributes: {
        VisibilityTimeout: "480",
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount }),
      },
    }),
  );
  for (const b of [...bodies.slice(0, 2), "not an event"]) {
    await client.send(new SendMessageCommand({ QueueUrl: main.QueueUrl, MessageBody: b }));
  }
  const arn = (
    await client.send(new GetQueueAttributesCommand({ QueueUrl: main.QueueUrl, AttributeNames: ["QueueArn"] }))
  ).Attributes!.QueueArn!;
  return { url: main.QueueUrl!, dlqUrl: dlq.QueueUrl!, arn, dlqArn };
}

async function held(client: SQSClient, url: string): Promise<number> {
  const a = (await client.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["All"] }))).Attributes!;
  return (
    Number(a.ApproximateNumberOfMessages) +
    Number(a.ApproximateNumberOfMessagesNotVisible) +
    Number(a.ApproximateNumberOfMessagesDelayed)
  );
}

for (const kind of ["moto_server", "fauxqs"] as const) {
  describe(`queue stats and peek on ${kind}`, () => {
    let endpoint: string;
    let fauxqs: RunningEmulator | undefined;
    let client: SQSClient;
    let q: Awaited<ReturnType<typeof makeQueues>>;
    beforeAll(async () => {
      if (kind === "fauxqs") fauxqs = await startSqs();
      endpoint = kind === "fauxqs" ? fauxqs!.endpoint : moto.endpoint;
      client = new SQSClient({ region: "us-east-1", endpoint, credentials: creds, useQueueUrlAsEndpoint: false });
      q = await makeQueues(client, `td-${kind === "fauxqs" ? "fx" : "moto"}`);
    });
    afterAll(async () => fauxqs?.stop());
    const cli = (args: string[]) => runCli([...args, "--endpoint-url", endpoint], { env });

    it("stats counts the queue and its DLQ, by name, URL or ARN", async () => {
      for (const ref of [q.url.split("/").pop()!, q.url, q.arn]) {
        const r = await cli(["queue", "stats", "--queue", ref, "--json"]);
        expect(r.stderr).toBe("");
        expect(r.code).toBe(0);
        const d = JSON.parse(r.stdout);
        expect(d.queue).toMatchObject({
          arn: q.arn,
          visible: 3,
          inFlight: 0,
          delayed: 0,
          visibilityTimeout: 480,
          redrive: { dlqArn: q.dlqArn, maxReceiveCount: 5 },
        });
        expect(d.dlq).toMatchObject({ arn: q.dlqArn, visible: 0, inFlight: 0 });
      }
      const table = await cli(["queue", "stats", "--queue", q.arn]);
      expect(table.stdout).toMatch(/visible\s+│ 3/);
      expect(table.stdout).toContain("after 5 receives");
    });

    it("peek lists each message once, decoded, deletes nothing and moves nothing to the DLQ", async () => {
      const r = await cli(["queue", "peek", "--queue", q.url.split("/").pop()!, "--wait", "1", "--json"]);
      expect(r.code).toBe(0);
      expect(r.stderr).toContain("this peek spent 3 receives on 3 messages");
      expect(r.stderr).toContain("released 3");
      const d = JSON.parse(r.stdout);
      expect(d.messages).toHaveLength(3);
      expect(new Set(d.messages.map((m: { messageId: string }) => m.messageId)).size).toBe(3);
      const events = d.messages.filter((m: { event: unknown }) => m.event);
      expect(events).toHaveLength(2);
      expect(events[0].event).toMatchObject({ eventName: "UpdateService", cluster: expect.any(String) });
      expect(d.messages.find((m: { event: unknown }) => !m.event).body).toBe("not an event");
      for (const m of d.messages) {
        expect(m.receiveCount).toBeGreaterThanOrEqual(1);
        expect(m.sentAt).toMatch(/Z$/);
      }
      expect(d.peek).toMatchObject({ receivesSpent: 3, held: 3, released: 3, requeued: [] });
      // Still all there, nothing in the DLQ.
      expect(await held(client, q.url)).toBe(3);
      expect(await held(client, q.dlqUrl)).toBe(0);
      const dlq = await cli(["queue", "peek", "--queue", q.url, "--dlq", "--wait", "0", "--json"]);
      expect(JSON.parse(dlq.stdout).messages).toEqual([]);
    });

    it("re-queues a fresh copy of a message a peek brings to the edge of the DLQ (maxReceiveCount 2)", async () => {
      const edge = await makeQueues(client, `td-edge-${kind === "fauxqs" ? "fx" : "moto"}`, 2);
      const r = await cli(["queue", "peek", "--queue", edge.url, "--wait", "0", "--max", "3"]);
      expect(r.code).toBe(0);
      expect(r.stderr).toContain("re-queued 3 messages as a fresh copy (receive count 0)");
      expect(r.stdout).toContain("none lost");
      expect(await held(client, edge.url)).toBe(3);
      expect(await held(client, edge.dlqUrl)).toBe(0);
      const off = await cli(["queue", "peek", "--queue", edge.url, "--wait", "0", "--max", "3", "--no-requeue"]);
      expect(off.stderr).toMatch(/received 1\/2 times and not re-queued \(--no-requeue\)/);
    });

    it("ten inspections in a row (queue peek --max 50 and notify dry-run --from-queue) each list all 25; a consumer then gets all 25, DLQ empty", async () => {
      const name = `td-ten-${kind === "fauxqs" ? "fx" : "moto"}`;
      const dlq = await client.send(new CreateQueueCommand({ QueueName: `${name}-dlq` }));
      const dlqArn = (
        await client.send(new GetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl, AttributeNames: ["QueueArn"] }))
      ).Attributes!.QueueArn!;
      const { QueueUrl } = await client.send(
        new CreateQueueCommand({
          QueueName: name,
          Attributes: {
            VisibilityTimeout: "30",
            RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 5 }),
          },
        }),
      );
      const sent = new Set<string>();
      for (let i = 0; i < 25; i++) {
        const b = JSON.parse(bodies[0]!);
        b.id = `evt-${i}`;
        b.detail.eventID = `evt-${i}`;
        b.detail.requestParameters.desiredCount = i;
        const body = JSON.stringify(b);
        sent.add(body);
        await client.send(new SendMessageCommand({ QueueUrl, MessageBody: body }));
      }
      for (let k = 0; k < 10; k++) {
        if (k % 2 === 0) {
          const r = await cli(["queue", "peek", "--queue", QueueUrl!, "--max", "50", "--wait", "1", "--json"]);
          expect(r.code, r.stderr).toBe(0);
          const d = JSON.parse(r.stdout);
          expect(new Set(d.messages.map((m: { body: string }) => m.body))).toEqual(sent);
          expect(d.peek.held).toBe(25);
        } else {
          const r = await cli([
            "notify",
            "dry-run",
            "--from-queue",
            "--queue",
            QueueUrl!,
            "--batch-size",
            "100",
            "--json",
          ]);
          expect(r.code, r.stderr).toBe(0);
          expect(r.stderr).toContain("read 25 messages");
          expect(JSON.parse(r.stdout).stats.events).toBe(25);
        }
        expect(await held(client, dlq.QueueUrl!)).toBe(0);
      }
      // A consumer receiving normally (and deleting) gets every one of the 25.
      const got = new Set<string>();
      for (let i = 0; i < 20 && got.size < 25; i++) {
        const r = await client.send(
          new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
        );
        for (const m of r.Messages ?? []) {
          got.add(m.Body!);
          await client.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: m.ReceiptHandle! }));
        }
      }
      expect(got).toEqual(sent);
      expect(await held(client, dlq.QueueUrl!)).toBe(0);
      expect(await held(client, QueueUrl!)).toBe(0);
    });
  });
}
