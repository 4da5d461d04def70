// `notify dry-run --from-queue` peeks exactly as `queue peek` does: the same receives (hold, long poll, count)
// against the same queue, run in-process against fauxqs.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { startSqs, type RunningEmulator } from "../tools/emulators.js";

// Every ReceiveMessage the CLI sends, recorded on the way through (the real send still runs).
const send = vi.spyOn(SQSClient.prototype, "send");
const receives = () =>
  send.mock.calls
    .map(([cmd]) => cmd)
    .filter((cmd) => cmd instanceof ReceiveMessageCommand)
    .map((cmd) => cmd.input);

const { runCliInProcess } = await import("./support/run-cli.js");

describe("queue peek and notify dry-run --from-queue share one peek", () => {
  let sqs: RunningEmulator;
  const name = "parity-events";
  const saved = { ...process.env };
  beforeAll(async () => {
    sqs = await startSqs();
    Object.assign(process.env, {
      AWS_ACCESS_KEY_ID: "test",
      AWS_SECRET_ACCESS_KEY: "test",
      AWS_REGION: "us-east-1",
      NO_COLOR: "1",
    });
    const client = new SQSClient({
      region: "us-east-1",
      endpoint: sqs.endpoint,
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
    });
    const dlq = (await client.send(new CreateQueueCommand({ QueueName: `${name}-dlq` }))).QueueUrl!;
    const dlqArn = (await client.send(new GetQueueAttributesCommand({ QueueUrl: dlq, AttributeNames: ["QueueArn"] })))
      .Attributes!.QueueArn!;
    const url = (
      await client.send(
        new CreateQueueCommand({
          QueueName: name,
          Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 4 }) },
        }),
      )
    ).QueueUrl!;
    // As many messages as --max: each peek stops when it has them all, without a last long poll.
    const Entries = Array.from({ length: 5 }, (_, i) => ({ Id: `m${i}`, MessageBody: `not an event ${i}` }));
    await client.send(new SendMessageBatchCommand({ QueueUrl: url, Entries }));
  });
  afterAll(async () => {
    process.env = saved;
    process.exitCode = undefined;
    await sqs?.stop();
  });

  it("sends the same ReceiveMessage requests", async () => {
    const common = ["--queue", name, "--endpoint-url", sqs.endpoint, "--max", "5", "--json"];
    send.mockClear();
    expect((await runCliInProcess(["queue", "peek", ...common])).code).toBe(0);
    const peek = receives();
    send.mockClear();
    expect((await runCliInProcess(["notify", "dry-run", "--from-queue", ...common])).code).toBe(0);
    const live = receives();
    expect(peek.length).toBeGreaterThan(0);
    expect(live).toEqual(peek);
    expect(peek[0]).toMatchObject({ WaitTimeSeconds: 2, VisibilityTimeout: 15 });
  });
});
