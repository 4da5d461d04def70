// `traildigest local run`: consume a queue with the event source mapping's batching rules and run
// the handler's own batch code in-process, printing each digest (or posting it to Slack).
import type { Command } from "commander";
import { action, intOption, type Ctx } from "./action.js";
import { parseDuration } from "../lib/duration.js";
import { UsageError } from "../lib/errors.js";
import type { Ui } from "../lib/output.js";
import type { InvocationReport, RunResult } from "../lib/local-runner.js";
import { plural } from "../lib/text.js";

interface RunOptions {
  queue: string;
  batchSize: number;
  window: string;
  sink?: string;
  webhookUrl?: string;
  untilEmpty?: boolean;
  handlerTimeout: string;
  timezone?: string;
}

/** "300s", "5m", or a bare number of seconds (as MaximumBatchingWindowInSeconds). */
function seconds(text: string, flag: string): number {
  return /^\d+$/.test(text.trim()) ? Number(text) * 1000 : parseDuration(text, flag);
}

export function liveLine(r: InvocationReport, sink: "stdout" | "slack" = "slack"): string {
  // "posted" only when it went to Slack; failures= counts records handed back to the queue.
  const digest = r.posted ? (sink === "slack" ? "digest posted" : "digest printed") : r.error ? "no digest" : "nothing to post";
  return `#${r.n}  ${plural(r.records, "record")}  trigger=${r.trigger}  ${digest}  records-returned=${r.failures}${
    r.error ? `  (${r.error})` : ""
  }`;
}

function renderSummary(result: RunResult, ui: Ui, sink: "stdout" | "slack"): string {
  const s = result.summary;
  const rows: [string, string | number][] = [
    ["messages received", s.messages],
    ["batches (invocations)", s.batches],
    [sink === "slack" ? "digests posted" : "digests printed", s.digests],
    ["records left to reappear", s.failedRecords],
    ["sent to the DLQ", s.dlq === null ? "no DLQ configured" : s.dlq],
  ];
  const why =
    result.stoppedBy === "empty"
      ? "stopped: the queue stayed empty for one window"
      : `stopped on request${result.released ? `; ${result.released} held ${result.released === 1 ? "message" : "messages"} made visible again` : ""}`;
  return `${ui.table({ head: ["local run", "total"], rows, align: ["left", "right"] })}\n${ui.c.dim(why)}`;
}

