// "Peek", which SQS does not really have: receive each message once under a short hold, release them
// all, and re-queue a fresh copy of any message the peek brought near the DLQ, so no number of peeks
// dead-letters a message (docs/safety.md). `queue peek` and `notify … --from-queue` both come here.
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  type Message,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import { UsageError } from "../../core/errors.js";
import { isUnreadable, normalizeSqsBody, type ApiCallEvent } from "../../core/events/events.js";
import { plural } from "../../core/text/text.js";
import { attrInt, queueCounts, resolveQueue, type QueueCounts, type QueueRef } from "./sqs.js";

type Sender = Pick<SQSClient, "send">;

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
  /**
   * The queue's maxReceiveCount (null: no redrive policy, or peeking the DLQ itself). A message this peek
   * leaves with fewer than PEEK_RESERVE receives for the consumer is re-queued as a fresh copy.
   */
  maxReceiveCount: number | null;
  /** false (--no-requeue): never re-queue; a message at the edge is released and reported instead. */
  requeue?: boolean;
  /** Seconds each received message stays hidden while the peek runs (default HOLD_SECONDS). */
  holdSeconds?: number;
  /** Stop after this many receives whatever happens. */
  maxReceives?: number;
  /** Ctrl-C: abort the receive in flight, release what is held, then fail with PeekInterrupted. */
  signal?: AbortSignal;
}

export interface PeekResult {
  messages: PeekedMessage[];
  /** ReceiveMessage calls made. */
  receives: number;
  /** Receives spent on messages: one per message, more only if a hold ran out and a message came back. */
  receivesSpent: number;
  /** Messages held (hidden from the consumer) during the peek, then made visible again at once. */
  held: number;
  released: number;
  /** Held messages whose release failed (they reappear when the hold ends, at most holdSeconds later). */
  releaseFailed: number;
  holdSeconds: number;
  /** Messages this peek brought to the edge of the DLQ, replaced by a fresh copy (receive count 0). */
  requeued: { messageId: string; newMessageId: string; receiveCount: number }[];
  /** With --no-requeue (or when the copy failed): messages left with fewer than PEEK_RESERVE receives. */
  atEdge: { messageId: string; receiveCount: number; reason: string }[];
}

/** Ctrl-C during a peek: everything held was released (or re-queued) first. */
export class PeekInterrupted extends UsageError {
  constructor(readonly result: PeekResult) {
    super(`interrupted: ${peekSummary(result)}`);
  }
}

export function toPeeked(m: Message): PeekedMessage {
  const attrs = (m.Attributes ?? {}) as Record<string, string | undefined>;
  const body = m.Body ?? "";
  const decoded = normalizeSqsBody(body, m.MessageId);
  const sent = attrInt(attrs.SentTimestamp);
  const out: PeekedMessage = {
    messageId: m.MessageId ?? "",
    receiveCount: attrInt(attrs.ApproximateReceiveCount),
    sentAt: sent === null ? null : new Date(sent).toISOString(),
    event: isUnreadable(decoded) ? null : decoded,
    body,
  };
  if (isUnreadable(decoded)) out.unreadable = decoded.reason;
  return out;
}

/** A peek never leaves a message with fewer receives than this for the consumer: it re-queues a fresh copy. */
export const PEEK_RESERVE = 2;
/**
 * Seconds each peeked message stays hidden while the peek runs, so the next receive brings new messages
 * instead of the same ones again. Released at the end; if the process dies they reappear by themselves.
 */
export const HOLD_SECONDS = 15;
/** Receives in a row bringing nothing new before the peek stops (a short poll may miss messages once). */
function staleLimit(waitSeconds: number): number {
  return waitSeconds > 0 ? 1 : 2;
}

interface Held {
  message: Message;
  peeked: PeekedMessage;
  /** Listed in the result (false only for a message beyond --max that SQS returned anyway). */
  listed: boolean;
}

/**
 * The one peek (queue peek, notify dry-run/send --from-queue): receive with a short hold (never
 * VisibilityTimeout 0, so each message is received once), collect distinct messages until `max` or
 * nothing new, then — also on errors and Ctrl-C — re-queue a fresh copy of any message left with
 * fewer than PEEK_RESERVE receives for the consumer, and release every other held message at once.
 */
export async function peekMessages(client: Sender, url: string, opts: PeekOptions): Promise<PeekResult> {
  if (opts.signal) return peekHeld(client, url, opts);
  // Ctrl-C while messages are held: abort, release them, then stop (default SIGINT handling returns after).
  const ctl = new AbortController();
  const onSigint = () => ctl.abort(new Error("interrupted"));
  process.once("SIGINT", onSigint);
  try {
    return await peekHeld(client, url, { ...opts, signal: ctl.signal });
  } finally {
    process.removeListener("SIGINT", onSigint);
  }
}

