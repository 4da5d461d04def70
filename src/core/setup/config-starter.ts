// The starter file `traildigest init` writes: it deploys as it is (no schedules yet), with AWS's
// recommended numbers spelled out so people can see and change them.
import { loadYaml, recommendedVisibility } from "./config-schema.js";

const FUNCTION_TIMEOUT = 60;
const WINDOW = 300;

export function starterConfig(region?: string): Record<string, unknown> {
  return {
    ...(region ? { region } : {}),
    queue: {
      name: "traildigest-events",
      // 6 × function timeout + batching window (AWS's recommendation for SQS → Lambda).
      visibilityTimeout: recommendedVisibility(FUNCTION_TIMEOUT, WINDOW),
      retentionSeconds: 345_600,
    },
    dlq: { name: "traildigest-events-dlq", retentionSeconds: 1_209_600, maxReceiveCount: 5 },
    rule: { name: "traildigest-ecs-updateservice", eventNames: ["UpdateService"] },
    function: {
      name: "traildigest-digest",
      memory: 256,
      timeout: FUNCTION_TIMEOUT,
      runtime: "nodejs22.x",
      roleName: "traildigest-digest-role",
      digestTimezone: "UTC",
      webhook: { secretId: "traildigest/slack-webhook" },
    },
    batching: { batchSize: 10, windowSeconds: WINDOW },
    schedules: [],
  };
}

const YAML_EXAMPLE = `
# Add one entry per service and direction, e.g.:
# schedules:
#   - name: nestjs-night-down
#     group: traildigest          # created by setup when missing
#     expression: cron(0 22 ? * MON-FRI *)
#     timezone: Europe/Berlin
#     cluster: dev
#     service: nestjs
#     desiredCount: 0
#     roleArn: arn:aws:iam::123456789012:role/scheduler-ecs-update
#     flexibleWindowMinutes: 5    # omit for an exact time
#     retryPolicy: { maximumRetryAttempts: 3, maximumEventAgeSeconds: 3600 }
`;

/** The file text for `format`. */
export async function renderStarter(format: "json" | "yaml", region?: string): Promise<string> {
  const cfg = starterConfig(region);
  if (format === "json") return JSON.stringify(cfg, null, 2) + "\n";
  const { stringify } = await loadYaml();
  const head =
    "# traildigest config — every field is explained in docs/config-reference.md of the traildigest source.\n" +
    "# The webhook is read from the Secrets Manager secret below; `setup apply` creates it from\n" +
    "# SLACK_WEBHOOK_URL when it does not exist (the value is never printed).\n";
  return head + stringify(cfg) + YAML_EXAMPLE;
}
