// The end-to-end path on moto: a CloudTrail-shaped UpdateService event put on the default bus →
// the rule (CloudTrail pattern) → the queue (queue policy for events.amazonaws.com) → the real CLI
// `local run` as a child process → the digest names the service and its new desired count.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  SetQueueAttributesCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { EventBridgeClient, PutEventsCommand, PutRuleCommand, PutTargetsCommand } from "@aws-sdk/client-eventbridge";
import { startMoto, type RunningEmulator } from "../../tools/emulators.js";
import { BIN, runCli } from "../support/run-cli.js";
import { spawn } from "node:child_process";
import { startFakeSlack } from "../support/fake-slack.js";

const REGION = "us-east-1";
const creds = { accessKeyId: "test", secretAccessKey: "test" };
const cliEnv = { AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test", AWS_REGION: REGION, AWS_PROFILE: undefined };

let moto: RunningEmulator;
let sqs: SQSClient;
let events: EventBridgeClient;

beforeAll(async () => {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
  moto = await startMoto();
  sqs = new SQSClient({ region: REGION, endpoint: moto.endpoint, credentials: creds, useQueueUrlAsEndpoint: false });
  events = new EventBridgeClient({ region: REGION, endpoint: moto.endpoint, credentials: creds });
});
afterAll(async () => {
  sqs?.destroy();
  events?.destroy();
  await moto?.stop();
});

const attrs = async (url: string) =>
  (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["All"] }))).Attributes ?? {};

/** Queue + DLQ + queue policy + rule on the default bus, as `setup apply` would create them. */
async function pipeline(name: string) {
  const dlqUrl = (await sqs.send(new CreateQueueCommand({ QueueName: `${name}-dlq` }))).QueueUrl!;
  const dlqArn = (await attrs(dlqUrl)).QueueArn!;
  const url = (
    await sqs.send(
      new CreateQueueCommand({
        QueueName: name,
        Attributes: {
          VisibilityTimeout: "30",
          RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 5 }),
        },
      }),
    )
  ).QueueUrl!;
  const arn = (await attrs(url)).QueueArn!;
  const rule = await events.send(
    new PutRuleCommand({
      Name: `${name}-rule`,
      EventPattern: JSON.stringify({
        source: ["aws.ecs"],
        "detail-type": ["AWS API Call via CloudTrail"],
        detail: { eventSource: ["ecs.amazonaws.com"], eventName: ["UpdateService"] },
      }),
      State: "ENABLED",
    }),
  );
  await sqs.send(
    new SetQueueAttributesCommand({
      QueueUrl: url,
      Attributes: {
        Policy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            {
              Sid: "EventsToMyQueue",
              Effect: "Allow",
              Principal: { Service: "events.amazonaws.com" },
              Action: "sqs:SendMessage",
              Resource: arn,
              Condition: { ArnEquals: { "aws:SourceArn": rule.RuleArn } },
            },
          ],
        }),
      },
    }),
  );
  await events.send(new PutTargetsCommand({ Rule: `${name}-rule`, Targets: [{ Id: "queue", Arn: arn }] }));
  return { url, dlqUrl };
}

/** A CloudTrail record of ECS UpdateService, as "AWS API Call via CloudTrail" carries it. */
function cloudTrailDetail(o: {
  eventName?: string;
  cluster: string;
  service: string;
  desiredCount: number;
  running: number;
  eventID: string;
}) {
  return {
    eventVersion: "1.11",
    userIdentity: {
      type: "AssumedRole",
      arn: "arn:aws:sts::123456789012:assumed-role/traildigest-scheduler-role/a4cdb673",
      accountId: "123456789012",
      sessionContext: {
        sessionIssuer: {
          type: "Role",
          arn: "arn:aws:iam::123456789012:role/traildigest-scheduler-role",
          userName: "traildigest-scheduler-role",
        },
      },
    },
    eventTime: "2026-11-26T21:00:00Z",
    eventSource: "ecs.amazonaws.com",
    eventName: o.eventName ?? "UpdateService",
    awsRegion: REGION,
    sourceIPAddress: "scheduler.amazonaws.com",
    userAgent: "scheduler.amazonaws.com",
    requestParameters: { cluster: o.cluster, service: o.service, desiredCount: o.desiredCount },
    responseElements: {
      service: {
        serviceName: o.service,
        desiredCount: o.desiredCount,
        runningCount: o.running,
        pendingCount: 0,
        status: "ACTIVE",
      },
    },
    requestID: `req-${o.eventID}`,
    eventID: o.eventID,
    readOnly: false,
    eventType: "AwsApiCall",
    managementEvent: true,
    recipientAccountId: "123456789012",
  };
}

