// `local run`'s engine: consumes an SQS queue with the event source mapping's rules (batching.ts)
// and hands each batch, shaped exactly like Lambda's SQSEvent, to an in-process handler.
// One poller, sequential invocations. The SQS client and the clock are injected (tests use fauxqs
// and, where they need to, a fake clock).
import type { SQSBatchResponse, SQSEvent, SQSMessageAttributes, SQSRecord } from "aws-lambda";
import type { Message, MessageAttributeValue } from "@aws-sdk/client-sqs";
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
} from "@aws-sdk/client-sqs";
import { queueArn, queueNameFromArn } from "../core/aws/arn.js";
import {
  admit,
  checkVisibilityTimeout,
  decide,
  newGather,
  recordBytes,
  restartIfIdle,
  settle,
  validateSettings,
  type BatchingSettings,
  type Gather,
  type Trigger,
} from "../core/batching/batching.js";
import { ServiceError, UsageError } from "../core/errors.js";
import { isMissingQueue, translateAwsError } from "../adapters/aws/errors.js";
import { parseQueueArg } from "../adapters/aws/sqs.js";
import type { Clock } from "../core/time/clock.js";
import { systemClock } from "../adapters/clock.js";

/** What the runner needs of an SQSClient (an SQSClient is one). */
export interface SqsSender {
  send(command: any, options?: { abortSignal?: AbortSignal }): Promise<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export { systemClock, type Clock };

/** The part of processBatch's outcome the runner acts on. */
export interface HandlerOutcome {
  response: SQSBatchResponse | null | undefined;
  posted: boolean;
  message?: unknown;
  /** Why the handler handed records back although it returned normally (e.g. Slack refused the post). */
  error?: string;
}
export type Invoke = (event: SQSEvent, ctx: { deadline: number; n: number }) => Promise<HandlerOutcome>;

export interface InvocationReport {
  n: number;
  records: number;
  trigger: Trigger;
  posted: boolean;
  /** Records left in the queue to reappear (batchItemFailures, or all on a thrown error / timeout). */
  failures: number;
  /** Why the whole batch failed, when it did. */
  error?: string;
  message?: unknown;
}

export interface RunSummary {
  /** Distinct messages received. */
  messages: number;
  batches: number;
  digests: number;
  failedRecords: number;
  /** Messages that reached the DLQ while we ran (null: the queue has no redrive policy). */
  dlq: number | null;
}

export interface RunResult {
  queueUrl: string;
  invocations: InvocationReport[];
  summary: RunSummary;
  stoppedBy: "empty" | "signal";
  /** Messages held in a gather when stopped, made visible again. */
  released: number;
}

export interface QueueInfo {
  url: string;
  arn: string;
  region: string;
  visibilityTimeoutMs: number;
  dlq: { arn: string; url: string; maxReceiveCount: number } | null;
}

export interface RunnerOptions {
  client: SqsSender;
  /** Queue URL or name. */
  queue: string;
  settings: BatchingSettings;
  handlerTimeoutMs: number;
  invoke: Invoke;
  /** Stop once the queue has stayed empty (nothing visible, in flight or delayed) for one window. */
  untilEmpty?: boolean;
  /** Abort to stop cleanly: the current invocation finishes, a gather in progress is released. */
  signal?: AbortSignal;
  clock?: Clock;
  onInvocation?(report: InvocationReport): void;
  onNote?(line: string): void;
  /** Longest single long poll, so a stop request is noticed promptly. Default 5 s. */
  maxPollSeconds?: number;
}

const MAX_RECEIVE = 10;

function queueNameOf(arnOrUrl: string): string {
  return arnOrUrl.split(/[:/]/).pop() ?? arnOrUrl;
}

async function sqs<T>(client: SqsSender, command: unknown, what: string): Promise<T> {
  try {
    return (await client.send(command)) as T;
  } catch (err) {
    const e = err as { name?: string; message?: string };
    if (isMissingQueue(err)) {
      throw new UsageError(`${what}: the queue does not exist`, { cause: err });
    }
    throw (
      translateAwsError(err) ??
      new ServiceError(`SQS ${what} failed: ${e?.name ?? "error"}: ${(e?.message ?? String(err)).split("\n")[0]}`, { cause: err })
    );
  }
}

/** Resolve the queue and read what the rules need: visibility timeout, ARN, redrive policy. */
export async function describeQueue(client: SqsSender, queue: string): Promise<QueueInfo> {
  // A name, URL or ARN, as every other --queue takes (adapters/aws/sqs.ts parses all three).
  const p = parseQueueArg(queue);
  const url =
    p.url ??
    (
      await sqs<{ QueueUrl: string }>(
        client,
        new GetQueueUrlCommand({ QueueName: p.name, ...(p.account ? { QueueOwnerAWSAccountId: p.account } : {}) }),
        `GetQueueUrl ${p.name}`,
      )
    ).QueueUrl;
  const { Attributes: a = {} } = await sqs<{ Attributes?: Record<string, string> }>(
    client,
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["All"] }),
    "GetQueueAttributes",
  );
  const arn = a.QueueArn ?? queueArn({ region: "us-east-1", account: "000000000000" }, queueNameOf(url));
  let dlq: QueueInfo["dlq"] = null;
  if (a.RedrivePolicy) {
    const policy = JSON.parse(a.RedrivePolicy) as { deadLetterTargetArn: string; maxReceiveCount: number | string };
    const dlqUrl = (
      await sqs<{ QueueUrl: string }>(
        client,
        new GetQueueUrlCommand({ QueueName: queueNameFromArn(policy.deadLetterTargetArn) ?? queueNameOf(policy.deadLetterTargetArn) }),
        "GetQueueUrl (DLQ)",
      )
    ).QueueUrl;
    dlq = { arn: policy.deadLetterTargetArn, url: dlqUrl, maxReceiveCount: Number(policy.maxReceiveCount) };
  }
  return {
    url,
    arn,
    region: arn.split(":")[3] || "us-east-1",
    visibilityTimeoutMs: Number(a.VisibilityTimeout ?? 30) * 1000,
    dlq,
  };
}

