// `traildigest notify`: preview (dry-run), post (send) and forecast the Slack digests.
import type { GroupSpec } from "../command.js";
import dryRun from "./dry-run.js";
import send from "./send.js";
import forecast from "./forecast.js";

export const notify: GroupSpec = {
  name: "notify",
  description: "Preview and send Slack digests (the same code the Lambda runs)",
  examples: [
    "traildigest notify dry-run --sample                     preview the digests for a bundled wave of events",
    "traildigest notify dry-run --input event.json --json    the exact webhook payload(s) the Lambda would post",
    "aws sqs receive-message … | traildigest notify dry-run --input -",
    "SLACK_WEBHOOK_URL=… traildigest notify send --sample    post them to Slack",
  ],
  commands: [dryRun, send, forecast],
};