async function waitForMessages(url: string, n: number): Promise<void> {
  // Attribute counts only: a receive would count toward maxReceiveCount.
  for (let i = 0; i < 100; i++) {
    if (Number((await attrs(url)).ApproximateNumberOfMessages) >= n) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the rule did not deliver ${n} message(s) to the queue`);
}

describe("pipeline on moto: PutEvents → rule → SQS → local run → digest", () => {
  it("delivers a matching UpdateService call to the queue and local run digests it", async () => {
    const q = await pipeline("traildigest-e2e");
    const put = await events.send(
      new PutEventsCommand({
        Entries: [
          {
            Source: "aws.ecs",
            DetailType: "AWS API Call via CloudTrail",
            Detail: JSON.stringify(
              cloudTrailDetail({
                cluster: "prod-eu",
                service: "checkout-api",
                desiredCount: 3,
                running: 1,
                eventID: "e2e-0001",
              }),
            ),
          },
          // Not UpdateService: the rule must not deliver it.
          {
            Source: "aws.ecs",
            DetailType: "AWS API Call via CloudTrail",
            Detail: JSON.stringify(
              cloudTrailDetail({
                eventName: "CreateService",
                cluster: "prod-eu",
                service: "ignored-svc",
                desiredCount: 1,
                running: 0,
                eventID: "e2e-0002",
              }),
            ),
          },
        ],
      }),
    );
    expect(put.FailedEntryCount ?? 0).toBe(0);
    await waitForMessages(q.url, 1);
    expect((await attrs(q.url)).ApproximateNumberOfMessages).toBe("1");

    const run = await runCli(
      [
        "local",
        "run",
        "--queue",
        "traildigest-e2e",
        "--endpoint-url",
        moto.endpoint,
        "--region",
        REGION,
        "--window",
        "1s",
        "--handler-timeout",
        "5s",
        "--until-empty",
        "--sink",
        "stdout",
      ],
      { env: cliEnv, timeoutMs: 60_000 },
    );
    expect(run.stderr).not.toMatch(/error:/);
    expect(run.code).toBe(0);
    // The digest preview names the service and its new desired count (and what ran before).
    expect(run.stdout).toContain("prod-eu");
    expect(run.stdout).toMatch(/checkout-api[^\n]*\b3\b/);
    expect(run.stdout).not.toContain("ignored-svc");
    expect(run.stderr).toMatch(/#1 {2}1 record {2}trigger=window {2}digest printed {2}records-returned=0/);
    const a = await attrs(q.url);
    expect([a.ApproximateNumberOfMessages, a.ApproximateNumberOfMessagesNotVisible]).toEqual(["0", "0"]);
  });

  it("--json: invocations and summary for scripts, the Slack payload included", async () => {
    const q = await pipeline("traildigest-e2e-json");
    await events.send(
      new PutEventsCommand({
        Entries: [1, 2, 3].map((i) => ({
          Source: "aws.ecs",
          DetailType: "AWS API Call via CloudTrail",
          Detail: JSON.stringify(
            cloudTrailDetail({
              cluster: "dev",
              service: `svc-${i}`,
              desiredCount: 0,
              running: 2,
              eventID: `json-${i}`,
            }),
          ),
        })),
      }),
    );
    await waitForMessages(q.url, 3);
    const run = await runCli(
      [
        "local",
        "run",
        "--queue",
        "traildigest-e2e-json",
        "--endpoint-url",
        moto.endpoint,
        "--window",
        "1s",
        "--handler-timeout",
        "5s",
        "--until-empty",
        "--json",
      ],
      { env: cliEnv, timeoutMs: 60_000 },
    );
    expect(run.code).toBe(0);
    const data = JSON.parse(run.stdout) as {
      invocations: {
        n: number;
        records: number;
        trigger: string;
        posted: boolean;
        failures: number;
        message?: { text: string };
      }[];
      summary: Record<string, number | null>;
    };
    expect(data.summary).toEqual({ messages: 3, batches: 1, digests: 1, failedRecords: 0, dlq: 0 });
    expect(data.invocations).toHaveLength(1);
    expect(data.invocations[0]).toMatchObject({ n: 1, records: 3, trigger: "window", posted: true, failures: 0 });
    expect(JSON.stringify(data.invocations[0]!.message)).toContain("svc-2");
    expect(Number((await attrs(q.url)).ApproximateNumberOfMessages)).toBe(0);
  });

  it("refuses a queue whose visibility timeout is shorter than window + handler timeout, with the reason", async () => {
    await pipeline("traildigest-e2e-short");
    const run = await runCli(
      [
        "local",
        "run",
        "--queue",
        "traildigest-e2e-short",
        "--endpoint-url",
        moto.endpoint,
        "--window",
        "30s",
        "--handler-timeout",
        "10s",
        "--until-empty",
      ],
      { env: cliEnv, timeoutMs: 30_000 },
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /error: the queue's visibility timeout \(30s\) is shorter than window \+ handler timeout \(30s \+ 10s\)/,
    );
  });

  it("Ctrl-C (SIGINT) stops cleanly: the batch being gathered is made visible again at once, exit 0", async () => {
    const q = await pipeline("traildigest-e2e-sigint");
    await events.send(
      new PutEventsCommand({
        Entries: [1, 2].map((i) => ({
          Source: "aws.ecs",
          DetailType: "AWS API Call via CloudTrail",
          Detail: JSON.stringify(
            cloudTrailDetail({
              cluster: "dev",
              service: `held-${i}`,
              desiredCount: 0,
              running: 1,
              eventID: `sig-${i}`,
            }),
          ),
        })),
      }),
    );
    await waitForMessages(q.url, 2);
    // A long window: the two messages are held (in flight) while the batch fills.
    const child = spawn(
      process.execPath,
      [
        BIN,
        "local",
        "run",
        "--queue",
        "traildigest-e2e-sigint",
        "--endpoint-url",
        moto.endpoint,
        "--window",
        "20s",
        "--handler-timeout",
        "5s",
      ],
      { env: { ...process.env, ...cliEnv, NO_COLOR: "1" }, stdio: ["ignore", "pipe", "pipe"] },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const exited = new Promise<number | null>((r) => child.on("close", (code) => r(code)));
    try {
      for (let i = 0; i < 100 && (await attrs(q.url)).ApproximateNumberOfMessagesNotVisible !== "2"; i++) {
        await new Promise((r) => setTimeout(r, 100));
      }
      expect((await attrs(q.url)).ApproximateNumberOfMessagesNotVisible).toBe("2");
      child.kill("SIGINT");
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
    }
    expect(stderr).toContain("SIGINT: stopping");
    expect(stdout).toContain("stopped on request; 2 held messages made visible again");
    expect(stdout).not.toContain("held-1"); // no digest: the batch was abandoned, not invoked
    const a = await attrs(q.url);
    expect([a.ApproximateNumberOfMessages, a.ApproximateNumberOfMessagesNotVisible]).toEqual(["2", "0"]);
  });

  it("--sink slack: a refused post leaves the batch in the queue and says why, never the URL", async () => {
    const q = await pipeline("traildigest-e2e-slack");
    const slack = await startFakeSlack();
    slack.setFallback({ status: 404, body: "channel_not_found" });
    await events.send(
      new PutEventsCommand({
        Entries: [
          {
            Source: "aws.ecs",
            DetailType: "AWS API Call via CloudTrail",
            Detail: JSON.stringify(
              cloudTrailDetail({ cluster: "dev", service: "api", desiredCount: 0, running: 1, eventID: "slack-1" }),
            ),
          },
        ],
      }),
    );
    await waitForMessages(q.url, 1);
    const child = spawn(
      process.execPath,
      [
        BIN,
        "local",
        "run",
        "--queue",
        "traildigest-e2e-slack",
        "--endpoint-url",
        moto.endpoint,
        "--window",
        "1s",
        "--handler-timeout",
        "5s",
        "--webhook-url",
        slack.url,
      ],
      { env: { ...process.env, ...cliEnv, NO_COLOR: "1" }, stdio: ["ignore", "pipe", "pipe"] },
    );
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    const exited = new Promise<number | null>((r) => child.on("close", (code) => r(code)));
    try {
      for (let i = 0; i < 150 && !/^#1 /m.test(out); i++) await new Promise((r) => setTimeout(r, 100));
      child.kill("SIGINT");
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
      await slack.close();
    }
    expect(slack.requests.length).toBeGreaterThan(0);
    expect(out).toMatch(
      /#1 {2}1 record {2}trigger=window {2}no digest {2}records-returned=1 {2}\(digest not posted: [^\n]*channel_not_found/,
    );
    expect(out).not.toContain(slack.url);
    expect(out).not.toContain("s3cr3tW3bh00kT0k3nXYZ");
    // Not deleted: it waits out its visibility timeout, as with the real mapping.
    const a = await attrs(q.url);
    expect(Number(a.ApproximateNumberOfMessages) + Number(a.ApproximateNumberOfMessagesNotVisible)).toBe(1);
  });
});
