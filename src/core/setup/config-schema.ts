// The config's schema, defaults and cross-field checks (pure: reading the file is
// adapters/files/config-file.ts). Validation runs before any AWS call and every error names the field path (exit 2).
import { z } from "zod";
import { UsageError } from "../errors.js";
import { isTimeZone } from "../time/zoned-time.js";
import * as scheduleExpression from "../schedule/schedule-expression.js";
import { ROLE_ARN_RE, SQS_ARN_RE } from "../aws/arn.js";

/** Marker put in the Description of every schedule setup creates; its one home is managed-marker.ts. */
export { SCHEDULE_MARKER } from "./managed-marker.js";

const name = z
  .string()
  .min(1)
  .max(80)
  .regex(/^[A-Za-z0-9_-]+$/, "letters, digits, - and _ only");
const int = (min: number, max: number) => z.number().int().min(min).max(max);

const webhookSchema = z
  .union([
    z.strictObject({ secretId: z.string().min(1) }),
    z.strictObject({ parameter: z.string().min(1) }),
    z.strictObject({ env: z.literal(true) }),
  ])
  .describe(
    'Where the function reads the Slack webhook URL: {"secretId": …} (Secrets Manager) or {"parameter": …} (SSM SecureString); setup creates it from SLACK_WEBHOOK_URL when missing and never overwrites it. {"env": true} is refused: a URL in the function\'s environment is plain text to anyone with lambda:GetFunctionConfiguration.',
  );

const scheduleSchema = z.strictObject({
  name: z
    .string()
    .min(1)
    .max(64)
    .regex(/^[0-9a-zA-Z-_.]+$/, "letters, digits, -, _ and . only")
    .describe("The schedule's name; unique within its group."),
  group: z
    .string()
    .min(1)
    .max(64)
    .regex(/^[0-9a-zA-Z-_.]+$/, "letters, digits, -, _ and . only")
    .default("default")
    .describe("Schedule group; created when missing."),
  expression: z
    .string()
    .min(1)
    .describe("cron(…), rate(…) or at(…), validated before any AWS call (docs/schedule-expressions.md)."),
  timezone: z.string().min(1).default("UTC").describe("ScheduleExpressionTimezone: an IANA zone such as Asia/Seoul."),
  cluster: z
    .string()
    .min(1)
    .describe(
      "ECS cluster: Cluster in the Input of the universal target arn:aws:scheduler:::aws-sdk:ecs:updateService.",
    ),
  service: z.string().min(1).describe("ECS service: Service in the target's Input."),
  desiredCount: int(0, 100_000).describe(
    "DesiredCount in the target's Input: the count the schedule scales the service to.",
  ),
  roleArn: z
    .string()
    .regex(ROLE_ARN_RE, "an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME)")
    .describe(
      "The role Scheduler assumes: trusts scheduler.amazonaws.com and allows ecs:UpdateService. setup does not create it.",
    ),
  /** Omitted → FlexibleTimeWindow OFF. */
  flexibleWindowMinutes: int(1, 1440)
    .optional()
    .describe("FlexibleTimeWindow in minutes; unset means OFF (fires at the scheduled minute)."),
  retryPolicy: z
    .strictObject({
      maximumRetryAttempts: int(0, 185)
        .default(185)
        .describe("Scheduler's retry policy: retries of a failed invocation."),
      maximumEventAgeSeconds: int(60, 86_400)
        .default(86_400)
        .describe("Scheduler's retry policy: seconds an invocation is retried for at most."),
    })
    .prefault({}),
  deadLetterArn: z
    .string()
    .regex(SQS_ARN_RE, "an SQS queue ARN")
    .optional()
    .describe("An SQS queue for runs that finally fail."),
  state: z.enum(["ENABLED", "DISABLED"]).default("ENABLED").describe("Whether the schedule fires."),
});