async function queueDepth(client: SqsSender, url: string): Promise<number> {
  const { Attributes: a = {} } = await sqs<{ Attributes?: Record<string, string> }>(
    client,
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: [
        "ApproximateNumberOfMessages",
        "ApproximateNumberOfMessagesNotVisible",
        "ApproximateNumberOfMessagesDelayed",
      ],
    }),
    "GetQueueAttributes",
  );
  return (
    Number(a.ApproximateNumberOfMessages ?? 0) +
    Number(a.ApproximateNumberOfMessagesNotVisible ?? 0) +
    Number(a.ApproximateNumberOfMessagesDelayed ?? 0)
  );
}

function lambdaAttributes(m: Message): SQSRecord["attributes"] {
  const a = m.Attributes ?? {};
  return {
    ApproximateReceiveCount: a.ApproximateReceiveCount ?? "1",
    SentTimestamp: a.SentTimestamp ?? "",
    SenderId: a.SenderId ?? "",
    ApproximateFirstReceiveTimestamp: a.ApproximateFirstReceiveTimestamp ?? "",
    ...(a.AWSTraceHeader ? { AWSTraceHeader: a.AWSTraceHeader } : {}),
    ...(a.MessageGroupId ? { MessageGroupId: a.MessageGroupId } : {}),
    ...(a.MessageDeduplicationId ? { MessageDeduplicationId: a.MessageDeduplicationId } : {}),
    ...(a.SequenceNumber ? { SequenceNumber: a.SequenceNumber } : {}),
  };
}

function lambdaMessageAttributes(attrs: Record<string, MessageAttributeValue> | undefined): SQSMessageAttributes {
  const out: SQSMessageAttributes = {};
  for (const [name, v] of Object.entries(attrs ?? {})) {
    out[name] = {
      dataType: v.DataType ?? "String",
      ...(v.StringValue !== undefined ? { stringValue: v.StringValue } : {}),
      ...(v.BinaryValue !== undefined ? { binaryValue: Buffer.from(v.BinaryValue).toString("base64") } : {}),
      stringListValues: [],
      binaryListValues: [],
    };
  }
  return out;
}

