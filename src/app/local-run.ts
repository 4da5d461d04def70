// `local run`: check the flags, make the SQS client and the sink (stdout or Slack), then drive the local
// runner (local-runner.ts) with the handler's own batch code. Ctrl-C stops cleanly (RunContext.onInterrupt).
import { parseDuration } from "../core/time/duration.js";
import { UsageError } from "../core/errors.js";
import type { InvocationReport, Invoke, RunResult } from "./local-runner.js";
export type { RunResult };
import { plural } from "../core/text/text.js";
import { say } from "./report.js";
import type { RunContext } from "./run-context.js";

export interface RunOptions {
  queue: string;
  batchSize: number;
  window: string;
  sink?: string;
  webhookUrl?: string;
  untilEmpty?: boolean;
  handlerTimeout: string;
  timezone?: string;
}

export type Sink = "stdout" | "slack";

export interface LocalRunHooks {
  /** Keeps the webhook URL out of every output. */
  registerSecret(secret: string | undefined): void;
  /** Each digest as it is made (table output); without it the digests go into the result. */
  showDigest?(message: unknown, n: number): void;
}

export interface LocalRun {
  result: RunResult;
  sink: Sink;
  data: {
    invocations: {
      n: number;
      records: number;
      trigger: string;
      posted: boolean;
      failures: number;
      error?: string;
      message?: unknown;
    }[];
    summary: RunResult["summary"];
    queueUrl: string;
    stoppedBy: RunResult["stoppedBy"];
  };
}

/** "300s", "5m", or a bare number of seconds (as MaximumBatchingWindowInSeconds). */
function seconds(text: string, flag: string): number {
  return /^\d+$/.test(text.trim()) ? Number(text) * 1000 : parseDuration(text, flag);
}

export function liveLine(r: InvocationReport, sink: Sink = "slack"): string {
  // "posted" only when it went to Slack; failures= counts records handed back to the queue.
  const digest = r.posted
    ? sink === "slack"
      ? "digest posted"
      : "digest printed"
    : r.error
      ? "no digest"
      : "nothing to post";
  return `#${r.n}  ${plural(r.records, "record")}  trigger=${r.trigger}  ${digest}  records-returned=${r.failures}${
    r.error ? `  (${r.error})` : ""
  }`;
}

/** The flags, checked before any SQS call; the webhook (for --sink slack) validated and registered as a secret. */
async function checkFlags(ctx: RunContext, opts: RunOptions, hooks: LocalRunHooks) {
  const windowMs = seconds(opts.window, "--window");
  const handlerTimeoutMs = seconds(opts.handlerTimeout, "--handler-timeout");
  if (handlerTimeoutMs < 1000 || handlerTimeoutMs > 900_000) {
    throw new UsageError(`--handler-timeout: ${opts.handlerTimeout} is out of range: a Lambda timeout is 1s to 900s`);
  }
  const [{ validateSettings }, { resolveZone, webhookSource }, { validateWebhookUrl }] = await Promise.all([
    import("../core/batching/batching.js"),
    import("./context.js"),
    import("../adapters/slack.js"),
  ]);
  const settings = validateSettings({ batchSize: opts.batchSize, windowMs });
  // Names where a bad zone came from (--timezone, DIGEST_TIMEZONE), as notify does.
  const timeZone = (await resolveZone(opts.timezone, { fallback: "UTC" }, ctx.env)).timeZone!;
  const sink = opts.sink ?? (opts.webhookUrl ? "slack" : "stdout");
  if (sink !== "stdout" && sink !== "slack") throw new UsageError(`--sink: "${sink}" is not one of stdout, slack`);
  if (sink === "stdout" && opts.webhookUrl)
    throw new UsageError("--webhook-url needs --sink slack (or leave --sink out)");
  let webhookUrl: string | undefined;
  if (sink === "slack") {
    const { raw, label } = webhookSource(opts.webhookUrl, ctx.env);
    hooks.registerSecret(raw);
    hooks.registerSecret(raw?.trim()); // validateWebhookUrl trims; the trimmed URL is what gets posted
    webhookUrl = validateWebhookUrl(raw, label);
  }
  return { windowMs, handlerTimeoutMs, settings, timeZone, sink: sink as Sink, webhookUrl };
}

