// Pure builders for every document setup writes: ARNs, the rule's event pattern, the queue policy,
// the Lambda role's trust and least-privilege inline policy, the schedules' target Input.
import { DEFAULT_SCOPE, scopeConditions, type RuleScope } from "../events/rule-scope.js";
import type { Config, ScheduleConfig, WebhookSource } from "./config-schema.js";
import { managedScheduleDescription } from "./managed-marker.js";
import type { ClassifyContext } from "../events/call-kind.js";
import { functionLogGroupArn, isArn, parameterArn, parseArn, queueArn, secretArn, type ArnScope } from "../aws/arn.js";
import {
  ENV_BUDGET_BYTES,
  SCHEDULES_ENV,
  encodeScheduleCallers,
  envBytes,
  parseScheduleCallers,
  type ScheduleCallersEncoding,
} from "../schedule/schedule-callers.js";

/** Account and region setup builds ARNs in; the partition, when absent, is the region's (core/aws/arn.ts). */
export interface Identity extends ArnScope {
  /** "aws", "aws-cn", "aws-us-gov", … */
  partition?: string;
}

export const RULE_TARGET_ID = "traildigest-queue";
export const QUEUE_POLICY_SID = "TraildigestEventsToQueue";
export const ROLE_INLINE_POLICY = "traildigest-digest";
export const FUNCTION_HANDLER = "index.handler";
/** Descriptions setup writes (apply, and the Terraform / CloudFormation export, use the same text). */
export const RULE_DESCRIPTION = "traildigest: CloudTrail-recorded ECS calls → the digest queue";
export const ROLE_DESCRIPTION = "traildigest digest function: read the queue, write logs, read the webhook";
export const FUNCTION_DESCRIPTION = "traildigest: one Slack digest per SQS batch";

// The ARNs setup builds live in core/aws/arn.ts; re-exported here for the callers that import them with the policies.
export { functionArn, queueArn, roleArn, ruleArn } from "../aws/arn.js";

/**
 * The ARN the role may read the webhook from. Secrets Manager appends 6 random characters to a
 * secret's ARN, so a name becomes the documented `NAME-??????` pattern (stable before the secret exists).
 */
export function webhookResourceArn(id: Identity, webhook: WebhookSource): string | undefined {
  if ("secretId" in webhook) {
    // A partial ARN (no random suffix) never equals the real ARN: give it the suffix wildcard. A name
    // that itself ends in "-" + 6 letters/digits is indistinguishable from a complete ARN (AWS says so too).
    if (isArn(webhook.secretId))
      return /-[A-Za-z0-9]{6}$/.test(webhook.secretId) ? webhook.secretId : `${webhook.secretId}-??????`;
    return `${secretArn(id, webhook.secretId)}-??????`;
  }
  if ("parameter" in webhook) {
    if (isArn(webhook.parameter)) return webhook.parameter;
    return parameterArn(id, webhook.parameter);
  }
  return undefined;
}

/**
 * The parameter NAME for an SSM parameter name or ARN (DescribeParameters' Name filter takes names only).
 * SSM writes `/td/hook` as `…:parameter/td/hook` and `foo` as `…:parameter/foo`, so the rule is: after
 * `parameter/`, a path with another `/` is a hierarchy and gets its leading `/` back (`/td/hook`); a
 * single segment is a plain name (`foo`); an ARN that kept the name's own slash (`parameter//td/hook`)
 * is read as that name (`/td/hook`). A name (not an ARN) is returned unchanged.
 */
export function ssmParameterName(value: string): string {
  const a = parseArn(value);
  if (a?.service !== "ssm" || !a.resource.startsWith("parameter/")) return value;
  const rest = a.resource.slice("parameter/".length);
  if (rest.startsWith("/")) return rest;
  return rest.includes("/") ? `/${rest}` : rest;
}

/** The EventBridge rule's pattern: CloudTrail-recorded ECS calls with the configured names, within the scope. */
export function rulePattern(eventNames: readonly string[], scope: RuleScope = DEFAULT_SCOPE): Record<string, unknown> {
  return {
    source: ["aws.ecs"],
    "detail-type": ["AWS API Call via CloudTrail"],
    detail: { eventSource: ["ecs.amazonaws.com"], eventName: [...eventNames], ...scopeConditions(scope) },
  };
}