export const configSchema = z.strictObject({
  $schema: z.string().optional().describe("Ignored; lets an editor find a JSON Schema."),
  region: z
    .string()
    .regex(/^[a-z]{2}(-[a-z]+)+-\d$/, "an AWS region such as us-east-1")
    .optional()
    .describe(
      "Where everything is created. Last in the region chain: --region > AWS_REGION > AWS_DEFAULT_REGION > the profile's > this.",
    ),
  queue: z
    .strictObject({
      name: name.default("traildigest-events").describe("The SQS queue the rule sends to and the mapping reads."),
      /** Default: 6 × function timeout + batching window (AWS's recommendation). */
      visibilityTimeout: int(0, 43_200)
        .optional()
        .describe(
          "Seconds. Unset: 6 × function.timeout + batching.windowSeconds (AWS's recommendation; 660 with the defaults). Below function.timeout it is refused (Lambda rejects such a mapping); below the recommendation doctor warns.",
        ),
      retentionSeconds: int(60, 1_209_600).default(345_600).describe("Seconds a message is kept (345600 = 4 days)."),
    })
    .prefault({}),
  dlq: z
    .strictObject({
      name: name
        .default("traildigest-events-dlq")
        .describe("The dead-letter queue (redrive from queue); must differ from queue.name."),
      retentionSeconds: int(60, 1_209_600)
        .default(1_209_600)
        .describe("Seconds (1209600 = 14 days): keep failures longer than the source queue."),
      maxReceiveCount: int(1, 1000)
        .default(5)
        .describe("Receives before a message moves to the DLQ; AWS recommends at least 5."),
    })
    .prefault({}),
  rule: z
    .strictObject({
      // EventBridge rule names are at most 64 characters (queue names may have 80).
      name: name.max(64).default("traildigest-ecs-updateservice").describe("EventBridge rule on the default bus."),
      eventNames: z
        .array(z.string().regex(/^[A-Za-z]+$/, "an API call name such as UpdateService"))
        .min(1)
        .default(["UpdateService"])
        .describe("ECS API calls to match (detail.eventName)."),
      /** Which calls the rule sends: docs/call-kinds.md (rule-scope.ts renders the pattern). */
      scope: z
        .strictObject({
          calls: z
            .enum(["all", "scale"])
            .default("all")
            .describe(
              '"all" sends every matching call; "scale" only calls that set a desired count (docs/call-kinds.md).',
            ),
          autoScaling: z
            .boolean()
            .default(true)
            .describe("false leaves out calls by Application Auto Scaling (its service-linked role)."),
          deploys: z
            .boolean()
            .default(true)
            .describe(
              "false leaves out deploys that set no desired count (task definition, platform version, forced redeployment).",
            ),
        })
        .prefault({}),
    })
    .prefault({}),
  function: z
    .strictObject({
      name: name.max(64).default("traildigest-digest").describe("The Lambda function."),
      memory: int(128, 10_240).default(256).describe("MB."),
      timeout: int(1, 900).default(60).describe("Seconds."),
      runtime: z.enum(["nodejs22.x", "nodejs20.x"]).default("nodejs22.x").describe("doctor warns about nodejs20.x."),
      roleName: name
        .max(64)
        .default("traildigest-digest-role")
        .describe("Its execution role. IAM is global: use a different name per region if you deploy to several."),
      digestTimezone: z
        .string()
        .min(1)
        .default("UTC")
        .describe("DIGEST_TIMEZONE: the IANA zone of the digest's time range."),
      webhook: webhookSchema.default({ secretId: "traildigest/slack-webhook" }),
    })
    .prefault({}),
  batching: z
    .strictObject({
      batchSize: int(1, 10_000).default(10).describe("The event source mapping's BatchSize."),
      windowSeconds: int(0, 300)
        .default(300)
        .describe("MaximumBatchingWindowInSeconds; at least 1 when batching.batchSize is above 10."),
      maximumConcurrency: int(2, 1000).optional().describe("ScalingConfig.MaximumConcurrency; unset means no limit."),
    })
    .prefault({}),
  schedules: z
    .array(scheduleSchema)
    .default([])
    .describe("EventBridge Scheduler schedules that scale ECS services; setup creates and updates them."),
});

type Parsed = z.output<typeof configSchema>;
export type WebhookSource = Parsed["function"]["webhook"];
export type ScheduleConfig = Parsed["schedules"][number];
/** A validated config with every default filled in. */
export type Config = Omit<Parsed, "queue" | "$schema"> & {
  queue: Omit<Parsed["queue"], "visibilityTimeout"> & { visibilityTimeout: number };
};

/** AWS's recommended visibility timeout: 6 × function timeout + batching window. */
export function recommendedVisibility(functionTimeout: number, windowSeconds: number): number {
  return 6 * functionTimeout + windowSeconds;
}

/** `["schedules", 2, "expression"]` → `schedules[2].expression`. */
export function fieldPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const p of path) {
    if (typeof p === "number") out += `[${p}]`;
    else out += out ? `.${String(p)}` : String(p);
  }
  return out || "(top level)";
}