type Ui = ReturnType<typeof say>;

/** The SQS client: an ARN or AWS URL names its region, used unless --region says otherwise (as `queue` does). */
async function queueClient(ctx: RunContext, queue: string) {
  const [{ awsClient }, { parseQueueArg }] = await Promise.all([
    import("../adapters/aws/clients.js"),
    import("../adapters/aws/sqs.js"),
  ]);
  const queueRegion = parseQueueArg(queue).region;
  return awsClient("sqs", {
    ...ctx.opts,
    ...(!ctx.opts.region && queueRegion ? { region: queueRegion } : {}),
  });
}

/** One invocation: the handler's own batch code, posting to Slack (with a webhook) and showing each digest. */
async function invoker(
  ctx: RunContext,
  ui: Ui,
  hooks: LocalRunHooks,
  s: { timeZone: string; webhookUrl: string | undefined },
): Promise<Invoke> {
  const [{ DEFAULT_TIMEOUT_MS }, { postMessage }, { processBatch }] = await Promise.all([
    import("../adapters/aws/env.js"),
    import("../adapters/slack.js"),
    import("../handler/process.js"),
  ]);
  const timeoutMs = ctx.opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const { timeZone, webhookUrl } = s;
  return async (event, { deadline, n }) => {
    let postError: string | undefined;
    const outcome = await processBatch(event, {
      deadline,
      timeZone,
      log: (line) => {
        ui.debug(line);
        // The handler's structured log says why a post failed; surface it on the live line.
        try {
          const e = (JSON.parse(line) as { error?: unknown }).error;
          if (typeof e === "string") postError = `digest not posted: ${e}`;
        } catch {
          /* not JSON: nothing to surface */
        }
      },
      post: async (message, postOpts) => {
        if (webhookUrl) {
          await postMessage(webhookUrl, message, {
            deadline: Math.min(postOpts.deadline, Date.now() + timeoutMs),
            attemptTimeoutMs: Math.min(10_000, timeoutMs),
            log: (l) => ui.debug(l),
          });
        }
        hooks.showDigest?.(message, n);
      },
    });
    // With --output json, stdout carries only the result; the digests go into it.
    return { ...outcome, message: hooks.showDigest ? undefined : outcome.message, error: postError };
  };
}

function runData(result: RunResult): LocalRun["data"] {
  return {
    invocations: result.invocations.map((r) => ({
      n: r.n,
      records: r.records,
      trigger: r.trigger,
      posted: r.posted,
      failures: r.failures,
      ...(r.error ? { error: r.error } : {}),
      ...(r.message ? { message: r.message } : {}),
    })),
    summary: result.summary,
    queueUrl: result.queueUrl,
    stoppedBy: result.stoppedBy,
  };
}

export async function localRun(ctx: RunContext, opts: RunOptions, hooks: LocalRunHooks): Promise<LocalRun> {
  const ui = say(ctx.report);
  const { windowMs, handlerTimeoutMs, settings, timeZone, sink, webhookUrl } = await checkFlags(ctx, opts, hooks);
  const [{ runLocal }, invoke] = await Promise.all([
    import("./local-runner.js"),
    invoker(ctx, ui, hooks, { timeZone, webhookUrl }),
  ]);
  const client = await queueClient(ctx, opts.queue);

  const controller = new AbortController();
  const release = ctx.onInterrupt((sig) => {
    ui.info(
      `${sig}: stopping — finishing the current invocation, releasing messages being gathered (again to quit now)`,
    );
    controller.abort();
  });
  ui.info(
    `local run: BatchSize ${settings.batchSize}, window ${windowMs / 1000}s, handler timeout ${handlerTimeoutMs / 1000}s, ` +
      `sink ${sink}${opts.untilEmpty ? ", until the queue is empty" : " (Ctrl-C to stop)"}`,
  );
  let result: RunResult;
  try {
    result = await runLocal({
      client,
      queue: opts.queue,
      settings,
      handlerTimeoutMs,
      untilEmpty: Boolean(opts.untilEmpty),
      signal: controller.signal,
      onNote: (line) => ui.info(line),
      onInvocation: (r) => ui.info(liveLine(r, sink)),
      invoke,
    });
  } finally {
    release();
    client.destroy?.();
  }
  return { result, sink, data: runData(result) };
}
