// notify forecast (config and live schedules) and the live sources of notify dry-run.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mockClient } from "aws-sdk-client-mock";
import { GetScheduleCommand, ListSchedulesCommand, SchedulerClient } from "@aws-sdk/client-scheduler";
import { CreateQueueCommand, GetQueueAttributesCommand, SendMessageBatchCommand, SQSClient } from "@aws-sdk/client-sqs";
import { runForecast, type ForecastData } from "../src/app/forecast.js";
import type { GlobalOptions } from "../src/cli/output/output.js";
import { startSqs, type RunningEmulator } from "../tools/emulators.js";
import { startFakeCloudTrail } from "./support/fake-cloudtrail.js";
import { runCliInProcess } from "./support/run-cli.js";
import { endFauxqsLongPollsAtOnce, runCliInVirtualTime } from "./support/virtual-time.js";

const ROLE = "arn:aws:iam::123456789012:role/traildigest-scheduler-role";

function globalOpts(extra: Partial<GlobalOptions> = {}): GlobalOptions {
  return { output: "json", color: false, verbose: false, region: "ap-northeast-2", ...extra };
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "traildigest-forecast-"));
});

function writeConfig(doc: object): string {
  const file = join(dir, `c${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify(doc));
  return file;
}

const nightDown = (i: number) => ({
  name: `svc${i}-night-down`,
  expression: "cron(0 22 ? * MON-FRI *)",
  timezone: "Asia/Seoul",
  cluster: "dev",
  service: `svc${i}`,
  desiredCount: 0,
  roleArn: ROLE,
});

describe("notify forecast from the config file", () => {
  it("12 services scaled down at 22:00 Seoul → one wave of 12 calls, 2 digests at BatchSize 10, with a preview", async () => {
    const config = writeConfig({ schedules: Array.from({ length: 12 }, (_, i) => nightDown(i)) });
    const data: ForecastData = await runForecast(
      { opts: globalOpts({ config }) },
      // Thursday 2026-11-26 00:00Z; 22:00 KST = 13:00Z.
      { from: "2026-11-26T00:00:00Z", hours: 24, fromConfig: true },
    );
    expect(data.waves).toHaveLength(1);
    const [w] = data.waves;
    expect(w).toMatchObject({ at: "2026-11-26T13:00:00.000Z", calls: 12, digests: 2 });
    expect(w!.services).toHaveLength(12);
    expect(data.batching).toEqual({ batchSize: 10, windowSeconds: 300, source: "config file" });
    // The preview is a real Slack payload built by buildDigest: the first batch of 10 services.
    expect(w!.preview).not.toBeNull();
    expect(w!.preview!.blocks.length).toBeGreaterThan(0);
    const text = JSON.stringify(w!.preview);
    // Simultaneous calls are taken in schedule-name order; the first 10 are in, the last 2 are not.
    const inFirst = w!.services.slice(0, 10).map((s) => s.service);
    const later = w!.services.slice(10).map((s) => s.service);
    for (const s of inFirst) expect(text).toContain(`• ${s} → 0`);
    for (const s of later) expect(text).not.toContain(`• ${s} → 0`);
    expect(w!.preview!.text).toContain("ECS: 10 scaled down");
    expect(data.note).toMatch(/parallel/);
  });

  it("the config's batching decides the count; flags override it", async () => {
    const config = writeConfig({
      batching: { batchSize: 5, windowSeconds: 60 },
      schedules: [
        ...Array.from({ length: 7 }, (_, i) => nightDown(i)),
        { ...nightDown(99), name: "late", expression: "cron(2 22 ? * MON-FRI *)" },
      ],
    });
    const fromConfig = await runForecast(
      { opts: globalOpts({ config }) },
      { from: "2026-11-26T00:00:00Z", hours: 24, fromConfig: true },
    );
    // 22:02 is 120 s after 22:00: outside a 60 s window → its own wave.
    expect(fromConfig.waves.map((w) => [w.calls, w.digests])).toEqual([
      [7, 2],
      [1, 1],
    ]);
    const flags = await runForecast(
      { opts: globalOpts({ config }) },
      { from: "2026-11-26T00:00:00Z", hours: 24, fromConfig: true, batchSize: 10, window: 300 },
    );
    expect(flags.waves.map((w) => [w.calls, w.digests])).toEqual([[8, 1]]);
    expect(flags.batching.source).toBe("flags");
  });

  it("a week ahead: weekday schedules make 5 waves; DISABLED ones none", async () => {
    const config = writeConfig({
      schedules: [nightDown(1), { ...nightDown(2), state: "DISABLED" }],
    });
    const data = await runForecast(
      { opts: globalOpts({ config }) },
      { from: "2026-11-23T00:00:00Z", hours: 24 * 7, fromConfig: true },
    );
    expect(data.waves.map((w) => w.at)).toEqual([
      "2026-11-23T13:00:00.000Z",
      "2026-11-24T13:00:00.000Z",
      "2026-11-25T13:00:00.000Z",
      "2026-11-26T13:00:00.000Z",
      "2026-11-27T13:00:00.000Z",
    ]);
    expect(data.waves.every((w) => w.calls === 1)).toBe(true);
  });

  it("--from-config without a config file is a usage error", async () => {
    await expect(
      runForecast({ opts: globalOpts({ config: join(dir, "missing.json") }) }, { hours: 24, fromConfig: true }),
    ).rejects.toMatchObject({ kind: "input" });
  });

  it("--from without an offset is UTC, whatever the machine's zone (as --since reads it)", async () => {
    const config = writeConfig({ schedules: [nightDown(1)] });
    const saved = process.env.TZ;
    process.env.TZ = "Asia/Seoul";
    try {
      const data = await runForecast(
        { opts: globalOpts({ config }) },
        { from: "2026-11-27T00:00:00", hours: 24, fromConfig: true },
      );
      expect(data.period.from).toBe("2026-11-27T00:00:00.000Z");
      expect(data.waves.map((w) => w.at)).toEqual(["2026-11-27T13:00:00.000Z"]);
    } finally {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
    }
  });

  it("a bad --from is a usage error", async () => {
    const config = writeConfig({ schedules: [] });
    await expect(
      runForecast({ opts: globalOpts({ config }) }, { from: "tomorrow", hours: 24, fromConfig: true }),
    ).rejects.toMatchObject({ kind: "input" });
  });
});

describe("notify forecast from live schedules (aws-sdk-client-mock)", () => {
  const mock = mockClient(SchedulerClient);
  afterAll(() => mock.restore());

  it("reads every schedule with GetSchedule and forecasts the ECS ones", async () => {
    mock.reset();
    mock.on(ListSchedulesCommand).resolves({
      Schedules: [
        { Name: "api-down", GroupName: "default" },
        { Name: "web-down", GroupName: "team-b" },
        { Name: "report", GroupName: "default" },
      ],
    });
    const ecs = (name: string, group: string, service: string) => ({
      Name: name,
      GroupName: group,
      State: "ENABLED" as const,
      ScheduleExpression: "cron(0 22 * * ? *)",
      ScheduleExpressionTimezone: "UTC",
      FlexibleTimeWindow: { Mode: "OFF" as const },
      Target: {
        Arn: "arn:aws:scheduler:::aws-sdk:ecs:updateService",
        RoleArn: ROLE,
        Input: JSON.stringify({ Cluster: "dev", Service: service, DesiredCount: 0 }),
      },
    });
    mock.on(GetScheduleCommand, { Name: "api-down" }).resolves(ecs("api-down", "default", "api"));
    mock.on(GetScheduleCommand, { Name: "web-down" }).resolves(ecs("web-down", "team-b", "web"));
    mock.on(GetScheduleCommand, { Name: "report" }).resolves({
      Name: "report",
      GroupName: "default",
      State: "ENABLED",
      ScheduleExpression: "cron(0 22 * * ? *)",
      FlexibleTimeWindow: { Mode: "OFF" },
      Target: { Arn: "arn:aws:lambda:us-east-1:123456789012:function:report", RoleArn: ROLE },
    });
    const scheduler = new SchedulerClient({
      region: "us-east-1",
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
    });
    const data = await runForecast(
      { scheduler, opts: globalOpts({ config: writeConfig({}) }) },
      { from: "2026-11-26T00:00:00Z", hours: 24 },
    );
    expect(data.schedules).toEqual({ source: "EventBridge Scheduler", count: 3 });
    expect(data.waves).toHaveLength(1);
    expect(data.waves[0]!.services.map((s) => s.service).sort()).toEqual(["api", "web"]);
    expect(data.waves[0]!.digests).toBe(1);
    expect(mock.commandCalls(GetScheduleCommand)).toHaveLength(3);
  });
});

// ---------- live sources through the built CLI ----------

const FIXTURE = JSON.parse(readFileSync(new URL("./fixtures/eventbridge-updateservice.json", import.meta.url), "utf8"));
const creds = { AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test", AWS_REGION: "us-east-1" };

/** An EventBridge envelope (what the rule puts in SQS) for one UpdateService call. */
function envelope(i: number): string {
  const e = structuredClone(FIXTURE);
  const id = `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`;
  e.id = `env-${id}`;
  e.detail.eventID = id;
  e.detail.eventTime = new Date(Date.UTC(2026, 10, 26, 13, 0, i)).toISOString();
  e.detail.requestParameters.service = `svc${String(i).padStart(2, "0")}`;
  return JSON.stringify(e);
}

describe("notify dry-run --from-queue (fauxqs)", () => {
  let sqs: RunningEmulator;
  let client: SQSClient;
  let queueUrl: string;
  let dlqUrl: string;
  const name = "traildigest-events-live";

  let restoreLongPolls: () => void;
  beforeAll(async () => {
    // Nothing sends while the peeks run: the closing 1 s long poll on an empty queue ends at once.
    restoreLongPolls = await endFauxqsLongPollsAtOnce();
    sqs = await startSqs();
    client = new SQSClient({
      region: "us-east-1",
      endpoint: sqs.endpoint,
      useQueueUrlAsEndpoint: false,
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
    });
    dlqUrl = (await client.send(new CreateQueueCommand({ QueueName: `${name}-dlq` }))).QueueUrl!;
    const dlqArn = (
      await client.send(new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ["QueueArn"] }))
    ).Attributes!.QueueArn!;
    queueUrl = (
      await client.send(
        new CreateQueueCommand({
          QueueName: name,
          Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 10 }) },
        }),
      )
    ).QueueUrl!;
    // 23 UpdateService events and one body that is not an event.
    const bodies = [...Array.from({ length: 23 }, (_, i) => envelope(i)), "not json at all"];
    for (let i = 0; i < bodies.length; i += 10) {
      await client.send(
        new SendMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: bodies.slice(i, i + 10).map((b, j) => ({ Id: `m${i + j}`, MessageBody: b })),
        }),
      );
    }
  });
  afterAll(async () => {
    restoreLongPolls?.();
    await sqs?.stop();
  });

  async function counts(url: string) {
    const a = (
      await client.send(
        new GetQueueAttributesCommand({
          QueueUrl: url,
          AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        }),
      )
    ).Attributes!;
    return Number(a.ApproximateNumberOfMessages) + Number(a.ApproximateNumberOfMessagesNotVisible);
  }

  it("digests what is waiting, cut into batches of --batch-size, and leaves every message in the queue", async () => {
    expect(await counts(queueUrl)).toBe(24);
    const r = await runCliInProcess(
      ["notify", "dry-run", "--from-queue", "--queue", name, "--endpoint-url", sqs.endpoint, "--json"],
      { env: creds, cwd: dir },
    );
    expect(r.stderr).not.toMatch(/error:/);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.stats).toMatchObject({ events: 23, invalid: 1, batches: 3 });
    expect(out.messages).toHaveLength(3);
    // It says what it read and from where (stderr), and what the peek spent and released.
    expect(r.stderr).toMatch(/read 24 messages from .*traildigest-events-live/);
    expect(r.stderr).toContain("this peek spent 24 receives on 24 messages");
    expect(r.stderr).toContain("released 24");
    // Nothing deleted, nothing moved to the DLQ.
    expect(await counts(queueUrl)).toBe(24);
    expect(await counts(dlqUrl)).toBe(0);
  });

  it("takes BatchSize from the config file unless --batch-size is given", async () => {
    const config = writeConfig({ queue: { name }, batching: { batchSize: 5, windowSeconds: 60 } });
    const fromConfig = await runCliInProcess(
      ["notify", "dry-run", "--from-queue", "--config", config, "--endpoint-url", sqs.endpoint, "--json"],
      { env: creds, cwd: dir },
    );
    expect(fromConfig.code).toBe(0);
    expect(JSON.parse(fromConfig.stdout).stats.batches).toBe(5); // 23 events / 5
    const flag = await runCliInProcess(
      [
        "notify",
        "dry-run",
        "--from-queue",
        "--config",
        config,
        "--batch-size",
        "20",
        "--endpoint-url",
        sqs.endpoint,
        "--json",
      ],
      { env: creds, cwd: dir },
    );
    expect(JSON.parse(flag.stdout).stats.batches).toBe(2);
    expect(await counts(queueUrl)).toBe(24);
    expect(await counts(dlqUrl)).toBe(0);
  });

  it("the table view previews each digest and names the queue", async () => {
    const r = await runCliInProcess(
      ["notify", "dry-run", "--from-queue", "--queue", queueUrl, "--endpoint-url", sqs.endpoint],
      {
        env: creds,
        cwd: dir,
      },
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Message 1 of 3/);
    expect(r.stdout).toMatch(/svc00/);
    expect(r.stdout).toMatch(/input: queue traildigest-events-live/);
    expect(await counts(queueUrl)).toBe(24);
  });

  it("takes the region from the config file, as queue peek does", async () => {
    // No region anywhere but the config file (fauxqs keeps queues per region: the queue is in us-east-1).
    const config = writeConfig({ region: "us-east-1", queue: { name } });
    const noRegion = {
      AWS_ACCESS_KEY_ID: "test",
      AWS_SECRET_ACCESS_KEY: "test",
      AWS_REGION: undefined,
      AWS_DEFAULT_REGION: undefined,
      AWS_PROFILE: undefined,
      AWS_CONFIG_FILE: join(dir, "no-aws-config"),
    };
    const peek = await runCliInProcess(
      ["queue", "peek", "--config", config, "--endpoint-url", sqs.endpoint, "--json", "--max", "1"],
      {
        env: noRegion,
        cwd: dir,
      },
    );
    expect(peek.stderr).not.toMatch(/error:/);
    expect(peek.code).toBe(0);
    const r = await runCliInProcess(
      ["notify", "dry-run", "--from-queue", "--config", config, "--endpoint-url", sqs.endpoint, "--json"],
      {
        env: noRegion,
        cwd: dir,
      },
    );
    expect(r.stderr).not.toMatch(/error:/);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).stats).toMatchObject({ events: 23, invalid: 1 });
    expect(await counts(queueUrl)).toBe(24);
  });

  it("usage errors: no queue known, two sources at once", async () => {
    const none = await runCliInProcess(["notify", "dry-run", "--from-queue", "--endpoint-url", sqs.endpoint], {
      env: creds,
      cwd: dir,
    });
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/--queue/);
    const both = await runCliInProcess(["notify", "dry-run", "--from-queue", "--sample", "--queue", name], {
      env: creds,
      cwd: dir,
    });
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/only one of/);
  });
});

describe("notify dry-run --from-trail (local CloudTrail)", () => {
  it("digests the UpdateService calls of a past period and says where they came from", async () => {
    const items = Array.from({ length: 12 }, (_, i) => {
      const detail = JSON.parse(envelope(i)).detail;
      return {
        EventId: detail.eventID,
        EventName: "UpdateService",
        EventTime: detail.eventTime,
        CloudTrailEvent: JSON.stringify(detail),
      };
    });
    const trail = await startFakeCloudTrail({ events: items, pageSize: 5 });
    try {
      // In this process on virtual time: the pacer's waits between pages are recorded, not slept.
      const r = await runCliInVirtualTime(
        [
          "notify",
          "dry-run",
          "--from-trail",
          "--since",
          "2026-11-26T12:00:00Z",
          "--until",
          "2026-11-26T14:00:00Z",
          "--json",
        ],
        { env: { ...creds, AWS_ENDPOINT_URL_CLOUDTRAIL: trail.endpoint }, cwd: dir },
      );
      expect(r.stderr).not.toMatch(/error:/);
      expect(r.code).toBe(0);
      const out = JSON.parse(r.stdout);
      expect(out.stats).toMatchObject({ events: 12, batches: 2 });
      expect(r.stderr).toMatch(
        /read 12 UpdateService calls from CloudTrail LookupEvents, 2026-11-26T12:00:00.000Z → 2026-11-26T14:00:00.000Z/,
      );
      expect(trail.requests.length).toBe(3); // 12 events, pages of 5
      expect(trail.requests.every((q) => q.body.LookupAttributes?.[0]?.AttributeValue === "UpdateService")).toBe(true);
    } finally {
      await trail.stop();
    }
  });

  it("--from-trail without --since is a usage error", async () => {
    const r = await runCliInProcess(["notify", "dry-run", "--from-trail"], { env: creds, cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--since/);
  });
});

describe("notify forecast through the CLI", () => {
  it("JSON {waves:[{at,calls,digests,services,preview}]} from the config's schedules", async () => {
    const config = writeConfig({ schedules: Array.from({ length: 12 }, (_, i) => nightDown(i)) });
    const r = await runCliInProcess(
      [
        "notify",
        "forecast",
        "--from-config",
        "--config",
        config,
        "--from",
        "2026-11-26T00:00:00Z",
        "--hours",
        "24",
        "--json",
      ],
      { env: creds, cwd: dir },
    );
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.waves).toHaveLength(1);
    expect(Object.keys(out.waves[0])).toEqual(
      expect.arrayContaining(["at", "calls", "digests", "services", "preview"]),
    );
    expect(out.waves[0]).toMatchObject({ at: "2026-11-26T13:00:00.000Z", calls: 12, digests: 2 });
    expect(out.waves[0].preview.blocks.length).toBeGreaterThan(0);
    const table = await runCliInProcess(
      ["notify", "forecast", "--from-config", "--config", config, "--from", "2026-11-26T00:00:00Z"],
      { env: creds, cwd: dir },
    );
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/Wave 1 at 2026-11-26 13:00Z: first of 2 digests \(best case\)/);
    expect(table.stdout).toMatch(/parallel/);
  });
});
