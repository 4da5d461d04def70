import { readFileSync } from "node:fs";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { mockClient } from "aws-sdk-client-mock";
import {
  ChangeMessageVisibilityBatchCommand,
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { parseQueueArg, parseRedrive, queueStats, resolveQueue } from "../src/adapters/aws/sqs.js";
import {
  HOLD_SECONDS,
  PeekInterrupted,
  peekMessages,
  peekSummary,
  peekWarnings,
} from "../src/adapters/aws/sqs-peek.js";
import { startSqs, type RunningEmulator } from "../tools/emulators.js";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCliInProcess } from "./support/run-cli.js";

const lambdaEvent = JSON.parse(readFileSync(new URL("./fixtures/sqs-lambda-event.json", import.meta.url), "utf8")) as {
  Records: { body: string; messageId: string }[];
};
const body = lambdaEvent.Records[0]!.body;

describe("queue arguments", () => {
  it("takes a name, a URL or an ARN", () => {
    expect(parseQueueArg("traildigest-events")).toEqual({ kind: "name", name: "traildigest-events" });
    expect(parseQueueArg("https://sqs.ap-northeast-2.amazonaws.com/123456789012/q1")).toMatchObject({
      kind: "url",
      name: "q1",
      region: "ap-northeast-2",
      account: "123456789012",
    });
    expect(parseQueueArg("arn:aws:sqs:us-west-2:123456789012:q2-dlq")).toEqual({
      kind: "arn",
      name: "q2-dlq",
      region: "us-west-2",
      account: "123456789012",
    });
    expect(() => parseQueueArg("not a queue!")).toThrow(/not a queue name, URL or ARN/);
  });

  it("reads the redrive policy", () => {
    expect(parseRedrive('{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:1:dlq","maxReceiveCount":"5"}')).toEqual({
      dlqArn: "arn:aws:sqs:us-east-1:1:dlq",
      maxReceiveCount: 5,
    });
    expect(parseRedrive(undefined)).toBeNull();
    expect(parseRedrive("{bad")).toBeNull();
  });
});

