// `traildigest local run`: consume a queue with the event source mapping's batching rules and run the
// handler's own batch code in-process, printing each digest (or posting it to Slack).
import { defineCommand, intOption } from "../command.js";
import type { RunOptions } from "../../../app/local-run.js";

export default defineCommand({
  name: "run",
  description: "consume a queue with the event source mapping's batching and run the handler in-process",
  options: [
    { flags: "--queue <queue>", description: "queue name or URL", required: true },
    {
      flags: "--batch-size <n>",
      description: "BatchSize: 1–10000 (above 10 needs a window of at least 1s)",
      parse: intOption("--batch-size", { max: 10_000 }),
      default: 10,
    },
    {
      flags: "--window <duration>",
      description: "MaximumBatchingWindowInSeconds as a duration: 0–300s",
      default: "300s",
    },
    { flags: "--sink <sink>", description: "stdout (print each digest) or slack (post it; also printed)" },
    {
      flags: "--webhook-url <url>",
      description: "Slack incoming webhook for --sink slack (default: SLACK_WEBHOOK_URL); never printed",
    },
    {
      flags: "--until-empty",
      description: "stop once the queue has stayed empty for one window (otherwise run until Ctrl-C)",
    },
    {
      flags: "--handler-timeout <duration>",
      description: "the function timeout: an invocation running longer fails as a whole",
      default: "30s",
    },
    { flags: "--timezone <tz>", description: "time zone of the digest's time range (default: DIGEST_TIMEZONE or UTC)" },
  ],
  notes: `Invokes when --batch-size messages are gathered, when the window has passed, or when the payload would
exceed 6 MB, whichever comes first; the window starts when the previous invocation ends. Records named
in batchItemFailures (and the whole batch when the handler throws or times out) are left to reappear
after the queue's visibility timeout, as with the real mapping; the rest are deleted. One line per
invocation goes to stderr. Ctrl-C stops cleanly: a batch being gathered is made visible again at once.

The queue's visibility timeout must be at least --window + --handler-timeout.`,
  examples: [
    "traildigest local run --queue traildigest-events --endpoint-url http://127.0.0.1:4566 --window 10s",
    "traildigest local run --queue traildigest-events --window 2s --until-empty --json",
    'traildigest local run --queue traildigest-events --sink slack --webhook-url "$SLACK_WEBHOOK_URL"',
  ],
  async run(ctx, o: RunOptions) {
    const [{ localRun }, view] = await Promise.all([
      import("../../../app/local-run.js"),
      import("../../render/local.js"),
    ]);
    const { ui } = ctx;
    const { result, sink, data } = await localRun(ctx, o, {
      registerSecret: ui.registerSecret,
      // With --output json, stdout carries only the result; the digests go into it.
      ...(ui.format === "table"
        ? { showDigest: (message: unknown, n: number) => ui.print(view.digestView(ui, message, n)) }
        : {}),
    });
    return { data, render: () => view.renderSummary(result, ui, sink) };
  },
});