export function queuePolicyStatement(qArn: string, rArn: string): Record<string, unknown> {
  return {
    Sid: QUEUE_POLICY_SID,
    Effect: "Allow",
    Principal: { Service: "events.amazonaws.com" },
    Action: "sqs:SendMessage",
    Resource: qArn,
    Condition: { ArnEquals: { "aws:SourceArn": rArn } },
  };
}

type Statement = Record<string, unknown>;
function statements(doc: unknown): Statement[] {
  const s = (doc as { Statement?: unknown } | undefined)?.Statement;
  if (!s) return [];
  return (Array.isArray(s) ? s : [s]) as Statement[];
}
const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]);

/** IAM wildcard match: `*` any run, `?` one character. */
function globMatch(pattern: string, value: string, ignoreCase = false): boolean {
  const re = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${re}$`, ignoreCase ? "i" : "").test(value);
}

const EVENTS = "events.amazonaws.com";

function principalMatches(principal: unknown): boolean {
  if (principal === "*") return true;
  if (!principal || typeof principal !== "object") return false;
  const p = principal as { Service?: unknown; AWS?: unknown };
  return asList(p.Service).includes(EVENTS) || asList(p.AWS).includes("*");
}

/** Whether the statement covers events.amazonaws.com → sqs:SendMessage on the queue (Not* elements honoured). */
function statementCovers(st: Statement, qArn: string): boolean {
  const principal = "NotPrincipal" in st ? !principalMatches(st.NotPrincipal) : principalMatches(st.Principal);
  const action = (list: unknown) =>
    asList(list).some((a) => typeof a === "string" && globMatch(a, "sqs:SendMessage", true));
  const actionOk = "NotAction" in st ? !action(st.NotAction) : action(st.Action);
  const resource = (list: unknown) => asList(list).some((r) => typeof r === "string" && globMatch(r, qArn));
  const resourceOk = "NotResource" in st ? !resource(st.NotResource) : resource(st.Resource);
  return principal && actionOk && resourceOk;
}

/**
 * Whether a statement's Condition holds for EventBridge's SendMessage from `rArn`: true, false, or
 * undefined when it uses an operator or key this does not evaluate (the caller cannot confirm it).
 * ArnEquals/ArnLike/StringLike values are wildcards (IAM treats ArnEquals like ArnLike).
 */
function conditionHolds(cond: unknown, rArn: string): boolean | undefined {
  if (cond === undefined) return true;
  if (!cond || typeof cond !== "object") return undefined;
  const context: Record<string, string> = { "aws:sourcearn": rArn, "aws:sourceaccount": rArn.split(":")[4] ?? "" };
  let result: boolean | undefined = true;
  for (const [op, keys] of Object.entries(cond as Record<string, unknown>)) {
    if (!["ArnEquals", "ArnLike", "StringEquals", "StringLike"].includes(op) || !keys || typeof keys !== "object")
      return undefined;
    for (const [key, values] of Object.entries(keys as Record<string, unknown>)) {
      const actual = context[key.toLowerCase()];
      if (actual === undefined) return undefined;
      const hit = asList(values).some(
        (v) => typeof v === "string" && (op === "StringEquals" ? v === actual : globMatch(v, actual)),
      );
      if (!hit) result = false;
    }
  }
  return result;
}

/**
 * True when the policy lets events.amazonaws.com SendMessage to the queue from this rule: some Allow
 * covers it with conditions that are confirmed to hold, and no Deny covers it unless its conditions
 * are confirmed NOT to hold. Anything this cannot evaluate counts as "cannot confirm" (false).
 */
export function policyAllowsRule(policy: unknown, qArn: string, rArn: string): boolean {
  const covering = statements(policy).filter((st) => statementCovers(st, qArn));
  if (covering.some((st) => st.Effect === "Deny" && conditionHolds(st.Condition, rArn) !== false)) return false;
  // No condition at all: any rule may send (broader than needed, but it works).
  return covering.some(
    (st) => st.Effect === "Allow" && !("NotPrincipal" in st) && conditionHolds(st.Condition, rArn) === true,
  );
}

/** The queue policy to write: the existing document with our statement added or replaced. */
export function mergeQueuePolicy(existing: unknown, qArn: string, rArn: string): Record<string, unknown> {
  const kept = statements(existing).filter((s) => s.Sid !== QUEUE_POLICY_SID);
  return { Version: "2012-10-17", Statement: [...kept, queuePolicyStatement(qArn, rArn)] };
}

export function lambdaTrustPolicy(): Record<string, unknown> {
  return {
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
  };
}

/** Least privilege: read this queue, write this function's logs, read this webhook secret or parameter. */
export function lambdaInlinePolicy(id: Identity, cfg: Config): Record<string, unknown> {
  const logGroup = functionLogGroupArn(id, cfg.function.name);
  const st: Statement[] = [
    {
      Sid: "ConsumeQueue",
      Effect: "Allow",
      Action: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"],
      Resource: queueArn(id, cfg.queue.name),
    },
    { Sid: "CreateLogGroup", Effect: "Allow", Action: "logs:CreateLogGroup", Resource: logGroup + ":*" },
    {
      Sid: "WriteLogs",
      Effect: "Allow",
      Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
      Resource: logGroup + ":log-stream:*",
    },
  ];
  const w = cfg.function.webhook;
  const res = webhookResourceArn(id, w);
  if ("secretId" in w)
    st.push({ Sid: "ReadWebhook", Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: res });
  if ("parameter" in w) st.push({ Sid: "ReadWebhook", Effect: "Allow", Action: "ssm:GetParameter", Resource: res });
  return { Version: "2012-10-17", Statement: st };
}

/** The function's environment: never the webhook itself, only where to read it; and the schedules as callers. */
export function functionEnvironment(cfg: Config): Record<string, string> {
  const { env, schedules } = environmentParts(cfg);
  return schedules.value !== undefined ? { ...env, [SCHEDULES_ENV]: schedules.value } : env;
}

/** TRAILDIGEST_SCHEDULES as it will be (full, role names only, or left out), with the budget it had. */
export function functionScheduleCallers(cfg: Config): ScheduleCallersEncoding {
  return environmentParts(cfg).schedules;
}

function environmentParts(cfg: Config): { env: Record<string, string>; schedules: ScheduleCallersEncoding } {
  const env: Record<string, string> = { DIGEST_TIMEZONE: cfg.function.digestTimezone };
  const w = cfg.function.webhook;
  if ("secretId" in w) env.SLACK_WEBHOOK_SECRET_ID = w.secretId;
  if ("parameter" in w) env.SLACK_WEBHOOK_PARAMETER = w.parameter;
  // What the other variables leave, less the new key with its quotes, colon and comma (`,"KEY":`).
  const budget = ENV_BUDGET_BYTES - envBytes(env) - (SCHEDULES_ENV.length + 4);
  return { env, schedules: encodeScheduleCallers(cfg.schedules, budget) };
}

/**
 * The config's schedules as callers to recognise, read from the same TRAILDIGEST_SCHEDULES value the
 * function gets, so the CLI's previews name callers exactly as the deployed digest does.
 */
export function classifyContextOf(cfg: Config | undefined): ClassifyContext {
  const value = cfg ? functionEnvironment(cfg)[SCHEDULES_ENV] : undefined;
  return value !== undefined ? parseScheduleCallers(value) : {};
}

export function scheduleInput(s: ScheduleConfig): Record<string, unknown> {
  return { Cluster: s.cluster, Service: s.service, DesiredCount: s.desiredCount };
}

export function scheduleDescription(s: ScheduleConfig): string {
  return managedScheduleDescription(s.cluster, s.service, s.desiredCount);
}

/** JSON with sorted keys, for order-insensitive comparison of policy documents and patterns. */
export function canonicalJson(v: unknown): string {
  return JSON.stringify(sortKeys(v));
}
function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === "object") {
    return Object.fromEntries(
      Object.keys(v as object)
        .sort()
        .map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]),
    );
  }
  return v;
}

/** IAM returns policy documents URL-encoded; emulators sometimes do not. */
export function parsePolicyDocument(doc: string | undefined): unknown {
  if (!doc) return undefined;
  const text = doc.trimStart().startsWith("{") ? doc : decodeURIComponent(doc);
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