describe("peek (aws-sdk-client-mock)", () => {
  const sqs = mockClient(SQSClient);
  afterEach(() => sqs.reset());
  // mockClient(SQSClient) stubs every instance: restore it before the fauxqs tests below.
  afterAll(() => sqs.restore());
  const msg = (id: string, count: number, b = body) => ({
    MessageId: id,
    ReceiptHandle: `rh-${id}-${count}`,
    Body: b,
    Attributes: { ApproximateReceiveCount: String(count), SentTimestamp: "1764162000000" },
  });

  const client = () => new SQSClient({ region: "us-east-1" });
  const released = () =>
    sqs
      .commandCalls(ChangeMessageVisibilityBatchCommand)
      .flatMap((c) => c.args[0].input.Entries!.map((e) => e.ReceiptHandle));
  const releaseAll = () =>
    sqs.on(ChangeMessageVisibilityBatchCommand).callsFake((input: { Entries: { Id: string }[] }) => ({
      Successful: input.Entries.map((e) => ({ Id: e.Id })),
      Failed: [],
    }));

  it("receives each message once under a short hold, lists it once, releases every held message, never deletes", async () => {
    releaseAll();
    sqs
      .on(ReceiveMessageCommand)
      .resolvesOnce({ Messages: [msg("a", 1), msg("b", 1)] })
      .resolvesOnce({ Messages: [msg("c", 1, "plain text")] })
      .resolves({ Messages: [] });
    const r = await peekMessages(client(), "http://q", { max: 10, waitSeconds: 2, maxReceiveCount: 5 });
    expect(r.messages.map((m) => m.messageId)).toEqual(["a", "b", "c"]);
    expect(r).toMatchObject({
      receives: 3,
      receivesSpent: 3,
      held: 3,
      released: 3,
      releaseFailed: 0,
      requeued: [],
      atEdge: [],
    });
    const c = r.messages.find((m) => m.messageId === "c")!;
    expect(c.event).toBeNull();
    expect(c.body).toBe("plain text");
    const a = r.messages[0]!;
    expect(a.event).toMatchObject({ eventName: "UpdateService", messageId: "a" });
    expect(a.sentAt).toBe("2025-11-26T13:00:00.000Z");
    for (const call of sqs.commandCalls(ReceiveMessageCommand)) {
      expect(call.args[0].input).toMatchObject({
        QueueUrl: "http://q",
        VisibilityTimeout: HOLD_SECONDS,
        WaitTimeSeconds: 2,
      });
      expect(call.args[0].input.MaxNumberOfMessages).toBeLessThanOrEqual(10);
    }
    expect(released().sort()).toEqual(["rh-a-1", "rh-b-1", "rh-c-1"]);
    expect(sqs.commandCalls(ChangeMessageVisibilityBatchCommand)[0]!.args[0].input.Entries![0]!.VisibilityTimeout).toBe(
      0,
    );
    expect(sqs.commandCalls(DeleteMessageCommand)).toHaveLength(0);
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(0);
    expect(peekSummary(r)).toBe(
      "this peek spent 3 receives on 3 messages (3 ReceiveMessage calls); held 3 for up to 15 s and released 3",
    );
  });

  it("lists all 25 of 25 messages and releases them in batches of ten", async () => {
    releaseAll();
    const ids = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => msg(`m${from + i}`, 1));
    sqs
      .on(ReceiveMessageCommand)
      .resolvesOnce({ Messages: ids(0, 10) })
      .resolvesOnce({ Messages: ids(10, 20) })
      .resolvesOnce({ Messages: ids(20, 25) })
      .resolves({ Messages: [] });
    const r = await peekMessages(client(), "http://q", { max: 50, waitSeconds: 0, maxReceiveCount: 5 });
    expect(r.messages).toHaveLength(25);
    expect(r.receivesSpent).toBe(25);
    expect(r.released).toBe(25);
    expect(sqs.commandCalls(ChangeMessageVisibilityBatchCommand).map((c) => c.args[0].input.Entries!.length)).toEqual([
      10, 10, 5,
    ]);
  });

  it("stops at --max distinct messages and still releases a message SQS returned beyond it", async () => {
    releaseAll();
    sqs
      .on(ReceiveMessageCommand)
      .resolvesOnce({ Messages: [msg("a", 1), msg("b", 1), msg("c", 1)] })
      .resolves({ Messages: [] });
    const r = await peekMessages(client(), "http://q", { max: 2, waitSeconds: 0, maxReceiveCount: 5 });
    expect(r.messages.map((m) => m.messageId)).toEqual(["a", "b"]);
    expect(sqs.commandCalls(ReceiveMessageCommand)[0]!.args[0].input.MaxNumberOfMessages).toBe(2);
    expect(released().sort()).toEqual(["rh-a-1", "rh-b-1", "rh-c-1"]);
  });

  it("a message whose hold ran out and came back counts as one more receive spent, listed once", async () => {
    releaseAll();
    sqs
      .on(ReceiveMessageCommand)
      .resolvesOnce({ Messages: [msg("a", 1)] })
      .resolvesOnce({ Messages: [msg("a", 2), msg("b", 1)] })
      .resolves({ Messages: [] });
    const r = await peekMessages(client(), "http://q", { max: 10, waitSeconds: 1, maxReceiveCount: 5 });
    expect(r.messages.map((m) => [m.messageId, m.receiveCount])).toEqual([
      ["a", 2],
      ["b", 1],
    ]);
    expect(r.receivesSpent).toBe(3);
    expect(released().sort()).toEqual(["rh-a-2", "rh-b-1"]); // the newest handle
  });

  it("re-queues a fresh copy of a message left with fewer than 2 receives for the consumer, then deletes the original", async () => {
    releaseAll();
    const attrs = { source: { DataType: "String", StringValue: "eventbridge" } };
    sqs
      .on(ReceiveMessageCommand)
      .resolvesOnce({ Messages: [msg("a", 1), { ...msg("z", 4), MessageAttributes: attrs }] })
      .resolves({ Messages: [] });
    sqs.on(SendMessageCommand).resolves({ MessageId: "z2" });
    sqs.on(DeleteMessageCommand).resolves({});
    const r = await peekMessages(client(), "http://q", { max: 10, waitSeconds: 1, maxReceiveCount: 5 });
    expect(r.requeued).toEqual([{ messageId: "z", newMessageId: "z2", receiveCount: 4 }]);
    expect(sqs.commandCalls(SendMessageCommand)[0]!.args[0].input).toEqual({
      QueueUrl: "http://q",
      MessageBody: body,
      MessageAttributes: attrs,
    });
    expect(sqs.commandCalls(DeleteMessageCommand)[0]!.args[0].input).toEqual({
      QueueUrl: "http://q",
      ReceiptHandle: "rh-z-4",
    });
    expect(released()).toEqual(["rh-a-1"]);
    const w = peekWarnings(r, 5, false);
    expect(w[0]).toContain("re-queued 1 message as a fresh copy (receive count 0)");
  });

  it("--no-requeue leaves the message, releases it and says it is at the edge", async () => {
    releaseAll();
    sqs
      .on(ReceiveMessageCommand)
      .resolvesOnce({ Messages: [msg("z", 4)] })
      .resolves({ Messages: [] });
    const r = await peekMessages(client(), "http://q", { max: 10, waitSeconds: 1, maxReceiveCount: 5, requeue: false });
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(0);
    expect(released()).toEqual(["rh-z-4"]);
    expect(peekWarnings(r, 5, false)[1]).toMatch(
      /message z was received 4\/5 times and not re-queued \(--no-requeue\)/,
    );
  });

  it("releases what it holds when a receive fails, and on Ctrl-C (abort)", async () => {
    releaseAll();
    sqs
      .on(ReceiveMessageCommand)
      .resolvesOnce({ Messages: [msg("a", 1)] })
      .rejects(new Error("throttled"));
    await expect(peekMessages(client(), "http://q", { max: 10, waitSeconds: 0, maxReceiveCount: 5 })).rejects.toThrow(
      "throttled",
    );
    expect(released()).toEqual(["rh-a-1"]);
    sqs.reset();
    releaseAll();
    const ctl = new AbortController();
    sqs.on(ReceiveMessageCommand).callsFakeOnce(() => {
      ctl.abort(new Error("interrupted"));
      return { Messages: [msg("a", 1)] };
    });
    const err = await peekMessages(client(), "http://q", {
      max: 10,
      waitSeconds: 0,
      maxReceiveCount: 5,
      signal: ctl.signal,
    }).catch((e) => e);
    expect(err).toBeInstanceOf(PeekInterrupted);
    expect(err.message).toMatch(/^interrupted: this peek spent 1 receive on 1 message .* released 1$/);
    expect(released()).toEqual(["rh-a-1"]);
  });

  it("counts a release that fails: those messages are visible again when the hold ends", async () => {
    sqs
      .on(ReceiveMessageCommand)
      .resolvesOnce({ Messages: [msg("a", 1), msg("b", 1)] })
      .resolves({ Messages: [] });
    sqs.on(ChangeMessageVisibilityBatchCommand).resolves({
      Successful: [{ Id: "0" }],
      Failed: [{ Id: "1", Code: "ReceiptHandleIsInvalid", SenderFault: true }],
    });
    const r = await peekMessages(client(), "http://q", { max: 10, waitSeconds: 1, maxReceiveCount: 5 });
    expect(r).toMatchObject({ released: 1, releaseFailed: 1 });
    expect(peekSummary(r)).toContain("1 not released (visible again within 15 s)");
  });

  it("resolves names with GetQueueUrl and reports a missing queue as a usage error", async () => {
    sqs.on(GetQueueUrlCommand, { QueueName: "q" }).resolves({ QueueUrl: "https://sqs.us-east-1.amazonaws.com/1/q" });
    const missing = Object.assign(new Error("The specified queue does not exist."), { name: "QueueDoesNotExist" });
    sqs.on(GetQueueUrlCommand, { QueueName: "nope" }).rejects(missing);
    const client = new SQSClient({ region: "us-east-1" });
    expect(await resolveQueue(client, "q")).toEqual({ url: "https://sqs.us-east-1.amazonaws.com/1/q", name: "q" });
    await expect(resolveQueue(client, "nope")).rejects.toMatchObject({
      kind: "input",
      message: expect.stringContaining('"nope" does not exist'),
    });
    sqs
      .on(GetQueueUrlCommand, { QueueName: "dlq", QueueOwnerAWSAccountId: "123456789012" })
      .resolves({ QueueUrl: "u-dlq" });
    expect((await resolveQueue(client, "arn:aws:sqs:us-east-1:123456789012:dlq")).url).toBe("u-dlq");
  });

  it("reads counts, redrive and the DLQ's counts", async () => {
    sqs.on(GetQueueAttributesCommand, { QueueUrl: "u-main" }).resolves({
      Attributes: {
        QueueArn: "arn:aws:sqs:us-east-1:123456789012:main",
        ApproximateNumberOfMessages: "3",
        ApproximateNumberOfMessagesNotVisible: "7",
        ApproximateNumberOfMessagesDelayed: "0",
        VisibilityTimeout: "480",
        MessageRetentionPeriod: "345600",
        RedrivePolicy: '{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:123456789012:main-dlq","maxReceiveCount":5}',
      },
    });
    sqs.on(GetQueueUrlCommand, { QueueName: "main-dlq" }).resolves({ QueueUrl: "u-dlq" });
    sqs.on(GetQueueAttributesCommand, { QueueUrl: "u-dlq" }).resolves({
      Attributes: { QueueArn: "arn:aws:sqs:us-east-1:123456789012:main-dlq", ApproximateNumberOfMessages: "2" },
    });
    const s = await queueStats(new SQSClient({ region: "us-east-1" }), { url: "u-main", name: "main" });
    expect(s).toEqual({
      queue: {
        url: "u-main",
        arn: "arn:aws:sqs:us-east-1:123456789012:main",
        visible: 3,
        inFlight: 7,
        delayed: 0,
        visibilityTimeout: 480,
        retentionSeconds: 345600,
        redrive: { dlqArn: "arn:aws:sqs:us-east-1:123456789012:main-dlq", maxReceiveCount: 5 },
      },
      dlq: {
        url: "u-dlq",
        arn: "arn:aws:sqs:us-east-1:123456789012:main-dlq",
        visible: 2,
        inFlight: 0,
        delayed: 0,
        visibilityTimeout: null,
        retentionSeconds: null,
        redrive: null,
      },
    });
  });
});

