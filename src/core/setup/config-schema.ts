// The config's schema, defaults and cross-field checks (pure: reading the file is
// adapters/files/config-file.ts). Validation runs before any AWS call and every error names the field path (exit 2).
import { z } from "zod";
import { UsageError } from "../errors.js";
import { isTimeZone } from "../time/zoned-time.js";
import * as scheduleExpression from "../schedule/schedule-expression.js";

/** Marker put in the Description of every schedule setup creates; its one home is managed-marker.ts. */
export { SCHEDULE_MARKER } from "./managed-marker.js";

const name = z.string().min(1).max(80).regex(/^[A-Za-z0-9_-]+$/, "letters, digits, - and _ only");
const int = (min: number, max: number) => z.number().int().min(min).max(max);

const webhookSchema = z.union([
  z.strictObject({ secretId: z.string().min(1) }),
  z.strictObject({ parameter: z.string().min(1) }),
  z.strictObject({ env: z.literal(true) }),
]);

const scheduleSchema = z.strictObject({
  name: z.string().min(1).max(64).regex(/^[0-9a-zA-Z-_.]+$/, "letters, digits, -, _ and . only"),
  group: z.string().min(1).max(64).regex(/^[0-9a-zA-Z-_.]+$/, "letters, digits, -, _ and . only").default("default"),
  expression: z.string().min(1),
  timezone: z.string().min(1).default("UTC"),
  cluster: z.string().min(1),
  service: z.string().min(1),
  desiredCount: int(0, 100_000),
  roleArn: z.string().regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/.+/, "an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME)"),
  /** Omitted → FlexibleTimeWindow OFF. */
  flexibleWindowMinutes: int(1, 1440).optional(),
  retryPolicy: z
    .strictObject({
      maximumRetryAttempts: int(0, 185).default(185),
      maximumEventAgeSeconds: int(60, 86_400).default(86_400),
    })
    .prefault({}),
  deadLetterArn: z.string().regex(/^arn:aws[a-z-]*:sqs:/, "an SQS queue ARN").optional(),
  state: z.enum(["ENABLED", "DISABLED"]).default("ENABLED"),
});

export const configSchema = z.strictObject({
  $schema: z.string().optional(),
  region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, "an AWS region such as us-east-1").optional(),
  queue: z
    .strictObject({
      name: name.default("traildigest-events"),
      /** Default: 6 × function timeout + batching window (AWS's recommendation). */
      visibilityTimeout: int(0, 43_200).optional(),
      retentionSeconds: int(60, 1_209_600).default(345_600),
    })
    .prefault({}),
  dlq: z
    .strictObject({
      name: name.default("traildigest-events-dlq"),
      retentionSeconds: int(60, 1_209_600).default(1_209_600),
      maxReceiveCount: int(1, 1000).default(5),
    })
    .prefault({}),
  rule: z
    .strictObject({
      // EventBridge rule names are at most 64 characters (queue names may have 80).
      name: name.max(64).default("traildigest-ecs-updateservice"),
      eventNames: z.array(z.string().regex(/^[A-Za-z]+$/, "an API call name such as UpdateService")).min(1).default(["UpdateService"]),
      /** Which calls the rule sends: docs/call-kinds.md (rule-scope.ts renders the pattern). */
      scope: z
        .strictObject({
          calls: z.enum(["all", "scale"]).default("all"),
          autoScaling: z.boolean().default(true),
          deploys: z.boolean().default(true),
        })
        .prefault({}),
    })
    .prefault({}),
  function: z
    .strictObject({
      name: name.max(64).default("traildigest-digest"),
      memory: int(128, 10_240).default(256),
      timeout: int(1, 900).default(60),
      runtime: z.enum(["nodejs22.x", "nodejs20.x"]).default("nodejs22.x"),
      roleName: name.max(64).default("traildigest-digest-role"),
      digestTimezone: z.string().min(1).default("UTC"),
      webhook: webhookSchema.default({ secretId: "traildigest/slack-webhook" }),
    })
    .prefault({}),
  batching: z
    .strictObject({
      batchSize: int(1, 10_000).default(10),
      windowSeconds: int(0, 300).default(300),
      maximumConcurrency: int(2, 1000).optional(),
    })
    .prefault({}),
  schedules: z.array(scheduleSchema).default([]),
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
  if (!isTimeZone(p.function.digestTimezone)) problems.push(`function.digestTimezone: unknown time zone "${p.function.digestTimezone}"`);
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