export function register(program: Command): void {
  const local = program
    .command("local")
    .description("Run the pipeline locally against any SQS endpoint")
    .addHelpText(
      "after",
      `
Examples:
  $ npm run demo                                            (in a clone) the whole pipeline on an embedded SQS
  $ traildigest local run --queue traildigest-events --endpoint-url http://127.0.0.1:5000 --until-empty
  $ traildigest local run --queue q --batch-size 25 --window 30s --webhook-url "$SLACK_WEBHOOK_URL"`,
    );

  local
    .command("run")
    .description("consume a queue with the event source mapping's batching and run the handler in-process")
    .requiredOption("--queue <queue>", "queue name or URL")
    .option("--batch-size <n>", "BatchSize: 1–10000 (above 10 needs a window of at least 1s)", intOption("--batch-size", { max: 10_000 }), 10)
    .option("--window <duration>", "MaximumBatchingWindowInSeconds as a duration: 0–300s", "300s")
    .option("--sink <sink>", "stdout (print each digest) or slack (post it; also printed)")
    .option("--webhook-url <url>", "Slack incoming webhook for --sink slack (default: SLACK_WEBHOOK_URL); never printed")
    .option("--until-empty", "stop once the queue has stayed empty for one window (otherwise run until Ctrl-C)")
    .option("--handler-timeout <duration>", "the function timeout: an invocation running longer fails as a whole", "30s")
    .option("--timezone <tz>", "time zone of the digest's time range (default: DIGEST_TIMEZONE or UTC)")
    .addHelpText(
      "after",
      `
Invokes when --batch-size messages are gathered, when the window has passed, or when the payload would
exceed 6 MB, whichever comes first; the window starts when the previous invocation ends. Records named
in batchItemFailures (and the whole batch when the handler throws or times out) are left to reappear
after the queue's visibility timeout, as with the real mapping; the rest are deleted. One line per
invocation goes to stderr. Ctrl-C stops cleanly: a batch being gathered is made visible again at once.

The queue's visibility timeout must be at least --window + --handler-timeout.

Examples:
  $ traildigest local run --queue traildigest-events --endpoint-url http://127.0.0.1:4566 --window 10s
  $ traildigest local run --queue traildigest-events --window 2s --until-empty --json
  $ traildigest local run --queue traildigest-events --sink slack --webhook-url "$SLACK_WEBHOOK_URL"`,
    )
    .action(
      action(async (ctx: Ctx, opts: RunOptions) => {
        const { ui } = ctx;
        const windowMs = seconds(opts.window, "--window");
        const handlerTimeoutMs = seconds(opts.handlerTimeout, "--handler-timeout");
        if (handlerTimeoutMs < 1000 || handlerTimeoutMs > 900_000) {
          throw new UsageError(`--handler-timeout: ${opts.handlerTimeout} is out of range: a Lambda timeout is 1s to 900s`);
        }
        const { validateSettings } = await import("../lib/batching.js");
        const settings = validateSettings({ batchSize: opts.batchSize, windowMs });
        // Names where a bad zone came from (--timezone, DIGEST_TIMEZONE), as notify does.
        const { resolveTimeZone, webhookSource, DEFAULT_TIMEOUT_MS } = await import("../lib/resolve.js");
        const timeZone = await resolveTimeZone(opts.timezone);
        const timeoutMs = ctx.opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;

        const sink = opts.sink ?? (opts.webhookUrl ? "slack" : "stdout");
        if (sink !== "stdout" && sink !== "slack") throw new UsageError(`--sink: "${sink}" is not one of stdout, slack`);
        if (sink === "stdout" && opts.webhookUrl) throw new UsageError("--webhook-url needs --sink slack (or leave --sink out)");
        let webhookUrl: string | undefined;
        const { postMessage, validateWebhookUrl } = await import("../lib/slack.js");
        if (sink === "slack") {
          const { raw, label } = webhookSource(opts.webhookUrl);
          ui.registerSecret(raw);
          ui.registerSecret(raw?.trim()); // validateWebhookUrl trims; the trimmed URL is what gets posted
          webhookUrl = validateWebhookUrl(raw, label);
        }

        const [{ awsClient }, { processBatch }, { renderPreview }, { runLocal }] = await Promise.all([
          import("../lib/aws.js"),
          import("../handler/process.js"),
          import("../lib/preview.js"),
          import("../lib/local-runner.js"),
        ]);
        // An ARN or AWS URL names its region: use it unless --region says otherwise (as `queue` does).
        const { parseQueueArg } = await import("../lib/queue.js");
        const queueRegion = parseQueueArg(opts.queue).region;
        const client = await awsClient("sqs", { ...ctx.opts, ...(!ctx.opts.region && queueRegion ? { region: queueRegion } : {}) });
        // With --output json, stdout carries only the result; the digests go into it.
        const showPreview = ui.format === "table";

        const controller = new AbortController();
        let signals = 0;
        const onSignal = (sig: NodeJS.Signals) => {
          signals++;
          if (signals === 1) {
            ui.info(`${sig}: stopping — finishing the current invocation, releasing messages being gathered (again to quit now)`);
            controller.abort();
          } else {
            process.exit(130);
          }
        };
        process.on("SIGINT", onSignal);
        process.on("SIGTERM", onSignal);

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
            invoke: async (event, { deadline, n }) => {
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
                  if (showPreview) ui.print(`${ui.c.dim(`── digest #${n} ${"─".repeat(50)}`)}\n${renderPreview(message, ui.c)}\n`);
                },
              });
              return { ...outcome, message: showPreview ? undefined : outcome.message, error: postError };
            },
          });
        } finally {
          process.off("SIGINT", onSignal);
          process.off("SIGTERM", onSignal);
          client.destroy?.();
        }
        const data = {
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
        return { data, render: () => renderSummary(result, ui, sink) };
      }),
    );
}