describe("peek against fauxqs (in process)", () => {
  let sqsServer: RunningEmulator;
  beforeAll(async () => {
    sqsServer = await startSqs();
  });
  afterAll(async () => sqsServer?.stop());

  it("leaves every message in the queue and visible, each received once per peek", async () => {
    const client = new SQSClient({
      region: "us-east-1",
      endpoint: sqsServer.endpoint,
      useQueueUrlAsEndpoint: false,
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
    });
    const { QueueUrl } = await client.send(new CreateQueueCommand({ QueueName: "peek-unit" }));
    for (let i = 0; i < 4; i++) await client.send(new SendMessageCommand({ QueueUrl, MessageBody: body }));
    const r = await peekMessages(client, QueueUrl!, { max: 10, waitSeconds: 0, maxReceiveCount: null });
    expect(r.messages).toHaveLength(4);
    expect(r.messages.every((m) => m.event?.eventName === "UpdateService")).toBe(true);
    expect(r).toMatchObject({ receivesSpent: 4, released: 4 });
    const attrs = await client.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["All"] }));
    expect(attrs.Attributes!.ApproximateNumberOfMessages).toBe("4");
    const again = await peekMessages(client, QueueUrl!, { max: 10, waitSeconds: 0, maxReceiveCount: null });
    expect(again.messages.map((m) => m.messageId).sort()).toEqual(r.messages.map((m) => m.messageId).sort());
    expect(again.messages.map((m) => m.receiveCount)).toEqual([2, 2, 2, 2]);
  });

  it("takes the queue from the config file when --queue is not given", async () => {
    const client = new SQSClient({
      region: "us-east-1",
      endpoint: sqsServer.endpoint,
      useQueueUrlAsEndpoint: false,
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
    });
    await client.send(new CreateQueueCommand({ QueueName: "from-config" }));
    const dir = mkdtempSync(join(tmpdir(), "td-queue-"));
    writeFileSync(
      join(dir, "traildigest.config.json"),
      JSON.stringify({ region: "us-east-1", queue: { name: "from-config" } }),
    );
    // The config file's region is last in the chain (docs/operator-contract.md): no env region here.
    const env = {
      AWS_ACCESS_KEY_ID: "test",
      AWS_SECRET_ACCESS_KEY: "test",
      AWS_REGION: undefined,
      AWS_DEFAULT_REGION: undefined,
      AWS_PROFILE: undefined,
      AWS_CONFIG_FILE: join(dir, "no-such-aws-config"),
    };
    const r = await runCliInProcess(["queue", "stats", "--endpoint-url", sqsServer.endpoint, "--json"], {
      cwd: dir,
      env,
    });
    expect(r.code).toBe(0);
    const d = JSON.parse(r.stdout);
    expect(d.queue.url).toMatch(/from-config$/);
    expect(d.dlq).toBeNull();
    expect(r.stderr).toContain("no redrive policy");

    const none = await runCliInProcess(["queue", "peek", "--endpoint-url", sqsServer.endpoint], {
      cwd: mkdtempSync(join(tmpdir(), "td-noconf-")),
      env,
    });
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("--queue is required");
  });
});
