// The Lambda SQS event source mapping's batching rules as a pure model (docs/aws-slack-facts.md §1):
// invoke when BatchSize messages are gathered, when the batching window has passed, or when the
// payload would exceed 6 MB — whichever comes first. The window starts when the previous invocation
// ends. Pure: no I/O, no SDK, no real clock. `simulate()` runs the rules over a fake queue and clock.
import { UsageError } from "../errors.js";

/** Lambda's synchronous invoke payload limit (6 MB, not adjustable). */
export const PAYLOAD_LIMIT_BYTES = 6 * 1024 * 1024;
/**
 * Per-record metadata Lambda adds around each body (messageId, a receipt handle of up to ~1 KB,
 * attributes, md5, ARN, JSON punctuation). AWS does not publish the figure; 2 KB is on the safe side.
 */
export const RECORD_OVERHEAD_BYTES = 2048;
export const MAX_BATCH_SIZE = 10_000;
export const MAX_WINDOW_MS = 300_000;

export type Trigger = "full" | "window" | "payload";

export interface BatchingSettings {
  batchSize: number;
  /** MaximumBatchingWindowInSeconds, in ms (whole seconds). */
  windowMs: number;
  payloadLimitBytes?: number;
  recordOverheadBytes?: number;
}

/** The event source mapping's own validation, with the reason an operator needs. */
export function validateSettings(s: BatchingSettings): Required<BatchingSettings> {
  const { batchSize, windowMs } = s;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > MAX_BATCH_SIZE) {
    throw new UsageError(`--batch-size: ${batchSize} is out of range: a standard queue allows 1 to ${MAX_BATCH_SIZE}`);
  }
  if (!Number.isFinite(windowMs) || windowMs < 0 || windowMs > MAX_WINDOW_MS) {
    throw new UsageError(`--window: ${windowMs / 1000}s is out of range: MaximumBatchingWindowInSeconds is 0 to 300`);
  }
  if (windowMs % 1000 !== 0) {
    throw new UsageError(`--window: ${windowMs / 1000}s is not a whole number of seconds (the mapping takes whole seconds)`);
  }
  if (batchSize > 10 && windowMs < 1000) {
    throw new UsageError(
      `--batch-size ${batchSize} needs --window of at least 1s: Lambda refuses a BatchSize above 10 without a batching window`,
    );
  }
  return {
    batchSize,
    windowMs,
    payloadLimitBytes: s.payloadLimitBytes ?? PAYLOAD_LIMIT_BYTES,
    recordOverheadBytes: s.recordOverheadBytes ?? RECORD_OVERHEAD_BYTES,
  };
}

/**
 * The queue must keep a received message invisible for the whole gather plus the invocation,
 * or it reappears (and is received again) while it is still being processed.
 */
export function checkVisibilityTimeout(visibilityTimeoutMs: number, windowMs: number, handlerTimeoutMs: number): void {
  if (visibilityTimeoutMs < windowMs + handlerTimeoutMs) {
    throw new UsageError(
      `the queue's visibility timeout (${visibilityTimeoutMs / 1000}s) is shorter than window + handler timeout ` +
        `(${windowMs / 1000}s + ${handlerTimeoutMs / 1000}s): messages would reappear while still being processed. ` +
        `Raise the queue's VisibilityTimeout (AWS recommends 6 × function timeout + window) or lower --window/--handler-timeout`,
    );
  }
}

/** Bytes one record adds to the invocation payload: its body as a JSON string, plus metadata. */
export function recordBytes(body: string, overheadBytes = RECORD_OVERHEAD_BYTES): number {
  // The body is embedded as a JSON string: quotes and backslashes grow when escaped.
  return Buffer.byteLength(JSON.stringify(body), "utf8") + overheadBytes;
}

/** A batch being gathered. */
export interface Gather {
  /** When this batching window began (the end of the previous invocation). */
  windowStart: number;
  count: number;
  bytes: number;
  /** Size of a received record that did not fit: the batch must go now, that record opens the next one. */
  pendingBytes?: number;
}

export type Decision = { invoke: Trigger } | { waitUntil: number };

export function newGather(now: number): Gather {
  return { windowStart: now, count: 0, bytes: 0 };
}

