// `traildigest notify send`: post the digests dry-run shows to a Slack incoming webhook.
import { defineCommand } from "../command.js";
import { INPUT_OPTIONS, withGiven } from "./input-options.js";
import type { SendOptions } from "../../../app/notify.js";

export default defineCommand({
  name: "send",
  description: "post the digest(s) dry-run shows to a Slack incoming webhook",
  options: [
    { flags: "--webhook-url <url>", description: "Slack incoming webhook (default: SLACK_WEBHOOK_URL); never printed" },
    ...INPUT_OPTIONS,
  ],
  examples: [
    "SLACK_WEBHOOK_URL=… traildigest notify send --sample     post the sample digest to Slack",
    'traildigest notify send --input events.json --webhook-url "$SLACK_WEBHOOK_URL" --timeout 10s',
  ],
  async run(ctx, o: SendOptions) {
    const [{ sendDigests }, { sendResult }] = await Promise.all([
      import("../../../app/notify.js"),
      import("../../render/notify.js"),
    ]);
    const opts = withGiven(ctx, o);
    return sendResult(await sendDigests(ctx, opts, ctx.ui.registerSecret), opts);
  },
});
