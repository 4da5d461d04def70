// Carries a plan out, item by item in the plan's (dependency) order: one executor per resource kind
// (./apply/*), waiting for what must be ready (role assumable, function Active, mapping Enabled).
// Deletes only with --prune (schedule items).
import type { AwsOptions } from "./clients.js";
import { UsageError } from "../../core/errors.js";
import { isArn } from "../../core/aws/arn.js";
import type { Desired, LiveState, Plan, PlanItem, Resource } from "../../core/setup/plan.js";
import { setTimeout as delay } from "node:timers/promises";
import { clientCache, type AppliedStep, type ApplyContext, type Executor } from "./apply/context.js";
import { applyDlq, applyQueue, applyQueuePolicy, applyRule, applyRuleTarget } from "./apply/messaging.js";
import { applyRole, applyWebhook } from "./apply/access.js";
import { applyFunction, applyMapping } from "./apply/lambda.js";
import { applySchedule, applyScheduleGroup } from "./apply/schedules.js";

export type { AppliedStep } from "./apply/context.js";

export interface ApplyOptions {
  aws: AwsOptions;
  want: Desired;
  live: LiveState;
  plan: Plan;
  zip: Uint8Array;
  /**
   * The value for a webhook secret or parameter the plan creates (the caller reads SLACK_WEBHOOK_URL
   * and registers it for redaction); required only when the plan creates one.
   */
  webhookUrl?: string;
  /** Called for each finished step (the command prints it on stderr). */
  report: (step: AppliedStep) => void;
  /** Injected for tests; real sleeps otherwise. */
  sleep?: (ms: number) => Promise<void>;
  /** How long to wait for role propagation, Active, Enabled. */
  waitMs?: number;
}

const EXECUTORS: Record<Resource, Executor> = {
  dlq: applyDlq,
  queue: applyQueue,
  rule: applyRule,
  "queue-policy": applyQueuePolicy,
  "rule-target": applyRuleTarget,
  "webhook-secret": applyWebhook,
  "webhook-parameter": applyWebhook,
  role: applyRole,
  function: applyFunction,
  "event-source-mapping": applyMapping,
  "schedule-group": applyScheduleGroup,
  schedule: applySchedule,
};

export async function applyPlan(o: ApplyOptions): Promise<AppliedStep[]> {
  // Never rewrite what setup did not create: the command refuses first; this guards every other caller.
  const refused = o.plan.plan.filter((i) => i.action === "conflict");
  if (refused.length) throw new UsageError(refusalMessage(refused.map((i) => i.name)));
  const todo = o.plan.plan.filter((i) => i.action !== "noop");
  // Checked before the first change, so a missing SLACK_WEBHOOK_URL never leaves a half-applied pipeline.
  checkWebhook(
    todo.find((i) => i.resource === "webhook-secret" || i.resource === "webhook-parameter"),
    o.webhookUrl,
  );
  const steps: AppliedStep[] = [];
  const ctx: ApplyContext = {
    cfg: o.want.config,
    id: o.want.identity,
    want: o.want,
    live: o.live,
    zip: o.zip,
    webhookUrl: o.webhookUrl,
    sleep: o.sleep ?? ((ms) => delay(ms)),
    waitMs: o.waitMs ?? 180_000,
    queueUrl: o.live.queue?.url,
    client: clientCache(o.aws),
    done: (s) => {
      steps.push(s);
      o.report(s);
    },
  };
  for (const item of todo) await EXECUTORS[item.resource](item, ctx);
  return steps;
}

function checkWebhook(item: PlanItem | undefined, url: string | undefined): void {
  if (!item) return;
  if (!url) {
    throw new UsageError(
      `${item.resource === "webhook-secret" ? "secret" : "parameter"} ${item.name} does not exist and SLACK_WEBHOOK_URL is not set: export SLACK_WEBHOOK_URL so setup can create it (the value is never printed), or create it yourself`,
    );
  }
  if (isArn(item.name)) {
    throw new UsageError(
      `${item.name} does not exist: setup creates a secret or parameter only when the config names it by name, not by ARN`,
    );
  }
}

/** Why apply stops on conflicts, and how to adopt. */
export function refusalMessage(names: string[]): string {
  return (
    `refusing to rewrite ${names.length === 1 ? "a schedule" : `${names.length} schedules`} traildigest did not create: ${names.join(", ")} ` +
    `(pass --adopt ${names[0]} to take ${names.length === 1 ? "it" : "one"} over, or --adopt all)`
  );
}
