// `queue stats` and `queue peek`: the SQS queue between EventBridge and the Lambda (its counts, redrive
// policy and DLQ; a peek that never deletes or dead-letters). Rendering is cli/render/queue.ts.
import type { QueueStats } from "../adapters/aws/sqs.js";
import type { PeekResult } from "../adapters/aws/sqs-peek.js";
import { plural } from "../core/text/text.js";
import { say } from "./report.js";
import type { RunContext } from "./run-context.js";

export interface StatsOpts {
  queue?: string;
}
export interface PeekOpts {
  queue?: string;
  max: number;
  dlq?: boolean;
  wait: number;
  /** --no-requeue sets this false. */
  requeue: boolean;
}

/** --queue, else the config file's queue.name; an ARN or AWS URL names its region (app/context.ts). */
async function target(ctx: RunContext, queueArg: string | undefined) {
  const { resolveQueueTarget } = await import("./context.js");
  return resolveQueueTarget(ctx.opts, queueArg, { cwd: ctx.cwd });
}

export async function queueStatsCommand(ctx: RunContext, o: StatsOpts): Promise<QueueStats> {
  const t = await target(ctx, o.queue);
  const [{ awsClient }, q] = await Promise.all([
    import("../adapters/aws/clients.js"),
    import("../adapters/aws/sqs.js"),
  ]);
  const client = await awsClient("sqs", { ...ctx.opts, ...t.aws });
  const ref = await q.resolveQueue(client, t.queue);
  const data: QueueStats = await q.queueStats(client, ref);
  const ui = say(ctx.report);
  if (data.dlq && data.dlq.visible + data.dlq.inFlight + data.dlq.delayed > 0) {
    const n = data.dlq.visible + data.dlq.inFlight + data.dlq.delayed;
    ui.warn(
      `the dead-letter queue holds ${plural(n, "message")}: messages received more than ${data.queue.redrive?.maxReceiveCount ?? "maxReceiveCount"} times without being deleted (the Lambda failed them); read them with \`traildigest queue peek --dlq\``,
    );
  }
  if (!data.queue.redrive)
    ui.warn("the queue has no redrive policy: a message the Lambda cannot process retries until retention expires");
  return data;
}

export interface Peeked {
  result: PeekResult;
  maxReceiveCount: number | null;
  data: {
    queue: { url: string; dlq: boolean; maxReceiveCount: number | null };
    messages: Omit<PeekResult["messages"][number], "unreadable">[];
    peek: Omit<PeekResult, "messages">;
    warnings: string[];
  };
}

export async function peekCommand(ctx: RunContext, o: PeekOpts): Promise<Peeked> {
  const t = await target(ctx, o.queue);
  const [{ awsClient }, q] = await Promise.all([
    import("../adapters/aws/clients.js"),
    import("../adapters/aws/sqs-peek.js"),
  ]);
  const client = await awsClient("sqs", { ...ctx.opts, ...t.aws });
  const ui = say(ctx.report);
  // The one peek (adapters/aws/sqs-peek.ts), with the same arguments `notify … --from-queue` gives it.
  const { url, maxReceiveCount, result, warnings } = await q.peekQueue(
    client,
    { queue: t.queue, max: o.max, dlq: Boolean(o.dlq), waitSeconds: o.wait, requeue: o.requeue },
    (text) => ui.progress(text),
  );
  for (const w of warnings) ui.warn(w);
  const { messages, ...peek } = result;
  const data = {
    queue: { url, dlq: Boolean(o.dlq), maxReceiveCount },
    messages: messages.map(({ unreadable: _u, ...m }) => m),
    peek,
    warnings,
  };
  return { result, maxReceiveCount, data };
}
