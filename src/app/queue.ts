// `queue stats` and `queue peek`: the SQS queue between EventBridge and the Lambda (its counts, redrive
// policy and DLQ; a peek that never deletes or dead-letters). Rendering is cli/render/queue.ts.
import { UsageError } from "../core/errors.js";
import type { PeekResult, QueueStats } from "../adapters/aws/sqs.js";
import { plural } from "../core/text/text.js";
import { say } from "./report.js";
import type { GlobalOptions, RunContext } from "./run-context.js";

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

/** --queue, else the config file's queue.name; region from the flags, else the config. */
async function target(ctx: RunContext, queueArg: string | undefined) {
  const [{ loadConfig }, { awsOptionsFor }, { parseQueueArg }] = await Promise.all([
    import("../adapters/files/config-file.js"),
    import("../core/setup/config-schema.js"),
    import("../adapters/aws/sqs.js"),
  ]);
  const opts: GlobalOptions = ctx.opts;
  const cfg = await loadConfig(opts.config, ctx.cwd);
  const queue = queueArg ?? cfg?.queue.name;
  if (!queue) {
    throw new UsageError(
      "--queue is required (or a traildigest.config.json / .yaml with queue.name in this directory)",
    );
  }
  const parsed = parseQueueArg(queue);
  const aws = awsOptionsFor(opts, cfg);
  // An ARN or AWS URL names its region: use it unless --region says otherwise.
  if (!opts.region && parsed.region) aws.region = parsed.region;
  return { queue, aws, cfg };
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
    import("../adapters/aws/sqs.js"),
  ]);
  const client = await awsClient("sqs", { ...ctx.opts, ...t.aws });
  const main = await q.resolveQueue(client, t.queue);
  const counts = await q.queueCounts(client, main.url);
  let url = main.url;
  if (o.dlq) {
    if (!counts.redrive) {
      throw new UsageError(`queue "${main.name}" has no redrive policy, so no dead-letter queue to peek`);
    }
    url = (await q.resolveQueue(client, counts.redrive.dlqArn)).url;
  }
  const maxReceiveCount = o.dlq ? null : (counts.redrive?.maxReceiveCount ?? null);
  const ui = say(ctx.report);
  const spin = ui.progress(
    `receiving from ${url.split("/").pop()} (held for up to ${q.HOLD_SECONDS} s, then released)…`,
  );
  let result;
  try {
    result = await q.peekMessages(client, url, {
      max: o.max,
      waitSeconds: o.wait,
      maxReceiveCount,
      requeue: o.requeue,
    });
  } finally {
    spin.stop();
  }
  const warnings = q.peekWarnings(result, maxReceiveCount, Boolean(o.dlq));
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
