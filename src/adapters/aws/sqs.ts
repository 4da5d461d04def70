// The SQS side of `queue stats` and every command that names a queue: resolve a queue given as name,
// URL or ARN, and read its counts and redrive policy (and the DLQ's). The peek is in sqs-peek.ts.
import { GetQueueAttributesCommand, GetQueueUrlCommand, type SQSClient } from "@aws-sdk/client-sqs";
import { UsageError } from "../../core/errors.js";
import { parseArn } from "../../core/aws/arn.js";
import { isMissingQueue } from "./errors.js";

type Sender = Pick<SQSClient, "send">;

export interface QueueRef {
  url: string;
  name: string;
}

export interface ParsedQueueArg {
  kind: "url" | "arn" | "name";
  name: string;
  url?: string;
  region?: string;
  account?: string;
}

/** name, URL (https://sqs.<region>.amazonaws.com/<acct>/<name>, or an emulator's) or ARN. */
export function parseQueueArg(q: string): ParsedQueueArg {
  const v = q.trim();
  if (/^https?:\/\//i.test(v)) {
    const path = new URL(v).pathname.split("/").filter(Boolean);
    const host = new URL(v).hostname;
    const region = /^sqs\.([a-z0-9-]+)\.amazonaws\.com/.exec(host)?.[1];
    return { kind: "url", url: v, name: path.at(-1) ?? v, account: path.at(-2), region };
  }
  const arn = parseArn(v);
  if (arn?.service === "sqs" && /^\d*$/.test(arn.account))
    return { kind: "arn", name: arn.resource, region: arn.region || undefined, account: arn.account || undefined };
  if (!/^[A-Za-z0-9_-]{1,80}(\.fifo)?$/.test(v)) {
    throw new UsageError(`--queue: "${q}" is not a queue name, URL or ARN`);
  }
  return { kind: "name", name: v };
}

export async function resolveQueue(client: Sender, q: string): Promise<QueueRef> {
  const p = parseQueueArg(q);
  if (p.url) return { url: p.url, name: p.name };
  try {
    const r = await client.send(
      new GetQueueUrlCommand({ QueueName: p.name, ...(p.account ? { QueueOwnerAWSAccountId: p.account } : {}) }),
    );
    return { url: r.QueueUrl!, name: p.name };
  } catch (err) {
    if (isMissingQueue(err)) throw new UsageError(`queue "${p.name}" does not exist (check --queue and --region)`);
    throw err;
  }
}

export interface QueueCounts {
  url: string;
  arn: string | null;
  visible: number;
  inFlight: number;
  delayed: number;
  visibilityTimeout: number | null;
  retentionSeconds: number | null;
  redrive: { dlqArn: string; maxReceiveCount: number } | null;
}

/** A numeric SQS attribute, null when absent. */
export const attrInt = (v: string | undefined): number | null => (v === undefined || v === "" ? null : Number(v));

/** The one reader of a RedrivePolicy attribute (maxReceiveCount may be a number or a string). */
export function parseRedrive(policy: string | undefined): QueueCounts["redrive"] {
  if (!policy) return null;
  try {
    const p = JSON.parse(policy) as { deadLetterTargetArn?: string; maxReceiveCount?: number | string };
    if (!p.deadLetterTargetArn) return null;
    return { dlqArn: p.deadLetterTargetArn, maxReceiveCount: Number(p.maxReceiveCount) };
  } catch {
    return null;
  }
}

/** The one GetQueueAttributes read (All) every command and setup use, with the redrive policy parsed once. */
export async function queueAttributes(
  client: Sender,
  url: string,
): Promise<{ attributes: Record<string, string | undefined>; redrive: QueueCounts["redrive"] }> {
  const r = await client.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["All"] }));
  const attributes = (r.Attributes ?? {}) as Record<string, string | undefined>;
  return { attributes, redrive: parseRedrive(attributes.RedrivePolicy) };
}

export async function queueCounts(client: Sender, url: string): Promise<QueueCounts> {
  const { attributes: a, redrive } = await queueAttributes(client, url);
  return {
    url,
    arn: a.QueueArn ?? null,
    visible: attrInt(a.ApproximateNumberOfMessages) ?? 0,
    inFlight: attrInt(a.ApproximateNumberOfMessagesNotVisible) ?? 0,
    delayed: attrInt(a.ApproximateNumberOfMessagesDelayed) ?? 0,
    visibilityTimeout: attrInt(a.VisibilityTimeout),
    retentionSeconds: attrInt(a.MessageRetentionPeriod),
    redrive,
  };
}

export interface QueueStats {
  queue: QueueCounts;
  dlq: QueueCounts | null;
}

export async function queueStats(client: Sender, ref: QueueRef): Promise<QueueStats> {
  const queue = await queueCounts(client, ref.url);
  if (!queue.redrive) return { queue, dlq: null };
  const dlqRef = await resolveQueue(client, queue.redrive.dlqArn);
  return { queue, dlq: await queueCounts(client, dlqRef.url) };
}
