// The Lambda SQS event source mapping's batching rules as a pure model (docs/facts.md §1):
// invoke when BatchSize messages are gathered, when the batching window has passed, or when the
// payload would exceed 6 MB — whichever comes first. The window starts when the previous invocation
// ends. Pure: no I/O, no SDK, no real clock. (test/support/batching-sim.ts runs the rules over a fake queue and clock.)
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
    throw new UsageError(
      `--window: ${windowMs / 1000}s is not a whole number of seconds (the mapping takes whole seconds)`,
    );
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

/**
 * Can the batch still take a record? Not when it is full (BatchSize) or a record that did not fit the
 * payload limit is waiting: then it must go now. The one rule every gatherer (the runner, the tests'
 * simulator) asks before it receives or admits.
 */
export function canTake(g: Gather, s: BatchingSettings): boolean {
  return g.pendingBytes === undefined && g.count < s.batchSize;
}

/** Would this record still fit in the batch (count and payload)? */
export function fits(g: Gather, bytes: number, s: BatchingSettings): boolean {
  const limit = s.payloadLimitBytes ?? PAYLOAD_LIMIT_BYTES;
  return canTake(g, s) && g.bytes + bytes <= limit;
}

/** Add a received record: into the batch when it fits, else as the record that closes it ("payload"). */
export function admit(g: Gather, bytes: number, s: BatchingSettings): Gather {
  if (!canTake(g, s)) {
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
