// The deployed handler names scheduler calls by their schedule from TRAILDIGEST_SCHEDULES (which setup
// and the export write from the config), exactly as `notify dry-run` does from the config itself.
import { readFileSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Context, SQSEvent } from "aws-lambda";
import { handler } from "../src/handler/index.js";
import { resetWebhookCache } from "../src/handler/webhook.js";
import { resetScheduleCallersCache } from "../src/handler/schedules-env.js";
import { parseConfig } from "../src/core/setup/config-schema.js";
import { buildDigest } from "../src/core/digest/digest.js";
import { normalizeValue } from "../src/core/events/events.js";
import { classifyContextOf, functionEnvironment } from "../src/core/setup/policies.js";
import { SCHEDULES_ENV } from "../src/core/schedule/schedule-callers.js";
import { useFakeSlack } from "./support/fake-slack.js";

const records = JSON.parse(readFileSync(new URL("./fixtures/call-kinds.json", import.meta.url), "utf8")) as Record<
  string,
  unknown
>[];
// Fixture 2: a Scheduler call that names only its execution role (no scheduler.amazonaws.com anywhere).
const schedulerCall = records.find((r) => String(r.id).endsWith("000000000002"))!;
const sqsEvent = (n: number): SQSEvent => ({
  Records: [
    {
      messageId: `m-${n}`,
      body: JSON.stringify(schedulerCall),
      attributes: {},
      messageAttributes: {},
      md5OfBody: "",
      eventSource: "aws:sqs",
      eventSourceARN: "arn:aws:sqs:ap-northeast-2:123456789012:q",
      awsRegion: "ap-northeast-2",
      receiptHandle: "r",
    },
  ] as SQSEvent["Records"],
});
const context = { getRemainingTimeInMillis: () => 20_000 } as unknown as Context;

const ROLE = "arn:aws:iam::123456789012:role/traildigest-scheduler-role";
const cfg = parseConfig({
  schedules: [
    {
      name: "dev-worker-night",
      group: "td-nightly",
      expression: "cron(0 22 * * ? *)",
      cluster: "dev",
      service: "worker",
      desiredCount: 0,
      roleArn: ROLE,
    },
    {
      name: "dev-worker-morning",
      group: "td-nightly",
      expression: "cron(0 8 * * ? *)",
      cluster: "dev",
      service: "worker",
      desiredCount: 2,
      roleArn: ROLE,
    },
  ],
});

const slack = useFakeSlack();
let logged: string[] = [];
const text = (i: number) => JSON.stringify(slack.requests[i]!.json);

beforeEach(() => {
  process.env.SLACK_WEBHOOK_URL = slack.url;
  delete process.env[SCHEDULES_ENV];
  resetWebhookCache();
  resetScheduleCallersCache();
  logged = [];
  vi.spyOn(console, "log").mockImplementation((line: unknown) => void logged.push(String(line)));
});
afterEach(() => {
  vi.restoreAllMocks();
  delete process.env.SLACK_WEBHOOK_URL;
  delete process.env[SCHEDULES_ENV];
});

describe("handler: scheduler callers from TRAILDIGEST_SCHEDULES", () => {
  it("with the variable setup writes, names the schedule (the stop, told from the start by its count), exactly as dry-run does", async () => {
    process.env[SCHEDULES_ENV] = functionEnvironment(cfg)[SCHEDULES_ENV];
    expect(await handler(sqsEvent(1), context)).toEqual({ batchItemFailures: [] });
    expect(text(0)).toContain("by schedule dev-worker-night");
    expect(text(0)).not.toContain("traildigest-scheduler-role");
    // The CLI's preview reads the same encoding from the config: the same message.
    const preview = buildDigest(normalizeValue([schedulerCall]).events, {
      invalidCount: 0,
      classify: classifyContextOf(cfg),
    }).message;
    expect(slack.requests[0]!.json).toEqual(preview);
    expect(logged.filter((l) => l.includes('"warn"'))).toEqual([]);
  });

  it("without it, falls back as before: the execution role", async () => {
    await handler(sqsEvent(1), context);
    expect(text(0)).toContain("by role traildigest-scheduler-role");
  });

  it("role names only (the over-budget form): a scheduler call, not yet a named schedule", async () => {
    process.env[SCHEDULES_ENV] = JSON.stringify({ v: 1, r: ["traildigest-scheduler-role"] });
    await handler(sqsEvent(1), context);
    expect(text(0)).toContain("by EventBridge Scheduler (role traildigest-scheduler-role)");
  });

  it.each([
    ["not JSON", "{not json SECRETISH", "not JSON"],
    ["another version", '{"v":2,"s":{}}', "unknown version"],
    ["a wrong entry", '{"v":1,"s":{"r":{"default":[["n","c","s",-1]]}}}', "schedule entry 1 is not"],
  ])(
    "a bad value (%s) is logged once without the value, ignored, and never stops the digest",
    async (_what, value, reason) => {
      process.env[SCHEDULES_ENV] = value;
      await handler(sqsEvent(1), context);
      await handler(sqsEvent(2), context);
      expect(slack.requests).toHaveLength(2);
      expect(text(1)).toContain("by role traildigest-scheduler-role");
      const warns = logged.filter((l) => l.includes(SCHEDULES_ENV));
      expect(warns).toHaveLength(1);
      expect(JSON.parse(warns[0]!)).toMatchObject({ level: "warn", reason: expect.stringContaining(reason) });
      expect(warns[0]).not.toContain(value);
      expect(warns[0]).not.toContain("SECRETISH");
    },
  );
});
