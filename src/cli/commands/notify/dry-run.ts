// `traildigest notify dry-run`: the digests the handler would post, written as they are made.
import { defineCommand } from "../command.js";
import { INPUT_OPTIONS, withGiven } from "./input-options.js";
import type { NotifyOptions } from "../../../app/notify.js";

export default defineCommand({
  name: "dry-run",
  description: "render the digest(s) exactly as the handler would, without posting",
  options: INPUT_OPTIONS,
  notes: `A Lambda SQS event ({"Records":[SQS records]}) is one batch, as the handler receives it; any other
document is cut into --batch-size batches in time order. NDJSON is streamed: batches in the order it arrives.
--output json prints {"messages":[<exact Slack webhook payloads>],"stats":{"events","duplicates","invalid","batches"}}.`,
  examples: [
    "traildigest notify dry-run --sample                    the digest for a bundled wave of 32 events",
    "traildigest notify dry-run --input events.json --timezone Asia/Seoul",
  ],
  async run(ctx, o: NotifyOptions) {
    const [notify, view, { outputWriter }] = await Promise.all([
      import("../../../app/notify.js"),
      import("../../render/notify.js"),
      import("../../output/output.js"),
    ]);
    const opts = withGiven(ctx, o);
    const opened = await notify.openSource(ctx, opts);
    const out = outputWriter(ctx.ui, ctx.io);
    const { summary, count } = await view.writeDryRun(ctx.ui, out, opened, opts, (onMessage, onEvent) =>
      notify.digestOpened(opened, onMessage, onEvent),
    );
    notify.reportRead(ctx.report, summary, count, opened.source.label, opened.narrowed);
    return { data: {}, written: true };
  },
});
