// The SQS calls of a consumer (`local run` plays the event source mapping): describe the queue and its
// DLQ, read its depth, receive, delete and release. Queue names and redrive policies are parsed by
// sqs.ts, the one reader of both; every call here maps a missing queue or an AWS error to one line.
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  type Message,
  type QueueAttributeName,
} from "@aws-sdk/client-sqs";
import { ServiceError, UsageError } from "../../core/errors.js";
import { queueArn, queueNameFromArn } from "../../core/aws/arn.js";
import { isMissingQueue, translateAwsError } from "./errors.js";
import { parseQueueArg, parseRedrive } from "./sqs.js";

/** What a consumer needs of an SQSClient (an SQSClient is one). */
export interface SqsSender {
  send(command: any, options?: { abortSignal?: AbortSignal }): Promise<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export interface QueueInfo {
  url: string;
  arn: string;
  region: string;
  visibilityTimeoutMs: number;
  dlq: { arn: string; url: string; maxReceiveCount: number } | null;
}

/** SQS takes at most 10 entries per batch call and 10 messages per receive. */
export const SQS_BATCH_MAX = 10;

async function call<T>(client: SqsSender, command: unknown, what: string): Promise<T> {
  try {
    return (await client.send(command)) as T;
  } catch (err) {
    const e = err as { name?: string; message?: string };
    if (isMissingQueue(err)) {
      throw new UsageError(`${what}: the queue does not exist`, { cause: err });
    }
    throw (
      translateAwsError(err) ??
      new ServiceError(`SQS ${what} failed: ${e?.name ?? "error"}: ${(e?.message ?? String(err)).split("\n")[0]}`, {
        cause: err,
      })
    );
  }
}

const queueNameOf = (arnOrUrl: string): string => arnOrUrl.split(/[:/]/).pop() ?? arnOrUrl;

function chunks<T>(xs: T[], n: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n));
  return out;
}

async function queueUrlOf(client: SqsSender, name: string, account: string | undefined, what: string): Promise<string> {
  const command = new GetQueueUrlCommand({ QueueName: name, ...(account ? { QueueOwnerAWSAccountId: account } : {}) });
  return (await call<{ QueueUrl: string }>(client, command, what)).QueueUrl;
}

/** Resolve the queue (name, URL or ARN) and read what the rules need: visibility timeout, ARN, redrive policy. */
export async function describeQueue(client: SqsSender, queue: string): Promise<QueueInfo> {
  const p = parseQueueArg(queue);
  const url = p.url ?? (await queueUrlOf(client, p.name, p.account, `GetQueueUrl ${p.name}`));
  const { Attributes: a = {} } = await call<{ Attributes?: Record<string, string> }>(
    client,
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["All"] }),
    "GetQueueAttributes",
  );
  const arn = a.QueueArn ?? queueArn({ region: "us-east-1", account: "000000000000" }, queueNameOf(url));
  const redrive = parseRedrive(a.RedrivePolicy);
  const dlq = redrive
    ? {
        arn: redrive.dlqArn,
        url: await queueUrlOf(
          client,
          queueNameFromArn(redrive.dlqArn) ?? queueNameOf(redrive.dlqArn),
          undefined,
          "GetQueueUrl (DLQ)",
        ),
        maxReceiveCount: redrive.maxReceiveCount,
      }
    : null;
  return {
    url,
    arn,
    region: arn.split(":")[3] || "us-east-1",
    visibilityTimeoutMs: Number(a.VisibilityTimeout ?? 30) * 1000,
    dlq,
  };
}

/** Messages visible, in flight and delayed: 0 means the queue is really empty. */
export async function queueDepth(client: SqsSender, url: string): Promise<number> {
  const names: QueueAttributeName[] = [
    "ApproximateNumberOfMessages",
    "ApproximateNumberOfMessagesNotVisible",
    "ApproximateNumberOfMessagesDelayed",
  ];
  const { Attributes: a = {} } = await call<{ Attributes?: Record<string, string> }>(
    client,
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: names }),
    "GetQueueAttributes",
  );
  return names.reduce((sum, n) => sum + Number(a[n] ?? 0), 0);
}

/** One long poll for up to `max` messages (with every attribute), hidden for `visibilityTimeoutMs`. */
export async function receiveMessages(
  client: SqsSender,
  q: Pick<QueueInfo, "url" | "visibilityTimeoutMs">,
  o: { max: number; waitSeconds: number },
): Promise<Message[]> {
  const res = await call<{ Messages?: Message[] }>(
    client,
    new ReceiveMessageCommand({
      QueueUrl: q.url,
      MaxNumberOfMessages: o.max,
      WaitTimeSeconds: o.waitSeconds,
      VisibilityTimeout: q.visibilityTimeoutMs / 1000,
      MessageSystemAttributeNames: ["All"],
      MessageAttributeNames: ["All"],
    }),
    "ReceiveMessage",
  );
  return res.Messages ?? [];
}

/** Delete by receipt handle, 10 a call; returns why each delete SQS refused failed. */
export async function deleteMessages(client: SqsSender, url: string, handles: string[]): Promise<string[]> {
  const failed: string[] = [];
  for (const part of chunks(handles, SQS_BATCH_MAX)) {
    const res = await call<{ Failed?: { Id: string; Message?: string }[] }>(
      client,
      new DeleteMessageBatchCommand({
        QueueUrl: url,
        Entries: part.map((h, i) => ({ Id: String(i), ReceiptHandle: h })),
      }),
      "DeleteMessageBatch",
    );
    for (const f of res.Failed ?? []) failed.push(f.Message ?? "unknown reason");
  }
  return failed;
}

/** Make received messages visible again now, instead of after their visibility timeout. */
export async function releaseMessages(client: SqsSender, url: string, handles: string[]): Promise<void> {
  for (const part of chunks(handles, SQS_BATCH_MAX)) {
    await call(
      client,
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: url,
        Entries: part.map((h, i) => ({ Id: String(i), ReceiptHandle: h, VisibilityTimeout: 0 })),
      }),
      "ChangeMessageVisibilityBatch",
    );
  }
}