/** An SQS message as Lambda's event source mapping hands it to the function. */
export function toLambdaRecord(m: Message, q: Pick<QueueInfo, "arn" | "region">): SQSRecord {
  return {
    messageId: m.MessageId ?? "",
    receiptHandle: m.ReceiptHandle ?? "",
    body: m.Body ?? "",
    attributes: lambdaAttributes(m),
    messageAttributes: lambdaMessageAttributes(m.MessageAttributes),
    md5OfBody: m.MD5OfBody ?? "",
    eventSource: "aws:sqs",
    eventSourceARN: q.arn,
    awsRegion: q.region,
  };
}

interface Held {
  message: Message;
  receivedAt: number;
}

function chunks<T>(xs: T[], n: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n));
  return out;
}

export async function runLocal(opts: RunnerOptions): Promise<RunResult> {
  const settings = validateSettings(opts.settings);
  const clock = opts.clock ?? systemClock;
  const note = opts.onNote ?? (() => {});
  const maxPoll = opts.maxPollSeconds ?? 5;
  const { client } = opts;
  const q = await describeQueue(client, opts.queue);
  checkVisibilityTimeout(q.visibilityTimeoutMs, settings.windowMs, opts.handlerTimeoutMs);
  const dlqBefore = q.dlq ? await queueDepth(client, q.dlq.url) : 0;

  const invocations: InvocationReport[] = [];
  const seen = new Set<string>();
  /** Records in the batch being gathered. */
  let held: Held[] = [];
  /** Records received that did not fit the current batch (payload cut-off): they open the next one. */
  let carry: Held[] = [];
  let gather: Gather = newGather(clock.now());
  let lastActivity = clock.now();
  let stoppedBy: RunResult["stoppedBy"] = "signal";
  let released = 0;
  // "Empty for one window": with window 0 a one-second look is the least that means anything.
  const quietMs = Math.max(settings.windowMs, 1000);

  const invoke = async (trigger: Trigger): Promise<void> => {
    const batch = held;
    held = [];
    const n = invocations.length + 1;
    const records = batch.map((h) => toLambdaRecord(h.message, q));
    const deadline = clock.now() + opts.handlerTimeoutMs;
    let outcome: HandlerOutcome | undefined;
    let error: string | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      // A handler that overruns its timeout is a failed invocation, as in Lambda: the whole batch stays.
      const timedOut = new Promise<"timeout">((resolve) => {
        timer = setTimeout(() => resolve("timeout"), opts.handlerTimeoutMs);
      });
      const r = await Promise.race([opts.invoke({ Records: records }, { deadline, n }), timedOut]);
      if (r === "timeout") error = `handler timed out after ${opts.handlerTimeoutMs / 1000}s`;
      else outcome = r;
    } catch (err) {
      error = `handler threw: ${err instanceof Error ? err.message.split("\n")[0] : String(err)}`;
    } finally {
      clearTimeout(timer);
    }
    const ids = records.map((r) => r.messageId);
    const s = settle(ids, error ? "threw" : outcome?.response);
    if (!error && s.wholeBatchFailed) error = "response names a record that is not in the batch: whole batch failed";
    const byId = new Map(batch.map((h) => [h.message.MessageId!, h.message]));
    for (const part of chunks(s.deleteIds, 10)) {
      const res = await sqs<{ Failed?: { Id: string; Message?: string }[] }>(
        client,
        new DeleteMessageBatchCommand({
          QueueUrl: q.url,
          Entries: part.map((id, i) => ({ Id: String(i), ReceiptHandle: byId.get(id)!.ReceiptHandle! })),
        }),
        "DeleteMessageBatch",
      );
      for (const f of res.Failed ?? []) note(`warning: could not delete a record (${f.Message ?? "unknown reason"}); it will be delivered again`);
    }
    // Failed records are left alone: like the real mapping, they reappear when their visibility timeout ends.
    const report: InvocationReport = {
      n,
      records: records.length,
      trigger,
      posted: Boolean(outcome?.posted) && !error,
      failures: s.leaveIds.length,
      ...(error || outcome?.error ? { error: error ?? outcome?.error } : {}),
      ...(outcome?.message !== undefined ? { message: outcome.message } : {}),
    };
    invocations.push(report);
    opts.onInvocation?.(report);
    const end = clock.now();
    lastActivity = end;
    // The next window starts when this invocation ends; records that did not fit open it.
    gather = newGather(end);
    fill();
  };

  /** Move received records into the batch while they fit; the first that does not stays in `carry`. */
  const fill = (): void => {
    while (carry.length && gather.pendingBytes === undefined && gather.count < settings.batchSize) {
      const next = admit(gather, recordBytes(carry[0]!.message.Body ?? "", settings.recordOverheadBytes), settings);
      gather = next;
      if (next.pendingBytes !== undefined) break;
      held.push(carry.shift()!);
    }
  };

  const release = async (): Promise<void> => {
    const all = [...held, ...carry];
    if (!all.length) return;
    // Abandoning a gather: make its messages visible now instead of after their visibility timeout.
    for (const part of chunks(all, 10)) {
      await sqs(
        client,
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: q.url,
          Entries: part.map((h, i) => ({ Id: String(i), ReceiptHandle: h.message.ReceiptHandle!, VisibilityTimeout: 0 })),
        }),
        "ChangeMessageVisibilityBatch",
      );
    }
    released += all.length;
    held = [];
    carry = [];
  };

  /** Gather, invoke, settle — until stopped or (with untilEmpty) the queue stays empty. */
  const loop = async (): Promise<void> => {
    for (;;) {
      if (opts.signal?.aborted) {
        await release();
        break;
      }
      let now = clock.now();
      gather = restartIfIdle(gather, settings, now);
      let d = decide(gather, settings, now);
      // Held records must be processed before their visibility timeout ends (only a record carried
      // over by a payload cut can be that old).
      const oldest = Math.min(...[...held, ...carry].map((h) => h.receivedAt));
      if (!("invoke" in d) && now >= oldest + q.visibilityTimeoutMs - opts.handlerTimeoutMs) {
        d = { invoke: "window" };
      }
      if ("invoke" in d) {
        await invoke(d.invoke);
        continue;
      }
      if (gather.count === 0 && opts.untilEmpty && now - lastActivity >= quietMs) {
        if ((await queueDepth(client, q.url)) === 0) {
          stoppedBy = "empty";
          break;
        }
        lastActivity = now; // something is in flight or delayed (e.g. a failed record): look again in a window
      }
      const room = Math.min(MAX_RECEIVE, settings.batchSize - gather.count);
      const remainingMs = gather.count === 0 ? quietMs : d.waitUntil - now;
      const waitSeconds = Math.max(0, Math.min(maxPoll, 20, Math.floor(remainingMs / 1000)));
      // A message's visibility clock may start any time during the long poll: count from its start.
      const requestedAt = clock.now();
      const res = await sqs<{ Messages?: Message[] }>(
        client,
        new ReceiveMessageCommand({
          QueueUrl: q.url,
          MaxNumberOfMessages: room,
          WaitTimeSeconds: gather.count === 0 ? Math.max(1, waitSeconds) : waitSeconds,
          VisibilityTimeout: q.visibilityTimeoutMs / 1000,
          MessageSystemAttributeNames: ["All"],
          MessageAttributeNames: ["All"],
        }),
        "ReceiveMessage",
      );
      now = clock.now();
      const got = res.Messages ?? [];
      for (const m of got) {
        if (m.MessageId) seen.add(m.MessageId);
        carry.push({ message: m, receivedAt: requestedAt });
        lastActivity = now;
      }
      fill();
      if (!got.length && waitSeconds === 0 && gather.count > 0) {
        // Less than a second of window left: short polls, a little apart.
        await clock.sleep(Math.min(200, Math.max(0, d.waitUntil - now)));
      }
    }
  };

  try {
    await loop();
  } catch (err) {
    // Do not leave a gathered batch invisible for its whole timeout because a call failed.
    await release().catch(() => {});
    throw err;
  }

  const dlqAfter = q.dlq ? await queueDepth(client, q.dlq.url) : 0;
  return {
    queueUrl: q.url,
    invocations,
    summary: {
      messages: seen.size,
      batches: invocations.length,
      digests: invocations.filter((i) => i.posted).length,
      failedRecords: invocations.reduce((sum, i) => sum + i.failures, 0),
      dlq: q.dlq ? Math.max(0, dlqAfter - dlqBefore) : null,
    },
    stoppedBy,
    released,
  };
}
