import { readFileSync } from "node:fs";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { mockClient } from "aws-sdk-client-mock";
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { parseQueueArg, parseRedrive, peekMessages, peekWarnings, queueStats, resolveQueue, toPeeked } from "../src/lib/queue.js";
import { startSqs, type RunningEmulator } from "../tools/emulators.js";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "./support/run-cli.js";

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

  it("receives with VisibilityTimeout 0 until nothing new, lists each message once, never deletes", async () => {
    sqs
      .on(ReceiveMessageCommand)
      .resolvesOnce({ Messages: [msg("a", 1), msg("b", 1)] })
      .resolvesOnce({ Messages: [msg("a", 2), msg("c", 1, "plain text")] })
      .resolvesOnce({ Messages: [msg("b", 2), msg("c", 2)] })
      .resolves({ Messages: [msg("d", 1)] });
    const r = await peekMessages(new SQSClient({ region: "us-east-1" }), "http://q", { max: 10, waitSeconds: 2 });
    expect(r.messages.map((m) => m.messageId)).toEqual(["a", "b", "c"]);
    expect(r.receives).toBe(3);
    expect(r.messages.find((m) => m.messageId === "a")!.receiveCount).toBe(2);
    const c = r.messages.find((m) => m.messageId === "c")!;
    expect(c.event).toBeNull();
    expect(c.body).toBe("plain text");
    const a = r.messages[0]!;
    expect(a.event).toMatchObject({ eventName: "UpdateService", messageId: "a" });
    expect(a.sentAt).toBe("2025-11-26T13:00:00.000Z");
    for (const call of sqs.commandCalls(ReceiveMessageCommand)) {
      expect(call.args[0].input).toMatchObject({
        QueueUrl: "http://q",
        VisibilityTimeout: 0,
        WaitTimeSeconds: 2,
        MessageSystemAttributeNames: ["All"],
      });
      expect(call.args[0].input.MaxNumberOfMessages).toBeLessThanOrEqual(10);
    }
    expect(sqs.commandCalls(DeleteMessageCommand)).toHaveLength(0);
  });

  it("spends no second receive when it has already seen as many messages as the queue held", async () => {
    sqs.on(ReceiveMessageCommand).resolves({ Messages: [msg("a", 1), msg("b", 1)] });
    const r = await peekMessages(new SQSClient({ region: "us-east-1" }), "http://q", { max: 10, waitSeconds: 2, knownVisible: 2 });
    expect(r.messages).toHaveLength(2);
    expect(r.receives).toBe(1);
  });

  it("stops at --max distinct messages", async () => {
    sqs.on(ReceiveMessageCommand).resolvesOnce({ Messages: [msg("a", 1), msg("b", 1), msg("c", 1)] }).resolves({ Messages: [] });
    const r = await peekMessages(new SQSClient({ region: "us-east-1" }), "http://q", { max: 2, waitSeconds: 0 });
    expect(r.messages.map((m) => m.messageId)).toEqual(["a", "b"]);
    expect(sqs.commandCalls(ReceiveMessageCommand)[0]!.args[0].input.MaxNumberOfMessages).toBe(2);
  });

  it("--max above 10 keeps receiving past a receive that repeats the first batch, skipping messages already seen", async () => {
    const ids = (from: number, to: number, count: number) => Array.from({ length: to - from }, (_, i) => msg(`m${from + i}`, count));
    sqs
      .on(ReceiveMessageCommand)
      .resolvesOnce({ Messages: ids(0, 10, 1) })
      .resolvesOnce({ Messages: ids(0, 10, 2) }) // VisibilityTimeout 0: the same ten again
      .resolvesOnce({ Messages: ids(10, 20, 1) })
      .resolvesOnce({ Messages: ids(20, 25, 1) })
      .resolves({ Messages: ids(0, 10, 3) });
    const r = await peekMessages(new SQSClient({ region: "us-east-1" }), "http://q", { max: 25, waitSeconds: 0 });
    expect(r.messages.map((m) => m.messageId)).toEqual(ids(0, 25, 1).map((m) => m.MessageId));
    expect(r.receives).toBe(4);
    expect(r.messages[0]!.receiveCount).toBe(2);
  });

  it("gives up after two receives in a row bring nothing new, and after ceil(max/10)+2 receives", async () => {
    sqs.on(ReceiveMessageCommand).resolvesOnce({ Messages: [msg("a", 1)] }).resolves({ Messages: [msg("a", 2)] });
    const stale = await peekMessages(new SQSClient({ region: "us-east-1" }), "http://q", { max: 50, waitSeconds: 0 });
    expect(stale.messages.map((m) => m.messageId)).toEqual(["a"]);
    expect(stale.receives).toBe(3);
    sqs.reset();
    let k = 0;
    sqs.on(ReceiveMessageCommand).callsFake(() => ({ Messages: [msg(`n${k++}`, 1)] }));
    const bounded = await peekMessages(new SQSClient({ region: "us-east-1" }), "http://q", { max: 25, waitSeconds: 0 });
    expect(bounded.receives).toBe(5);
    expect(bounded.messages).toHaveLength(5);
  });

  it("warns that receives are spent, and louder for a message one receive from the DLQ", () => {
    const ms = [toPeeked(msg("a", 1)), toPeeked(msg("z", 4))];
    const w = peekWarnings(ms, 5, false);
    expect(w[0]).toMatch(/no true peek: each receive spends one of every returned message's maxReceiveCount \(5\)/);
    expect(peekWarnings(ms, 5, false, 3)[0]).toContain("this peek made 3 receives");
    expect(w[1]).toMatch(/1 message is one receive or less from the DLQ \(received 4\/5\).*z/);
    expect(peekWarnings([toPeeked(msg("a", 1))], 5, false)).toHaveLength(1);
  });

  it("resolves names with GetQueueUrl and reports a missing queue as a usage error", async () => {
    sqs.on(GetQueueUrlCommand, { QueueName: "q" }).resolves({ QueueUrl: "https://sqs.us-east-1.amazonaws.com/1/q" });
    const missing = Object.assign(new Error("The specified queue does not exist."), { name: "QueueDoesNotExist" });
    sqs.on(GetQueueUrlCommand, { QueueName: "nope" }).rejects(missing);
    const client = new SQSClient({ region: "us-east-1" });
    expect(await resolveQueue(client, "q")).toEqual({ url: "https://sqs.us-east-1.amazonaws.com/1/q", name: "q" });
    await expect(resolveQueue(client, "nope")).rejects.toMatchObject({ exitCode: 2, message: expect.stringContaining('"nope" does not exist') });
    sqs.on(GetQueueUrlCommand, { QueueName: "dlq", QueueOwnerAWSAccountId: "123456789012" }).resolves({ QueueUrl: "u-dlq" });
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

  it("leaves every message in the queue", async () => {
    const client = new SQSClient({
      region: "us-east-1",
      endpoint: sqsServer.endpoint,
      useQueueUrlAsEndpoint: false,
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
    });
    const { QueueUrl } = await client.send(new CreateQueueCommand({ QueueName: "peek-unit" }));
    for (let i = 0; i < 4; i++) await client.send(new SendMessageCommand({ QueueUrl, MessageBody: body }));
    const r = await peekMessages(client, QueueUrl!, { max: 10, waitSeconds: 0 });
    expect(r.messages).toHaveLength(4);
    expect(r.messages.every((m) => m.event?.eventName === "UpdateService")).toBe(true);
    const attrs = await client.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["All"] }));
    // fauxqs counts a VisibilityTimeout-0 message as in flight until its next receive sweeps it back.
    const a = attrs.Attributes!;
    expect(Number(a.ApproximateNumberOfMessages) + Number(a.ApproximateNumberOfMessagesNotVisible)).toBe(4);
    const again = await peekMessages(client, QueueUrl!, { max: 10, waitSeconds: 0 });
    expect(again.messages.map((m) => m.messageId).sort()).toEqual(r.messages.map((m) => m.messageId).sort());
    expect(again.messages.every((m) => (m.receiveCount ?? 0) >= 2)).toBe(true);
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
    writeFileSync(join(dir, "traildigest.config.json"), JSON.stringify({ region: "us-east-1", queue: { name: "from-config" } }));
    // The config file's region is last in the chain (docs/operator-contract.md): no env region here.
    const env = { AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test", AWS_REGION: undefined, AWS_DEFAULT_REGION: undefined, AWS_PROFILE: undefined, AWS_CONFIG_FILE: join(dir, "no-such-aws-config") };
    const r = await runCli(["queue", "stats", "--endpoint-url", sqsServer.endpoint, "--json"], { cwd: dir, env });
    expect(r.code).toBe(0);
    const d = JSON.parse(r.stdout);
    expect(d.queue.url).toMatch(/from-config$/);
    expect(d.dlq).toBeNull();
    expect(r.stderr).toContain("no redrive policy");

    const none = await runCli(["queue", "peek", "--endpoint-url", sqsServer.endpoint], { cwd: mkdtempSync(join(tmpdir(), "td-noconf-")), env });
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("--queue is required");
  });
});
