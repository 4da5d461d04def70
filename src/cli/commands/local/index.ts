// `traildigest local`: run the pipeline locally against any SQS endpoint.
import type { GroupSpec } from "../command.js";
import run from "./run.js";

export const local: GroupSpec = {
  name: "local",
  description: "Run the pipeline locally against any SQS endpoint",
  examples: [
    "npm run demo                                            (in a clone) the whole pipeline on an embedded SQS",
    "traildigest local run --queue traildigest-events --endpoint-url http://127.0.0.1:5000 --until-empty",
    'traildigest local run --queue q --batch-size 25 --window 30s --webhook-url "$SLACK_WEBHOOK_URL"',
  ],
  commands: [run],
};
