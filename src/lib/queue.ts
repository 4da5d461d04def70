// The SQS side of `queue stats` and `queue peek`: resolve a queue given as name, URL or ARN; read its
// counts and redrive policy (and the DLQ's); and "peek", which SQS does not really have: receive with
// VisibilityTimeout 0, never delete, each message once. Every receive counts toward maxReceiveCount.
import {
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  type Message,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import { UsageError } from "./errors.js";
import { isUnreadable, normalizeSqsBody, type ApiCallEvent } from "./events.js";
import { plural } from "./text.js";
import { isMissingQueue } from "./aws-errors.js";

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
  const arn = /^arn:aws[\w-]*:sqs:([^:]*):(\d*):(.+)$/.exec(v);
  if (arn) return { kind: "arn", name: arn[3]!, region: arn[1] || undefined, account: arn[2] || undefined };
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

const int = (v: string | undefined): number | null => (v === undefined || v === "" ? null : Number(v));

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

export async function queueCounts(client: Sender, url: string): Promise<QueueCounts> {
  const r = await client.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["All"] }));
  const a = (r.Attributes ?? {}) as Record<string, string | undefined>;
  return {
    url,
    arn: a.QueueArn ?? null,
    visible: int(a.ApproximateNumberOfMessages) ?? 0,
    inFlight: int(a.ApproximateNumberOfMessagesNotVisible) ?? 0,
    delayed: int(a.ApproximateNumberOfMessagesDelayed) ?? 0,
    visibilityTimeout: int(a.VisibilityTimeout),
    retentionSeconds: int(a.MessageRetentionPeriod),
    redrive: parseRedrive(a.RedrivePolicy),
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

export interface PeekedMessage {
  messageId: string;
  receiveCount: number | null;
  sentAt: string | null;
  event: ApiCallEvent | null;
  /** Why `event` is null: the body is not an API-call event. */
  unreadable?: string;
  body: string;
}

export interface PeekOptions {
  max: number;
  /** Long-poll seconds per receive (0–20). */
  waitSeconds: number;
  /** Stop after this many receives whatever happens (each one costs a receive on every message returned). */
  maxReceives?: number;
  /**
   * ApproximateNumberOfMessages read just before: once that many distinct messages are seen, stop
   * rather than spend one more receive on every message only to learn that nothing is new.
   */
  knownVisible?: number;
}

export interface PeekResult {
  messages: PeekedMessage[];
  receives: number;
}

export function toPeeked(m: Message): PeekedMessage {
  const attrs = (m.Attributes ?? {}) as Record<string, string | undefined>;
  const body = m.Body ?? "";
  const decoded = normalizeSqsBody(body, m.MessageId);
  const sent = int(attrs.SentTimestamp);
  const out: PeekedMessage = {
    messageId: m.MessageId ?? "",
    receiveCount: int(attrs.ApproximateReceiveCount),
    sentAt: sent === null ? null : new Date(sent).toISOString(),
    event: isUnreadable(decoded) ? null : decoded,
    body,
  };
  if (isUnreadable(decoded)) out.unreadable = decoded.reason;
  return out;
}

/** Consecutive receives that bring nothing new before peek gives up (one such receive is common: with
 * VisibilityTimeout 0 the next receive often returns the same first batch again). */
export const STALE_RECEIVES = 2;

/**
 * Receive (VisibilityTimeout 0, never delete) until `max` distinct messages, STALE_RECEIVES receives in a
 * row that bring nothing new, or ceil(max/10)+2 receives. Messages come back again and again with
 * VisibilityTimeout 0; each is listed once.
 */
export async function peekMessages(client: Sender, url: string, opts: PeekOptions): Promise<PeekResult> {
  const seen = new Map<string, PeekedMessage>();
  let receives = 0;
  const limit = opts.maxReceives ?? Math.ceil(opts.max / 10) + 2;
  let stale = 0;
  const enough = Math.min(opts.max, opts.knownVisible ?? Infinity);
  while (seen.size < opts.max && receives < limit) {
    const r = await client.send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        MaxNumberOfMessages: Math.min(10, Math.max(1, opts.max - seen.size)),
        VisibilityTimeout: 0,
        WaitTimeSeconds: opts.waitSeconds,
        MessageSystemAttributeNames: ["All"],
        MessageAttributeNames: ["All"],
      }),
    );
    receives++;
    let fresh = 0;
    for (const m of r.Messages ?? []) {
      if (!m.MessageId) continue;
      const p = toPeeked(m);
      const prev = seen.get(m.MessageId);
      if (prev) {
        // Seen again: keep the latest receive count, which this receive just raised.
        prev.receiveCount = p.receiveCount ?? prev.receiveCount;
        continue;
      }
      if (seen.size >= opts.max) continue;
      seen.set(m.MessageId, p);
      fresh++;
    }
    stale = fresh === 0 ? stale + 1 : 0;
    if (stale >= STALE_RECEIVES || (seen.size >= enough && enough > 0)) break;
  }
  return { messages: [...seen.values()], receives };
}

/** The stderr warnings a peek must give: receives are spent, and who is about to reach the DLQ. */
export function peekWarnings(messages: PeekedMessage[], maxReceiveCount: number | null, dlq: boolean, receives?: number): string[] {
  const made = receives !== undefined ? `this peek made ${plural(receives, "receive")}` : "this peek spent at least one receive on each message listed";
  const out: string[] = [];
  if (dlq) {
    out.push("peeking the dead-letter queue: each receive still counts as a receive there");
    return out;
  }
  out.push(
    maxReceiveCount
      ? `SQS has no true peek: each receive spends one of every returned message's maxReceiveCount (${maxReceiveCount}); ${made}. Prefer \`queue stats\` or \`queue peek --dlq\``
      : "SQS has no true peek: every receive counts as a receive (the queue has no redrive policy, so nothing moves to a DLQ)",
  );
  if (maxReceiveCount) {
    const edge = messages.filter((m) => m.receiveCount !== null && maxReceiveCount - m.receiveCount <= 1);
    if (edge.length) {
      out.push(
        `${plural(edge.length, "message")} ${edge.length === 1 ? "is" : "are"} one receive or less from the DLQ (received ${edge
          .map((m) => `${m.receiveCount}/${maxReceiveCount}`)
          .join(", ")}): another peek or a failed Lambda batch moves them there — ${edge
          .slice(0, 3)
          .map((m) => m.messageId)
          .join(", ")}${edge.length > 3 ? ", …" : ""}`,
      );
    }
  }
  return out;
}