async function peekHeld(client: Sender, url: string, opts: PeekOptions): Promise<PeekResult> {
  const holdSeconds = opts.holdSeconds ?? HOLD_SECONDS;
  const held = new Map<string, Held>();
  const result: PeekResult = {
    messages: [],
    receives: 0,
    receivesSpent: 0,
    held: 0,
    released: 0,
    releaseFailed: 0,
    holdSeconds,
    requeued: [],
    atEdge: [],
  };
  const limit = opts.maxReceives ?? opts.max * 2 + 4;
  let stale = 0;
  let failure: unknown;
  try {
    while (listedCount(held) < opts.max && result.receives < limit) {
      if (opts.signal?.aborted) throw opts.signal.reason ?? new Error("aborted");
      const r = await client.send(
        new ReceiveMessageCommand({
          QueueUrl: url,
          MaxNumberOfMessages: Math.min(10, Math.max(1, opts.max - listedCount(held))),
          VisibilityTimeout: holdSeconds,
          WaitTimeSeconds: opts.waitSeconds,
          MessageSystemAttributeNames: ["All"],
          MessageAttributeNames: ["All"],
        }),
        opts.signal ? { abortSignal: opts.signal } : {},
      );
      result.receives++;
      let fresh = 0;
      for (const m of r.Messages ?? []) {
        if (!m.MessageId || !m.ReceiptHandle) continue;
        result.receivesSpent++;
        const p = toPeeked(m);
        const prev = held.get(m.MessageId);
        if (prev) {
          // The hold ran out and it came back: one more receive spent; keep the newest handle and count.
          prev.message = m;
          prev.peeked.receiveCount = p.receiveCount ?? prev.peeked.receiveCount;
          continue;
        }
        const listed = listedCount(held) < opts.max;
        held.set(m.MessageId, { message: m, peeked: p, listed });
        if (listed) fresh++;
      }
      stale = fresh === 0 ? stale + 1 : 0;
      if (stale >= staleLimit(opts.waitSeconds)) break;
    }
  } catch (err) {
    failure = err;
  } finally {
    await settle(client, url, [...held.values()], opts, result);
  }
  result.messages = [...held.values()].filter((h) => h.listed).map((h) => h.peeked);
  if (failure !== undefined) {
    if (opts.signal?.aborted) throw new PeekInterrupted(result);
    throw failure;
  }
  return result;
}

function listedCount(held: Map<string, Held>): number {
  let n = 0;
  for (const h of held.values()) if (h.listed) n++;
  return n;
}

/** Re-queue what the peek brought to the edge, release the rest. Never throws: failures are counted. */
async function settle(client: Sender, url: string, held: Held[], opts: PeekOptions, result: PeekResult): Promise<void> {
  result.held = held.length;
  const release: Held[] = [];
  const m = opts.maxReceiveCount;
  for (const h of held) {
    const count = h.peeked.receiveCount ?? 0;
    if (!m || m - count >= PEEK_RESERVE) {
      release.push(h);
      continue;
    }
    if (opts.requeue === false) {
      result.atEdge.push({ messageId: h.peeked.messageId, receiveCount: count, reason: "--no-requeue" });
      release.push(h);
      continue;
    }
    try {
      const newMessageId = await requeue(client, url, h.message);
      result.requeued.push({ messageId: h.peeked.messageId, newMessageId, receiveCount: count });
    } catch (err) {
      result.atEdge.push({
        messageId: h.peeked.messageId,
        receiveCount: count,
        reason: `re-queue failed: ${errName(err)}`,
      });
      release.push(h);
    }
  }
  for (let i = 0; i < release.length; i += 10) {
    const chunk = release.slice(i, i + 10);
    try {
      const r = await client.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: url,
          Entries: chunk.map((h, k) => ({
            Id: String(k),
            ReceiptHandle: h.message.ReceiptHandle!,
            VisibilityTimeout: 0,
          })),
        }),
      );
      result.released += r.Successful?.length ?? 0;
      result.releaseFailed += r.Failed?.length ?? 0;
    } catch {
      result.releaseFailed += chunk.length;
    }
  }
}

/** A fresh copy (receive count 0) goes in first; only then is the original deleted. */
async function requeue(client: Sender, url: string, m: Message): Promise<string> {
  const attrs = (m.Attributes ?? {}) as Record<string, string | undefined>;
  const fifo = url.endsWith(".fifo");
  const sent = await client.send(
    new SendMessageCommand({
      QueueUrl: url,
      MessageBody: m.Body ?? "",
      ...(m.MessageAttributes && Object.keys(m.MessageAttributes).length
        ? { MessageAttributes: m.MessageAttributes }
        : {}),
      ...(fifo
        ? {
            MessageGroupId: attrs.MessageGroupId ?? "traildigest",
            MessageDeduplicationId: `${m.MessageId}-requeued-${Date.now()}`,
          }
        : {}),
    }),
  );
  await client.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle! }));
  return sent.MessageId ?? "";
}

