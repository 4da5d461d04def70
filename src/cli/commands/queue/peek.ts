// `traildigest queue peek`: look at messages without deleting them or moving any to the DLQ.
import { defineCommand, intOption } from "../command.js";
import type { PeekOpts } from "../../../app/queue.js";

export default defineCommand({
  name: "peek",
  description: "look at messages without deleting them or moving any to the DLQ (each is received once, then released)",
  options: [
    { flags: "--queue <name|url|arn>", description: "the queue (default: queue.name from the config file)" },
    {
      flags: "--max <n>",
      description: "distinct messages to show",
      parse: intOption("--max", { max: 1000 }),
      default: 10,
    },
    { flags: "--dlq", description: "peek the dead-letter queue instead (found from the queue's redrive policy)" },
    {
      flags: "--wait <seconds>",
      description: "long-poll seconds per receive (0-20)",
      parse: intOption("--wait", { min: 0, max: 20 }),
      default: 2,
    },
    {
      flags: "--no-requeue",
      description: "never re-queue a message the peek brought near the DLQ (report it instead)",
    },
  ],
  notes: `SQS has no true peek. This receives each message once, holding it hidden for up to 15 s, then makes
every held message visible again at once (also on Ctrl-C and errors). Each peek spends one receive per
message; a message left with fewer than 2 receives before maxReceiveCount is replaced by a fresh copy
(receive count 0, new message ID), so no number of peeks moves a message to the DLQ. See docs/safety.md.`,
  examples: [
    "traildigest queue peek --dlq                           what the Lambda failed (the safe peek)",
    "traildigest queue peek --queue traildigest-events --max 5",
  ],
  async run(ctx, o: PeekOpts) {
    const [{ peekCommand }, { renderPeek }] = await Promise.all([
      import("../../../app/queue.js"),
      import("../../render/queue.js"),
    ]);
    const { result, maxReceiveCount, data } = await peekCommand(ctx, o);
    return {
      data,
      render: (_d, ui) => renderPeek(result, maxReceiveCount, ui, { url: data.queue.url, lookedIn: data.lookedIn }),
    };
  },
});
