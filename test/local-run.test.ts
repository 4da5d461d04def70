// The local-run engine against a real SQS-protocol server (fauxqs, in-process) and the handler's
// real batch code: every message ends deleted after a digest, or (poison) in the DLQ.
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import type { SQSEvent } from "aws-lambda";
import { startSqs, type RunningEmulator } from "../tools/emulators.js";
import { runLocal, toLambdaRecord, type InvocationReport } from "../src/app/local-runner.js";
import { processBatch } from "../src/handler/process.js";
import { sampleEvents } from "../src/core/events/sample.js";
import type { SlackMessage } from "../src/core/digest/digest.js";
import { UsageError } from "../src/core/errors.js";
import { runCliInProcess } from "./support/run-cli.js";
import { endFauxqsLongPollsAtOnce, longPollsInVirtualTime, useVirtualTime } from "./support/virtual-time.js";

let sqs: RunningEmulator;
let client: SQSClient;
let n = 0;

beforeAll(async () => {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
  process.env.AWS_ACCESS_KEY_ID ??= "test";
  process.env.AWS_SECRET_ACCESS_KEY ??= "test";
  sqs = await startSqs();
  client = new SQSClient({ region: "us-east-1", endpoint: sqs.endpoint, useQueueUrlAsEndpoint: false });
});
afterAll(async () => {
  client?.destroy();
  await sqs?.stop();
});

async function makeQueue(opts: { visibility: number; maxReceiveCount?: number }) {
  const name = `q${++n}`;
  let redrive: Record<string, string> = {};
  let dlqUrl: string | undefined;
  if (opts.maxReceiveCount) {
    dlqUrl = (await client.send(new CreateQueueCommand({ QueueName: `${name}-dlq` }))).QueueUrl!;
    const { Attributes } = await client.send(
      new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ["QueueArn"] }),
    );
    redrive = {
      RedrivePolicy: JSON.stringify({
        deadLetterTargetArn: Attributes!.QueueArn,
        maxReceiveCount: opts.maxReceiveCount,
      }),
    };
  }
  const url = (
    await client.send(
      new CreateQueueCommand({
        QueueName: name,
        Attributes: { VisibilityTimeout: String(opts.visibility), ...redrive },
      }),
    )
  ).QueueUrl!;
  return { name, url, dlqUrl };
}

async function send(url: string, bodies: string[]): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < bodies.length; i += 10) {
    const res = await client.send(
      new SendMessageBatchCommand({
        QueueUrl: url,
        Entries: bodies.slice(i, i + 10).map((b, j) => ({ Id: String(j), MessageBody: b })),
      }),
    );
    ids.push(...(res.Successful ?? []).map((s) => s.MessageId!));
  }
  return ids;
}

async function depth(url: string) {
  const { Attributes: a = {} } = await client.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["All"] }),
  );
  return (
    Number(a.ApproximateNumberOfMessages) +
    Number(a.ApproximateNumberOfMessagesNotVisible) +
    Number(a.ApproximateNumberOfMessagesDelayed)
  );
}

/** The handler's own processBatch with a recording "Slack". */
function recordingHandler() {
  const posts: { message: SlackMessage; eventIds: string[] }[] = [];
  const batches: SQSEvent[] = [];
  return {
    posts,
    batches,
    invoke: async (event: SQSEvent, { deadline }: { deadline: number }) => {
      batches.push(event);
      const ids: string[] = [];
      for (const r of event.Records) {
        try {
          const id = (JSON.parse(r.body) as { detail?: { eventID?: string } }).detail?.eventID;
          if (id) ids.push(id);
        } catch {
          /* unreadable: the handler reports it */
        }
      }
      return processBatch(event, {
        deadline,
        timeZone: "UTC",
        post: async (message) => void posts.push({ message, eventIds: [...new Set(ids)] }),
      });
    },
  };
}

/** Windows, quiet periods, long polls and visibility timeouts pass in virtual time (support/virtual-time.ts). */
function virtual() {
  const clock = useVirtualTime();
  return { clock, client: longPollsInVirtualTime(client, clock) };
}

