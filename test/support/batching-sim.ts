// A simulator of the event source mapping's batching rules (src/core/batching/batching.ts): one poller,
// a fake standard queue with visibility timeouts and a redrive policy, a fake clock. For tests and for reasoning about settings; not a model of Lambda's scaling.
import {
  admit,
  canTake,
  decide,
  newGather,
  recordBytes,
  restartIfIdle,
  settle,
  validateSettings,
  type BatchingSettings,
  type Gather,
  type Trigger,
} from "../../src/core/batching/batching.js";

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

/** The gather that follows an invocation ending at `now`: a record that did not fit opens it. */
export function nextGather(g: Gather, now: number): Gather {
  const next = newGather(now);
  return g.pendingBytes === undefined ? next : { ...next, count: 1, bytes: g.pendingBytes };
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
    for (let i = 0; i < queue.length && decideIsGathering(gather, s, now);) {
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
  return !("invoke" in d) || (d.invoke === "window" && canTake(g, s));
}
