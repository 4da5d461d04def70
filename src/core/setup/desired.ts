// PURE: the pipeline setup builds, as one list of parts with their settings, from the config and
// the same builders plan/apply use (policies.ts, desiredSchedule). The Terraform and CloudFormation
// exports render this; a test holds it equal to what `setup plan` wants.
import type { Config } from "./config-schema.js";
import { desiredSchedule, type LiveSchedule } from "./plan.js";
import { scopePartition } from "../aws/arn.js";
import {
  FUNCTION_DESCRIPTION,
  FUNCTION_HANDLER,
  ROLE_DESCRIPTION,
  ROLE_INLINE_POLICY,
  RULE_DESCRIPTION,
  RULE_TARGET_ID,
  functionEnvironment,
  lambdaInlinePolicy,
  lambdaTrustPolicy,
  queueArn,
  queuePolicyStatement,
  roleArn,
  ruleArn,
  rulePattern,
  webhookResourceArn,
  type Identity,
} from "./policies.js";

export interface Pipeline {
  /** ARNs of the parts, as built from the identity (renderers turn them into references). */
  arns: { queue: string; dlq: string; rule: string; role: string };
  dlq: { name: string; retentionSeconds: number };
  queue: {
    name: string;
    visibilityTimeout: number;
    retentionSeconds: number;
    redrive: { deadLetterTargetArn: string; maxReceiveCount: number };
  };
  queuePolicy: { queueName: string; document: Record<string, unknown> };
  rule: {
    name: string;
    description: string;
    pattern: Record<string, unknown>;
    state: "ENABLED";
    target: { id: string; arn: string };
  };
  /** Referenced only: its value is never part of the pipeline definition. */
  webhook?: { kind: "secret" | "parameter"; name: string; resourceArn: string };
  role: {
    name: string;
    description: string;
    trustPolicy: Record<string, unknown>;
    inlinePolicyName: string;
    inlinePolicy: Record<string, unknown>;
  };
  function: {
    name: string;
    description: string;
    runtime: string;
    handler: string;
    memory: number;
    timeout: number;
    role: string;
    environment: Record<string, string>;
  };
  mapping: {
    eventSourceArn: string;
    functionName: string;
    batchSize: number;
    windowSeconds: number;
    functionResponseTypes: ["ReportBatchItemFailures"];
    maximumConcurrency?: number;
    enabled: true;
  };
  /** Groups setup creates ("default" always exists and is never created). */
  scheduleGroups: string[];
  schedules: LiveSchedule[];
}

