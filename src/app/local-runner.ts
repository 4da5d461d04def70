// `local run`'s engine: consumes an SQS queue with the event source mapping's rules (batching.ts)
// and hands each batch, shaped exactly like Lambda's SQSEvent, to an in-process handler.
// One poller, sequential invocations. The SQS client and the clock are injected (tests use fauxqs
// and, where they need to, a fake clock).
import type { SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import type { Message } from "@aws-sdk/client-sqs";
import {
  admit,
  canTake,
  checkVisibilityTimeout,
  decide,
  newGather,
  recordBytes,
  restartIfIdle,
  settle,
  validateSettings,
  type BatchingSettings,
  type Decision,
  type Gather,
  type Trigger,
} from "../core/batching/batching.js";
import {
  SQS_BATCH_MAX,
  deleteMessages,
  describeQueue,
  queueDepth,
  receiveMessages,
  releaseMessages,
  type QueueInfo,
  type SqsSender,
} from "../adapters/aws/sqs-consumer.js";
import { toLambdaRecord } from "./lambda-record.js";
import type { Clock } from "../core/time/clock.js";
import { systemClock } from "../adapters/clock.js";

export type { QueueInfo, SqsSender } from "../adapters/aws/sqs-consumer.js";
export { describeQueue } from "../adapters/aws/sqs-consumer.js";
export { toLambdaRecord } from "./lambda-record.js";

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

interface Held {
  message: Message;
  /** When the receive that brought it began: its visibility clock may have started any time after. */
  receivedAt: number;
}

/** A handler's answer, or why the whole batch failed. */
interface Called {
  outcome?: HandlerOutcome;
  error?: string;
}

/**
 * One poller playing the event source mapping: gathers by the batching model's rules (canTake, admit,
 * decide), invokes, settles, and stops on a signal or (untilEmpty) once the queue stays empty.
 */
class LocalRunner {
  readonly invocations: InvocationReport[] = [];
  readonly seen = new Set<string>();
  stoppedBy: RunResult["stoppedBy"] = "signal";
  released = 0;
  /** Records in the batch being gathered. */
  private held: Held[] = [];
  /** Records received that did not fit the current batch (payload cut-off): they open the next one. */
  private carry: Held[] = [];
  private gather: Gather;
  private lastActivity: number;
  private readonly clock: Clock;
  private readonly note: (line: string) => void;
  /** "Empty for one window": with window 0 a one-second look is the least that means anything. */
  private readonly quietMs: number;

  constructor(
    private readonly opts: RunnerOptions,
    private readonly settings: Required<BatchingSettings>,
    private readonly q: QueueInfo,
  ) {
    this.clock = opts.clock ?? systemClock;
    this.note = opts.onNote ?? (() => {});
    this.quietMs = Math.max(settings.windowMs, 1000);
    this.gather = newGather(this.clock.now());
    this.lastActivity = this.clock.now();
  }

  /** Gather, invoke, settle — until stopped or (with untilEmpty) the queue stays empty. */
  async run(): Promise<void> {
    for (;;) {
      if (this.opts.signal?.aborted) return this.release();
      const now = this.clock.now();
      this.gather = restartIfIdle(this.gather, this.settings, now);
      const d = this.decide(now);
      if ("invoke" in d) {
        await this.invoke(d.invoke);
        continue;
      }
      if (await this.stayedEmpty(now)) {
        this.stoppedBy = "empty";
        return;
      }
      await this.receive(d.waitUntil, now);
    }
  }

  /** The model's decision, plus: held records must be processed before their visibility timeout ends. */
  private decide(now: number): Decision {
    const d = decide(this.gather, this.settings, now);
    // Only a record carried over by a payload cut can be that old.
    const oldest = Math.min(...[...this.held, ...this.carry].map((h) => h.receivedAt));
    if (!("invoke" in d) && now >= oldest + this.q.visibilityTimeoutMs - this.opts.handlerTimeoutMs)
      return { invoke: "window" };
    return d;
  }

  private async stayedEmpty(now: number): Promise<boolean> {
    if (this.gather.count > 0 || !this.opts.untilEmpty || now - this.lastActivity < this.quietMs) return false;
    if ((await queueDepth(this.opts.client, this.q.url)) === 0) return true;
    this.lastActivity = now; // something is in flight or delayed (e.g. a failed record): look again in a window
    return false;
  }

  /** One long poll for as many records as the batch has room for, until the window closes. */
  private async receive(waitUntil: number, now: number): Promise<void> {
    const room = Math.min(SQS_BATCH_MAX, this.settings.batchSize - this.gather.count);
    const remainingMs = this.gather.count === 0 ? this.quietMs : waitUntil - now;
    const waitSeconds = Math.max(0, Math.min(this.opts.maxPollSeconds ?? 5, 20, Math.floor(remainingMs / 1000)));
    // A message's visibility clock may start any time during the long poll: count from its start.
    const requestedAt = this.clock.now();
    const got = await receiveMessages(this.opts.client, this.q, {
      max: room,
      waitSeconds: this.gather.count === 0 ? Math.max(1, waitSeconds) : waitSeconds,
    });
    const after = this.clock.now();
    for (const m of got) {
      if (m.MessageId) this.seen.add(m.MessageId);
      this.carry.push({ message: m, receivedAt: requestedAt });
      this.lastActivity = after;
    }
    this.fill();
    if (!got.length && waitSeconds === 0 && this.gather.count > 0) {
      // Less than a second of window left: short polls, a little apart.
      await this.clock.sleep(Math.min(200, Math.max(0, waitUntil - after)));
    }
  }

  /** Move received records into the batch while they fit; the first that does not stays in `carry`. */
  private fill(): void {
    while (this.carry.length && canTake(this.gather, this.settings)) {
      const next = admit(
        this.gather,
        recordBytes(this.carry[0]!.message.Body ?? "", this.settings.recordOverheadBytes),
        this.settings,
      );
      this.gather = next;
      if (next.pendingBytes !== undefined) break;
      this.held.push(this.carry.shift()!);
    }
  }

  private async invoke(trigger: Trigger): Promise<void> {
    const batch = this.held;
    this.held = [];
    const n = this.invocations.length + 1;
    const records = batch.map((h) => toLambdaRecord(h.message, this.q));
    const { outcome, error: failed } = await this.call(records, n);
    const s = settle(
      records.map((r) => r.messageId),
      failed ? "threw" : outcome?.response,
    );
    const error =
      failed ??
      (s.wholeBatchFailed ? "response names a record that is not in the batch: whole batch failed" : undefined);
    const handleOf = new Map(batch.map((h) => [h.message.MessageId!, h.message.ReceiptHandle!]));
    const refused = await deleteMessages(
      this.opts.client,
      this.q.url,
      s.deleteIds.map((id) => handleOf.get(id)!),
    );
    for (const why of refused) this.note(`warning: could not delete a record (${why}); it will be delivered again`);
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
    this.invocations.push(report);
    this.opts.onInvocation?.(report);
    const end = this.clock.now();
    this.lastActivity = end;
    // The next window starts when this invocation ends; records that did not fit open it.
    this.gather = newGather(end);
    this.fill();
  }

  /** A handler that throws or overruns its timeout is a failed invocation, as in Lambda: the whole batch stays. */
  private async call(records: SQSRecord[], n: number): Promise<Called> {
    const timeoutMs = this.opts.handlerTimeoutMs;
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      const timedOut = new Promise<"timeout">((resolve) => {
        timer = setTimeout(() => resolve("timeout"), timeoutMs);
      });
      const r = await Promise.race([
        this.opts.invoke({ Records: records }, { deadline: this.clock.now() + timeoutMs, n }),
        timedOut,
      ]);
      return r === "timeout" ? { error: `handler timed out after ${timeoutMs / 1000}s` } : { outcome: r };
    } catch (err) {
      return { error: `handler threw: ${err instanceof Error ? err.message.split("\n")[0] : String(err)}` };
    } finally {
      clearTimeout(timer);
    }
  }

  /** Abandoning a gather: make its messages visible now instead of after their visibility timeout. */
  async release(): Promise<void> {
    const all = [...this.held, ...this.carry];
    if (!all.length) return;
    await releaseMessages(
      this.opts.client,
      this.q.url,
      all.map((h) => h.message.ReceiptHandle!),
    );
    this.released += all.length;
    this.held = [];
    this.carry = [];
  }
}

export async function runLocal(opts: RunnerOptions): Promise<RunResult> {
  const settings = validateSettings(opts.settings);
  const { client } = opts;
  const q = await describeQueue(client, opts.queue);
  checkVisibilityTimeout(q.visibilityTimeoutMs, settings.windowMs, opts.handlerTimeoutMs);
  const dlqBefore = q.dlq ? await queueDepth(client, q.dlq.url) : 0;
  const runner = new LocalRunner(opts, settings, q);
  try {
    await runner.run();
  } catch (err) {
    // Do not leave a gathered batch invisible for its whole timeout because a call failed.
    await runner.release().catch(() => {});
    throw err;
  }
  const dlqAfter = q.dlq ? await queueDepth(client, q.dlq.url) : 0;
  const { invocations } = runner;
  return {
    queueUrl: q.url,
    invocations,
    summary: {
      messages: runner.seen.size,
      batches: invocations.length,
      digests: invocations.filter((i) => i.posted).length,
      failedRecords: invocations.reduce((sum, i) => sum + i.failures, 0),
      dlq: q.dlq ? Math.max(0, dlqAfter - dlqBefore) : null,
    },
    stoppedBy: runner.stoppedBy,
    released: runner.released,
  };
}