function errName(err: unknown): string {
  const e = err as { name?: string; message?: string };
  return (e?.name && e.name !== "Error" ? e.name : e?.message?.split("\n", 1)[0]) || "error";
}

/** What the peek did, in one line: receives spent, messages held and released, re-queued. */
export function peekSummary(r: PeekResult): string {
  const parts = [
    `spent ${plural(r.receivesSpent, "receive")} on ${plural(r.held, "message")} (${plural(r.receives, "ReceiveMessage call")})`,
    `held ${r.held} for up to ${r.holdSeconds} s and released ${r.released}`,
  ];
  if (r.releaseFailed) parts.push(`${r.releaseFailed} not released (visible again within ${r.holdSeconds} s)`);
  if (r.requeued.length)
    parts.push(`re-queued ${plural(r.requeued.length, "message")} as a fresh copy (receive count 0)`);
  if (r.atEdge.length) parts.push(`${plural(r.atEdge.length, "message")} left at the edge of the DLQ`);
  return `this peek ${parts.join("; ")}`;
}

/** The stderr lines a peek must give: what it spent, and any message it could not keep away from the DLQ. */
export function peekWarnings(r: PeekResult, maxReceiveCount: number | null, dlq: boolean): string[] {
  const out = [peekSummary(r)];
  if (dlq) out.push("peeking the dead-letter queue: receives count there too, but nothing moves on from it");
  else if (!maxReceiveCount) out.push("the queue has no redrive policy: receives move nothing to a DLQ");
  for (const e of r.atEdge) {
    out.push(
      `message ${e.messageId} was received ${e.receiveCount}/${maxReceiveCount} times and not re-queued (${e.reason}): ` +
        `the consumer has fewer than ${PEEK_RESERVE} receives left before it moves to the DLQ`,
    );
  }
  return out;
}

/** What a command asks of the one queue peek (`queue peek`, `notify dry-run/send --from-queue`). */
export interface QueuePeekRequest {
  /** Name, URL or ARN (parseQueueArg). */
  queue: string;
  max: number;
  /** Peek the queue's dead-letter queue (from its redrive policy) instead. */
  dlq?: boolean;
  /** Long-poll seconds per receive; default PEEK_WAIT_SECONDS. */
  waitSeconds?: number;
  /** false (--no-requeue): report messages at the DLQ's edge instead of re-queuing them. */
  requeue?: boolean;
}

/** `queue peek --wait` default, and what --from-queue uses. */
export const PEEK_WAIT_SECONDS = 2;

export interface QueuePeek {
  /** The queue asked for (not its DLQ). */
  queue: QueueRef;
  /** The queue actually peeked (the DLQ's URL with `dlq`). */
  url: string;
  /** The queue's counts (visible, in flight…) and redrive policy, read before the peek. */
  counts: QueueCounts;
  /** The maxReceiveCount the peek protected (null for a DLQ or a queue without redrive). */
  maxReceiveCount: number | null;
  result: PeekResult;
  warnings: string[];
}

/**
 * The one way a command peeks: resolve the queue, read its counts and redrive policy, then peekMessages
 * with the same arguments whoever asks, and the same warnings.
 */
export async function peekQueue(
  client: Sender,
  req: QueuePeekRequest,
  spinner: (text: string) => { stop(): void } = () => ({ stop() {} }),
): Promise<QueuePeek> {
  const queue = await resolveQueue(client, req.queue);
  const counts = await queueCounts(client, queue.url);
  let url = queue.url;
  if (req.dlq) {
    if (!counts.redrive)
      throw new UsageError(`queue "${queue.name}" has no redrive policy, so no dead-letter queue to peek`);
    url = (await resolveQueue(client, counts.redrive.dlqArn)).url;
  }
  const maxReceiveCount = req.dlq ? null : (counts.redrive?.maxReceiveCount ?? null);
  const spin = spinner(`receiving from ${url.split("/").pop()} (held for up to ${HOLD_SECONDS} s, then released)…`);
  let result: PeekResult;
  try {
    result = await peekMessages(client, url, {
      max: req.max,
      waitSeconds: req.waitSeconds ?? PEEK_WAIT_SECONDS,
      maxReceiveCount,
      requeue: req.requeue ?? true,
    });
  } finally {
    spin.stop();
  }
  return {
    queue,
    url,
    counts,
    maxReceiveCount,
    result,
    warnings: peekWarnings(result, maxReceiveCount, Boolean(req.dlq)),
  };
}