/**
 * Validates a parsed document (JSON or YAML) and fills defaults. Throws UsageError listing every
 * problem as `field.path: reason`, prefixed by `source` (the file name).
 */
export function parseConfig(doc: unknown, source = "config"): Config {
  const result = configSchema.safeParse(doc ?? {});
  if (!result.success) {
    const lines = result.error.issues.map((i) => {
      if (i.code === "unrecognized_keys") {
        return i.keys.map((k) => `${fieldPath([...i.path, k])}: unknown field`).join("; ");
      }
      if (i.code === "invalid_union" && fieldPath(i.path) === "function.webhook") {
        return `function.webhook: must be exactly one of {"secretId": "…"}, {"parameter": "…"} or {"env": true}`;
      }
      return `${fieldPath(i.path)}: ${i.message}`;
    });
    throw new UsageError(`${source}: ${lines.join("; ")}`);
  }
  const p = result.data;
  const problems: string[] = [];
  const vis = p.queue.visibilityTimeout ?? recommendedVisibility(p.function.timeout, p.batching.windowSeconds);
  if (vis < p.function.timeout) {
    problems.push(
      `queue.visibilityTimeout: ${vis} s is below function.timeout (${p.function.timeout} s); Lambda refuses such a mapping — use at least ${recommendedVisibility(p.function.timeout, p.batching.windowSeconds)} (6 × timeout + window)`,
    );
  }
  if (p.batching.batchSize > 10 && p.batching.windowSeconds < 1) {
    problems.push(`batching.windowSeconds: must be at least 1 when batching.batchSize is above 10`);
  }
  if ("env" in p.function.webhook) {
    problems.push(
      `function.webhook.env: refused — SLACK_WEBHOOK_URL in the function's environment is plain text in its configuration; use {"secretId": "…"} (setup creates the secret from SLACK_WEBHOOK_URL) or {"parameter": "…"}`,
    );
  }
  if (!isTimeZone(p.function.digestTimezone))
    problems.push(`function.digestTimezone: unknown time zone "${p.function.digestTimezone}"`);
  const seen = new Set<string>();
  p.schedules.forEach((s, i) => {
    const at = `schedules[${i}]`;
    try {
      // Guarded while the parser lands in parallel; always present in a release build.
      if (typeof scheduleExpression.validateScheduleExpression === "function") {
        scheduleExpression.validateScheduleExpression(s.expression);
      }
    } catch (err) {
      problems.push(`${at}.expression: ${(err as Error).message}`);
    }
    if (!isTimeZone(s.timezone)) problems.push(`${at}.timezone: unknown time zone "${s.timezone}"`);
    const key = `${s.group}/${s.name}`;
    if (seen.has(key)) problems.push(`${at}.name: "${s.name}" appears twice in group "${s.group}"`);
    seen.add(key);
  });
  if (p.queue.name === p.dlq.name) problems.push(`dlq.name: must differ from queue.name`);
  if (problems.length) throw new UsageError(`${source}: ${problems.join("; ")}`);
  const { $schema: _ignored, ...rest } = p;
  return { ...rest, queue: { ...p.queue, visibilityTimeout: vis } };
}

/**
 * The yaml module, loaded only for YAML files. yaml ships CommonJS only for Node, and esbuild's
 * code-split bundle exposes a dynamically imported CommonJS module under `default`.
 */
export async function loadYaml(): Promise<typeof import("yaml")> {
  const m = (await import("yaml")) as typeof import("yaml") & { default?: typeof import("yaml") };
  return typeof m.parse === "function" ? m : m.default!;
}

/**
 * Global flags plus the config's region, which comes last in the region chain (app/context.ts):
 * --region > AWS_REGION > AWS_DEFAULT_REGION > the profile's > the config file's.
 */
export function awsOptionsFor(
  opts: { region?: string; profile?: string; endpointUrl?: string; timeoutMs?: number },
  cfg: Pick<Config, "region"> | undefined,
): { region?: string; configRegion?: string; profile?: string; endpointUrl?: string; timeoutMs?: number } {
  return {
    ...(opts.region ? { region: opts.region } : {}),
    ...(cfg?.region ? { configRegion: cfg.region } : {}),
    ...(opts.profile ? { profile: opts.profile } : {}),
    ...(opts.endpointUrl ? { endpointUrl: opts.endpointUrl } : {}),
    ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}),
  };
}
