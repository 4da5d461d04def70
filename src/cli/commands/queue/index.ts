// `traildigest queue`: the SQS queue between EventBridge and the Lambda.
import type { GroupSpec } from "../command.js";
import stats from "./stats.js";
import peek from "./peek.js";

export const queue: GroupSpec = {
  name: "queue",
  description: "The SQS queue between EventBridge and the Lambda",
  examples: [
    "traildigest queue stats                                 the config file's queue and its DLQ",
    "traildigest queue stats --queue traildigest-events --json",
    "traildigest queue peek --dlq --max 5                    what ended up in the dead-letter queue (never deletes)",
  ],
  commands: [stats, peek],
};