describe("local run engine on fauxqs", () => {
  it("N messages in: every one deleted after a digest, each event in exactly one digest", async () => {
    const q = await makeQueue({ visibility: 10 });
    const events = sampleEvents() as { detail: { eventID: string; requestParameters: { service: string } } }[];
    const ids = await send(
      q.url,
      events.map((e) => JSON.stringify(e)),
    );
    expect(ids).toHaveLength(events.length);
    const h = recordingHandler();
    const reports: InvocationReport[] = [];
    const result = await runLocal({
      ...virtual(),
      queue: q.name,
      settings: { batchSize: 10, windowMs: 1000 },
      handlerTimeoutMs: 5000,
      untilEmpty: true,
      invoke: h.invoke,
      onInvocation: (r) => reports.push(r),
    });
    expect(result.stoppedBy).toBe("empty");
    expect(result.summary.messages).toBe(events.length);
    expect(result.summary.failedRecords).toBe(0);
    expect(result.summary.dlq).toBeNull();
    // Batches never exceed BatchSize, and together hold every message exactly once.
    const delivered = h.batches.flatMap((b) => b.Records.map((r) => r.messageId));
    expect(delivered.sort()).toEqual([...ids].sort());
    expect(h.batches.every((b) => b.Records.length <= 10)).toBe(true);
    // The whole wave was queued before the run: full batches, then the rest when the window closes.
    const fullBatches = Math.floor(events.length / 10);
    expect(reports.map((r) => [r.records, r.trigger])).toEqual([
      ...Array.from({ length: fullBatches }, () => [10, "full"]),
      ...(events.length % 10 ? [[events.length % 10, "window"]] : []),
    ]);
    // One digest per batch; each event named in exactly one digest.
    expect(h.posts).toHaveLength(h.batches.length);
    expect(result.summary.digests).toBe(h.batches.length);
    const inDigests = h.posts.flatMap((p) => p.eventIds);
    expect(inDigests.sort()).toEqual(events.map((e) => e.detail.eventID).sort());
    for (const p of h.posts) expect(p.message.text.length).toBeGreaterThan(0);
    expect(await depth(q.url)).toBe(0);
  });

  it("25 messages at BatchSize 10 → 10/10/5 (full, full, window); BatchSize 25 gathers them in one invocation", async () => {
    const q = await makeQueue({ visibility: 10 });
    await send(
      q.url,
      Array.from({ length: 25 }, (_, i) => JSON.stringify({ i })),
    );
    const ok = async () => ({ response: { batchItemFailures: [] }, posted: true });
    const r10 = await runLocal({
      ...virtual(),
      queue: q.name,
      settings: { batchSize: 10, windowMs: 1000 },
      handlerTimeoutMs: 2000,
      untilEmpty: true,
      invoke: ok,
    });
    expect(r10.invocations.map((i) => [i.records, i.trigger])).toEqual([
      [10, "full"],
      [10, "full"],
      [5, "window"],
    ]);
    await send(
      q.url,
      Array.from({ length: 25 }, (_, i) => JSON.stringify({ i })),
    );
    const r25 = await runLocal({
      ...virtual(),
      queue: q.name,
      settings: { batchSize: 25, windowMs: 2000 },
      handlerTimeoutMs: 2000,
      untilEmpty: true,
      invoke: ok,
    });
    expect(r25.invocations.map((i) => [i.records, i.trigger])).toEqual([[25, "full"]]);
    expect(await depth(q.url)).toBe(0);
  });

  it("hands the function a Lambda-shaped SQS event", async () => {
    const q = await makeQueue({ visibility: 10 });
    const [body] = (sampleEvents() as object[]).map((e) => JSON.stringify(e));
    const [id] = await send(q.url, [body!]);
    const h = recordingHandler();
    await runLocal({
      ...virtual(),
      queue: q.url,
      settings: { batchSize: 10, windowMs: 1000 },
      handlerTimeoutMs: 2000,
      untilEmpty: true,
      invoke: h.invoke,
    });
    const rec = h.batches[0]!.Records[0]!;
    expect(rec).toMatchObject({
      messageId: id,
      body,
      eventSource: "aws:sqs",
      awsRegion: "us-east-1",
      attributes: { ApproximateReceiveCount: "1" },
    });
    expect(rec.eventSourceARN).toMatch(new RegExp(`^arn:aws:sqs:us-east-1:\\d+:${q.name}$`));
    expect(Number(rec.attributes.SentTimestamp)).toBeGreaterThan(0);
    expect(rec.receiptHandle.length).toBeGreaterThan(0);
    expect(rec.md5OfBody).toMatch(/^[0-9a-f]{32}$/);
  });

  it("a poison message is delivered maxReceiveCount times, then lands in the DLQ; nothing else is lost or repeated", async () => {
    const q = await makeQueue({ visibility: 2, maxReceiveCount: 2 });
    const events = (sampleEvents() as { detail: { eventID: string } }[]).slice(0, 12);
    const bodies = events.map((e) => JSON.stringify(e));
    bodies.splice(5, 0, "this is not JSON {");
    const ids = await send(q.url, bodies);
    const poisonId = ids[5]!;
    const h = recordingHandler();
    const result = await runLocal({
      ...virtual(),
      queue: q.name,
      settings: { batchSize: 10, windowMs: 1000 },
      handlerTimeoutMs: 1000,
      untilEmpty: true,
      invoke: h.invoke,
    });
    const poisonDeliveries = h.batches.flatMap((b) => b.Records).filter((r) => r.messageId === poisonId);
    expect(poisonDeliveries.map((r) => r.attributes.ApproximateReceiveCount)).toEqual(["1", "2"]);
    expect(result.summary.dlq).toBe(1);
    expect(result.summary.failedRecords).toBe(2);
    const dlq = await client.send(new ReceiveMessageCommand({ QueueUrl: q.dlqUrl!, MaxNumberOfMessages: 10 }));
    expect(dlq.Messages?.map((m) => m.Body)).toEqual(["this is not JSON {"]);
    // The readable ones: delivered once each, each event in exactly one digest.
    const others = h.batches.flatMap((b) => b.Records).filter((r) => r.messageId !== poisonId);
    expect(others.map((r) => r.messageId).sort()).toEqual(ids.filter((id) => id !== poisonId).sort());
    expect(h.posts.flatMap((p) => p.eventIds).sort()).toEqual(events.map((e) => e.detail.eventID).sort());
    expect(await depth(q.url)).toBe(0);
  });

  it("a duplicate delivery of one event is dropped from the digest when both copies share a batch", async () => {
    const q = await makeQueue({ visibility: 10 });
    const [e1, e2] = (sampleEvents() as object[]).map((e) => JSON.stringify(e));
    await send(q.url, [e1!, e2!, e1!]);
    const h = recordingHandler();
    const outcomes: number[] = [];
    await runLocal({
      ...virtual(),
      queue: q.name,
      settings: { batchSize: 10, windowMs: 1000 },
      handlerTimeoutMs: 2000,
      untilEmpty: true,
      invoke: async (ev, ctx) => {
        const o = await h.invoke(ev, ctx);
        outcomes.push(o.stats.duplicates);
        return o;
      },
    });
    expect(h.batches.map((b) => b.Records.length)).toEqual([3]);
    expect(outcomes).toEqual([1]);
    expect(h.posts).toHaveLength(1);
  });

  it("a handler that throws leaves the whole batch to reappear; it is delivered again and deleted", async () => {
    const q = await makeQueue({ visibility: 2 });
    const ids = await send(
      q.url,
      ["a", "b", "c"].map((x) => JSON.stringify({ x })),
    );
    let calls = 0;
    const seen: string[][] = [];
    const result = await runLocal({
      ...virtual(),
      queue: q.name,
      settings: { batchSize: 10, windowMs: 1000 },
      handlerTimeoutMs: 1000,
      untilEmpty: true,
      invoke: async (ev) => {
        seen.push(ev.Records.map((r) => r.messageId));
        if (++calls === 1) throw new Error("boom");
        return { response: { batchItemFailures: [] }, posted: true };
      },
    });
    expect(seen).toHaveLength(2);
    expect(seen[1]!.sort()).toEqual([...ids].sort());
    expect(result.invocations[0]).toMatchObject({ failures: 3, posted: false, error: "handler threw: boom" });
    expect(result.invocations[1]).toMatchObject({ failures: 0, posted: true });
    expect(await depth(q.url)).toBe(0);
  });

  it("cuts a batch at 6 MB: seven 1 MB messages at BatchSize 10 go as 6 (payload) + 1 (window)", async () => {
    const q = await makeQueue({ visibility: 30 });
    const bodies = Array.from({ length: 7 }, (_, i) => JSON.stringify({ i, pad: "x".repeat(1_000_000) }));
    // One SendMessage each: a batch send is capped at 1 MiB in total.
    const ids: string[] = [];
    for (const b of bodies)
      ids.push((await client.send(new SendMessageCommand({ QueueUrl: q.url, MessageBody: b }))).MessageId!);
    const sizes: number[] = [];
    const result = await runLocal({
      ...virtual(),
      queue: q.name,
      settings: { batchSize: 10, windowMs: 1000 },
      handlerTimeoutMs: 5000,
      untilEmpty: true,
      invoke: async (ev) => {
        sizes.push(Buffer.byteLength(JSON.stringify(ev)));
        return { response: { batchItemFailures: [] }, posted: true };
      },
    });
    expect(result.invocations.map((i) => [i.records, i.trigger])).toEqual([
      [6, "payload"],
      [1, "window"],
    ]);
    expect(sizes.every((s) => s <= 6 * 1024 * 1024)).toBe(true);
    expect(result.summary.messages).toBe(ids.length);
    expect(await depth(q.url)).toBe(0);
  });

  it("a handler that overruns --handler-timeout fails the whole batch, as a Lambda timeout does", async () => {
    const q = await makeQueue({ visibility: 3 });
    await send(q.url, [JSON.stringify({ slow: true })]);
    let calls = 0;
    const result = await runLocal({
      ...virtual(),
      queue: q.name,
      settings: { batchSize: 10, windowMs: 1000 },
      handlerTimeoutMs: 200,
      untilEmpty: true,
      invoke: async () => {
        // A real timer, as the runner's own limit is one: 200 ms always fires before 400 ms.
        if (++calls === 1) await new Promise((r) => setTimeout(r, 400));
        return { response: { batchItemFailures: [] }, posted: true };
      },
    });
    expect(result.invocations[0]).toMatchObject({
      records: 1,
      failures: 1,
      posted: false,
      error: "handler timed out after 0.2s",
    });
    expect(result.invocations[1]).toMatchObject({ records: 1, failures: 0, posted: true });
    expect(await depth(q.url)).toBe(0);
  });

  it("stops on request: a batch being gathered is made visible again at once", async () => {
    const q = await makeQueue({ visibility: 60 });
    await send(
      q.url,
      ["1", "2", "3"].map((x) => JSON.stringify({ x })),
    );
    // Nothing else arrives: the runner's long polls end at once, so the stop is seen without a 1 s wait.
    onTestFinished(await endFauxqsLongPollsAtOnce());
    const controller = new AbortController();
    let invoked = 0;
    const run = runLocal({
      client,
      queue: q.name,
      settings: { batchSize: 10, windowMs: 30_000 },
      handlerTimeoutMs: 5000,
      signal: controller.signal,
      maxPollSeconds: 1,
      invoke: async () => {
        invoked++;
        return { response: { batchItemFailures: [] }, posted: true };
      },
    });
    // Wait until the three are held (in flight), then stop.
    for (let i = 0; i < 50; i++) {
      const { Attributes: a = {} } = await client.send(
        new GetQueueAttributesCommand({ QueueUrl: q.url, AttributeNames: ["ApproximateNumberOfMessagesNotVisible"] }),
      );
      if (a.ApproximateNumberOfMessagesNotVisible === "3") break;
      await new Promise((r) => setTimeout(r, 100));
    }
    controller.abort();
    const result = await run;
    expect(invoked).toBe(0);
    expect(result.stoppedBy).toBe("signal");
    expect(result.released).toBe(3);
    const again = await client.send(
      new ReceiveMessageCommand({ QueueUrl: q.url, MaxNumberOfMessages: 10, VisibilityTimeout: 0 }),
    );
    expect(again.Messages).toHaveLength(3);
  });

  it("refuses a queue whose visibility timeout is shorter than window + handler timeout", async () => {
    const q = await makeQueue({ visibility: 5 });
    const run = runLocal({
      client,
      queue: q.name,
      settings: { batchSize: 10, windowMs: 5000 },
      handlerTimeoutMs: 3000,
      untilEmpty: true,
      invoke: async () => ({ response: null, posted: false }),
    });
    await expect(run).rejects.toThrow(UsageError);
    await expect(run).rejects.toThrow(
      /visibility timeout \(5s\) is shorter than window \+ handler timeout \(5s \+ 3s\)/,
    );
  });

  it("maps SQS message attributes the way Lambda presents them", () => {
    const rec = toLambdaRecord(
      {
        MessageId: "m",
        ReceiptHandle: "r",
        Body: "{}",
        MD5OfBody: "x",
        Attributes: { ApproximateReceiveCount: "3", SentTimestamp: "1700000000000" },
        MessageAttributes: { k: { DataType: "String", StringValue: "v" } },
      },
      { arn: "arn:aws:sqs:eu-west-1:123456789012:q", region: "eu-west-1" },
    );
    expect(rec.attributes.ApproximateReceiveCount).toBe("3");
    expect(rec.messageAttributes.k).toEqual({
      dataType: "String",
      stringValue: "v",
      stringListValues: [],
      binaryListValues: [],
    });
    expect(rec.awsRegion).toBe("eu-west-1");
  });
});

describe("local run options", () => {
  it("names DIGEST_TIMEZONE, not --timezone, when the bad zone came from the environment", async () => {
    const env = {
      DIGEST_TIMEZONE: "Mars/Olympus",
      AWS_ACCESS_KEY_ID: "test",
      AWS_SECRET_ACCESS_KEY: "test",
      AWS_REGION: "us-east-1",
    };
    const r = await runCliInProcess(["local", "run", "--queue", "q", "--endpoint-url", "http://127.0.0.1:9"], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: DIGEST_TIMEZONE: unknown time zone "Mars\/Olympus"/m);
    const flag = await runCliInProcess(
      ["local", "run", "--queue", "q", "--endpoint-url", "http://127.0.0.1:9", "--timezone", "Mars/Olympus"],
      { env },
    );
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(/^error: --timezone: unknown time zone "Mars\/Olympus"/m);
  });
});
