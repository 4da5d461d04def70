// `traildigest queue stats`: the queue's counts, settings, redrive policy and its DLQ's counts.
import { defineCommand } from "../command.js";
import type { StatsOpts } from "../../../app/queue.js";

export default defineCommand({
  name: "stats",
  description: "message counts, visibility timeout, retention, redrive policy and the DLQ's counts",
  options: [{ flags: "--queue <name|url|arn>", description: "the queue (default: queue.name from the config file)" }],
  examples: [
    "traildigest queue stats                                the queue named in the config file",
    "traildigest queue stats --queue arn:aws:sqs:us-east-1:123456789012:traildigest-events --json",
  ],
  async run(ctx, o: StatsOpts) {
    const [{ queueStatsCommand }, { renderStats }] = await Promise.all([
      import("../../../app/queue.js"),
      import("../../render/queue.js"),
    ]);
    const data = await queueStatsCommand(ctx, o);
    return { data, render: (_d, ui) => renderStats(data, ui) };
  },
});