/** Would this record still fit in the batch (count and payload)? */
export function fits(g: Gather, bytes: number, s: BatchingSettings): boolean {
  const limit = s.payloadLimitBytes ?? PAYLOAD_LIMIT_BYTES;
  return g.pendingBytes === undefined && g.count < s.batchSize && g.bytes + bytes <= limit;
}

/** Add a received record: into the batch when it fits, else as the record that closes it ("payload"). */
export function admit(g: Gather, bytes: number, s: BatchingSettings): Gather {
  if (g.count >= s.batchSize || g.pendingBytes !== undefined) {
    throw new Error("admit() on a batch that is already due: call decide() first");
  }
  if (!fits(g, bytes, s) && g.count > 0) return { ...g, pendingBytes: bytes };
  // A single record larger than the limit still goes alone (SQS caps messages at 1 MiB anyway).
  return { ...g, count: g.count + 1, bytes: g.bytes + bytes };
}

/** Invoke now (and why), or the time at which the window closes. */
export function decide(g: Gather, s: BatchingSettings, now: number): Decision {
  if (g.count >= s.batchSize) return { invoke: "full" };
  if (g.pendingBytes !== undefined) return { invoke: "payload" };
  const windowEnd = g.windowStart + s.windowMs;
  if (now >= windowEnd && g.count > 0) return { invoke: "window" };
  return { waitUntil: now >= windowEnd ? now + Math.max(s.windowMs, 1) : windowEnd };
}

/**
 * An empty window that has passed starts over, so a record arriving in a quiet queue still waits up
 * to one window for company (AWS: "with very low traffic, Lambda might wait for up to 20 seconds").
 */
export function restartIfIdle(g: Gather, s: BatchingSettings, now: number): Gather {
  return g.count === 0 && g.pendingBytes === undefined && now >= g.windowStart + s.windowMs ? newGather(now) : g;
}

/** The gather that follows an invocation ending at `now`: a record that did not fit opens it. */
export function nextGather(g: Gather, now: number): Gather {
  const next = newGather(now);
  return g.pendingBytes === undefined ? next : { ...next, count: 1, bytes: g.pendingBytes };
}

/**
 * What a function response does to the batch: the records to delete and the ones left to reappear
 * after the visibility timeout. A thrown error, or a response naming a record not in the batch
 * (Lambda treats it as a complete failure), leaves the whole batch.
 */
export function settle(
  messageIds: string[],
  response: { batchItemFailures?: { itemIdentifier?: string }[] | null } | null | undefined | "threw",
): { deleteIds: string[]; leaveIds: string[]; wholeBatchFailed: boolean } {
  if (response === "threw") return { deleteIds: [], leaveIds: [...messageIds], wholeBatchFailed: true };
  const failures = response?.batchItemFailures ?? [];
  const inBatch = new Set(messageIds);
  const failed = new Set<string>();
  for (const f of failures) {
    if (!f || !f.itemIdentifier || !inBatch.has(f.itemIdentifier)) {
      return { deleteIds: [], leaveIds: [...messageIds], wholeBatchFailed: true };
    }
    failed.add(f.itemIdentifier);
  }
  return {
    deleteIds: messageIds.filter((id) => !failed.has(id)),
    leaveIds: messageIds.filter((id) => failed.has(id)),
    wholeBatchFailed: false,
  };
}

// ---------------------------------------------------------------------------------------------
// Simulator: one poller, a fake standard queue with visibility timeouts and a redrive policy,
// a fake clock. For tests and for reasoning about settings; not a model of Lambda's scaling.

export interface SimMessage {
  id: string;
  body: string;
  /** When the message is sent (ms on the fake clock). */
  at: number;
}

export type SimResponse = { batchItemFailures: { itemIdentifier: string }[] } | "throw";

export interface SimOptions {
  settings: BatchingSettings;
  messages: SimMessage[];
  visibilityTimeoutMs: number;
  /** Redrive policy; undefined = no DLQ. */
  maxReceiveCount?: number;
  /** The function: returns failures, or "throw". Default: success. */
  handler?: (batch: { id: string; body: string; receiveCount: number }[], n: number) => SimResponse | undefined;
  /** How long each invocation runs on the fake clock. */
  invocationMs?: number;
  /** Stop the simulation at this time (ms). Default: when nothing is left to do. */
  until?: number;
}