export function desiredPipeline(cfg: Config, id: Identity): Pipeline {
  const arns = {
    queue: queueArn(id, cfg.queue.name),
    dlq: queueArn(id, cfg.dlq.name),
    rule: ruleArn(id, cfg.rule.name),
    role: roleArn(id, cfg.function.roleName),
  };
  const w = cfg.function.webhook;
  const webhookArn = webhookResourceArn(id, w);
  return {
    arns,
    dlq: { name: cfg.dlq.name, retentionSeconds: cfg.dlq.retentionSeconds },
    queue: {
      name: cfg.queue.name,
      visibilityTimeout: cfg.queue.visibilityTimeout,
      retentionSeconds: cfg.queue.retentionSeconds,
      redrive: { deadLetterTargetArn: arns.dlq, maxReceiveCount: cfg.dlq.maxReceiveCount },
    },
    queuePolicy: {
      queueName: cfg.queue.name,
      document: { Version: "2012-10-17", Statement: [queuePolicyStatement(arns.queue, arns.rule)] },
    },
    rule: {
      name: cfg.rule.name,
      description: RULE_DESCRIPTION,
      pattern: rulePattern(cfg.rule.eventNames, cfg.rule.scope),
      state: "ENABLED",
      target: { id: RULE_TARGET_ID, arn: arns.queue },
    },
    ...(webhookArn && ("secretId" in w || "parameter" in w)
      ? {
          webhook:
            "secretId" in w
              ? { kind: "secret" as const, name: w.secretId, resourceArn: webhookArn }
              : { kind: "parameter" as const, name: w.parameter, resourceArn: webhookArn },
        }
      : {}),
    role: {
      name: cfg.function.roleName,
      description: ROLE_DESCRIPTION,
      trustPolicy: lambdaTrustPolicy(),
      inlinePolicyName: ROLE_INLINE_POLICY,
      inlinePolicy: lambdaInlinePolicy(id, cfg),
    },
    function: {
      name: cfg.function.name,
      description: FUNCTION_DESCRIPTION,
      runtime: cfg.function.runtime,
      handler: FUNCTION_HANDLER,
      memory: cfg.function.memory,
      timeout: cfg.function.timeout,
      role: arns.role,
      environment: functionEnvironment(cfg),
    },
    mapping: {
      eventSourceArn: arns.queue,
      functionName: cfg.function.name,
      batchSize: cfg.batching.batchSize,
      windowSeconds: cfg.batching.windowSeconds,
      functionResponseTypes: ["ReportBatchItemFailures"],
      ...(cfg.batching.maximumConcurrency ? { maximumConcurrency: cfg.batching.maximumConcurrency } : {}),
      enabled: true,
    },
    scheduleGroups: [...new Set(cfg.schedules.map((s) => s.group))].filter((g) => g !== "default"),
    // The universal target in the identity's partition (the exports render it from AWS::Partition).
    schedules: cfg.schedules.map((s) => desiredSchedule(s, scopePartition(id))),
  };
}

/**
 * Placeholders for what an export does not hard-code: the account, region and partition (the IaC
 * tool knows them) and the names that become variables / parameters. They are control characters,
 * which no config value may contain, so a renderer can find them in any string the builders made.
 */
export const PLACEHOLDER = (key: string): string => `\u0001${key}\u0001`;
export const PLACEHOLDER_RE = /\u0001([^\u0001]+)\u0001/g;
export const SYMBOLIC_IDENTITY: Identity = {
  account: PLACEHOLDER("account"),
  region: PLACEHOLDER("region"),
  partition: PLACEHOLDER("partition"),
};

/** The names an export turns into variables (Terraform) or parameters (CloudFormation), with their config value. */
export const NAME_VARIABLES = [
  {
    key: "queue_name",
    param: "QueueName",
    get: (c: Config) => c.queue.name,
    set: (c: Config, v: string) => (c.queue.name = v),
  },
  {
    key: "dlq_name",
    param: "DeadLetterQueueName",
    get: (c: Config) => c.dlq.name,
    set: (c: Config, v: string) => (c.dlq.name = v),
  },
  {
    key: "rule_name",
    param: "RuleName",
    get: (c: Config) => c.rule.name,
    set: (c: Config, v: string) => (c.rule.name = v),
  },
  {
    key: "function_name",
    param: "FunctionName",
    get: (c: Config) => c.function.name,
    set: (c: Config, v: string) => (c.function.name = v),
  },
  {
    key: "role_name",
    param: "RoleName",
    get: (c: Config) => c.function.roleName,
    set: (c: Config, v: string) => (c.function.roleName = v),
  },
] as const;

/** The pipeline with placeholders for identity and names: what both exports render. */
export function symbolicPipeline(cfg: Config): Pipeline {
  const c = structuredClone(cfg);
  for (const v of NAME_VARIABLES) v.set(c, PLACEHOLDER(`var:${v.key}`));
  return desiredPipeline(c, SYMBOLIC_IDENTITY);
}

/** Splits a string at its placeholders: literal text and `{ key }` parts, in order. */
export function placeholderParts(s: string): (string | { key: string })[] {
  const out: (string | { key: string })[] = [];
  let last = 0;
  for (const m of s.matchAll(PLACEHOLDER_RE)) {
    if (m.index > last) out.push(s.slice(last, m.index));
    out.push({ key: m[1]! });
    last = m.index + m[0].length;
  }
  if (last < s.length) out.push(s.slice(last));
  return out;
}