export interface SimInvocation {
  n: number;
  /** Fake-clock time at which the function was invoked. */
  at: number;
  trigger: Trigger;
  ids: string[];
  bytes: number;
}

export interface SimResult {
  invocations: SimInvocation[];
  deleted: string[];
  dlq: string[];
  /** Messages still in the queue when the simulation stopped. */
  remaining: string[];
  /** Number of receives per message id. */
  receives: Record<string, number>;
  endedAt: number;
}

interface QueuedMessage extends SimMessage {
  visibleAt: number;
  receiveCount: number;
}

export function simulate(opts: SimOptions): SimResult {
  const s = validateSettings(opts.settings);
  const invocationMs = opts.invocationMs ?? 0;
  const pending = [...opts.messages].sort((a, b) => a.at - b.at);
  const queue: QueuedMessage[] = [];
  const held: QueuedMessage[] = [];
  const result: SimResult = { invocations: [], deleted: [], dlq: [], remaining: [], receives: {}, endedAt: 0 };
  let now = 0;
  let gather = newGather(now);

  for (let guard = 0; guard < 1_000_000; guard++) {
    if (opts.until !== undefined && now > opts.until) break;
    while (pending.length && pending[0]!.at <= now) {
      const m = pending.shift()!;
      queue.push({ ...m, visibleAt: m.at, receiveCount: 0 });
    }
    gather = restartIfIdle(gather, s, now);
    // Receive whatever is visible, in order, while the batch still has room.
    for (let i = 0; i < queue.length && decideIsGathering(gather, s, now); ) {
      const m = queue[i]!;
      if (m.visibleAt > now) {
        i++;
        continue;
      }
      queue.splice(i, 1);
      m.receiveCount++;
      result.receives[m.id] = m.receiveCount;
      if (opts.maxReceiveCount !== undefined && m.receiveCount > opts.maxReceiveCount) {
        result.dlq.push(m.id); // SQS moves it on the receive that exceeds maxReceiveCount
        continue;
      }
      m.visibleAt = now + opts.visibilityTimeoutMs;
      held.push(m);
      gather = admit(gather, recordBytes(m.body, s.recordOverheadBytes), s);
    }
    const d = decide(gather, s, now);
    if ("invoke" in d) {
      // A record that did not fit stays held for the next batch.
      const batch = gather.pendingBytes === undefined ? held.splice(0) : held.splice(0, held.length - 1);
      const n = result.invocations.length + 1;
      result.invocations.push({ n, at: now, trigger: d.invoke, ids: batch.map((m) => m.id), bytes: gather.bytes });
      const response = opts.handler?.(
        batch.map((m) => ({ id: m.id, body: m.body, receiveCount: m.receiveCount })),
        n,
      );
      const outcome = settle(
        batch.map((m) => m.id),
        response === "throw" ? "threw" : response,
      );
      now += invocationMs;
      result.deleted.push(...outcome.deleteIds);
      const leave = new Set(outcome.leaveIds);
      // Left records keep the visibility deadline set at receive: they reappear when it passes.
      queue.push(...batch.filter((m) => leave.has(m.id)));
      queue.sort((a, b) => a.visibleAt - b.visibleAt);
      gather = nextGather(gather, now);
      continue;
    }
    // Nothing to do now: jump to the next thing that can change the picture.
    const nextArrival = pending[0]?.at ?? Infinity;
    const nextVisible = Math.min(...queue.map((m) => (m.visibleAt > now ? m.visibleAt : Infinity)));
    if (gather.count === 0 && held.length === 0 && !pending.length && !queue.length) break;
    const next = Math.min(d.waitUntil, nextArrival, nextVisible);
    now = Math.max(next, now + 1);
  }
  result.remaining = [...queue, ...held].map((m) => m.id);
  result.endedAt = now;
  return result;
}

function decideIsGathering(g: Gather, s: BatchingSettings, now: number): boolean {
  const d = decide(g, s, now);
  // Keep receiving while the batch is open; a window that just closed still takes what is visible now.
  return !("invoke" in d) || (d.invoke === "window" && g.pendingBytes === undefined && g.count < s.batchSize);
}
