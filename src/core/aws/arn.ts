// PURE: the one home for ARNs: parse, build, the partition of a region, and the few named ARNs
// traildigest builds or reads. No other file writes "arn:aws:" or an ARN regex as logic.
//
// Format (AWS General Reference, "Amazon Resource Names (ARNs)",
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html):
//   arn:partition:service:region:account-id:resource   (resource may hold ":" and "/")
// Region and account are empty for some services (IAM has no region; S3 and Scheduler's universal
// targets have neither). Partitions on that page: aws, aws-cn (China), aws-us-gov (GovCloud US); the
// isolated ones (aws-iso, aws-iso-b, aws-iso-e, aws-iso-f, aws-eusc) come from the SDK's endpoint
// partition table (@aws-sdk/core partitions, regionRegex per partition).

export interface Arn {
  partition: string;
  service: string;
  region: string;
  account: string;
  /** Everything after the fifth ":" (e.g. "role/ops/scaler", "function:digest", "task-definition/api:42"). */
  resource: string;
}

/** Where a resource lives: setup's Identity has this shape (partition defaults to the region's). */
export interface ArnScope {
  account: string;
  region: string;
  partition?: string;
}

/** A partition: "aws" or "aws-" + name ("aws-cn", "aws-us-gov", "aws-iso-b"). Used by the config schema too. */
export const PARTITION_PATTERN = "aws[a-z-]*";

/** What the config schema accepts (its sources appear in docs/config-reference.md). */
export const ROLE_ARN_RE = new RegExp(`^arn:${PARTITION_PATTERN}:iam::\\d{12}:role/.+`);
export const SQS_ARN_RE = new RegExp(`^arn:${PARTITION_PATTERN}:sqs:`);

const ARN_RE = new RegExp(`^arn:(${PARTITION_PATTERN}):([a-z0-9-]+):([^:]*):([^:]*):(.+)$`);

/** Whether the text is written as an ARN at all (a name, URL or path is not). */
export function isArn(text: string | null | undefined): text is string {
  return !!text && text.startsWith("arn:");
}

/** The five parts of an ARN, or undefined when the text is not a well-formed ARN. */
export function parseArn(text: string | null | undefined): Arn | undefined {
  const m = text ? ARN_RE.exec(text) : null;
  if (!m) return undefined;
  return { partition: m[1]!, service: m[2]!, region: m[3]!, account: m[4]!, resource: m[5]! };
}

/** "arn:partition:service:region:account:resource"; the partition defaults to the region's. */
export function buildArn(a: {
  partition?: string;
  service: string;
  region?: string;
  account?: string;
  resource: string;
}): string {
  const region = a.region ?? "";
  return `arn:${a.partition ?? partitionOf(region)}:${a.service}:${region}:${a.account ?? ""}:${a.resource}`;
}

// Region prefix → partition (the SDK's regionRegex table, by prefix). Longer prefixes first.
const PARTITIONS: [prefix: string, partition: string][] = [
  ["cn-", "aws-cn"],
  ["us-gov-", "aws-us-gov"],
  ["us-isob-", "aws-iso-b"],
  ["us-isof-", "aws-iso-f"],
  ["us-iso-", "aws-iso"],
  ["eu-isoe-", "aws-iso-e"],
  ["eusc-", "aws-eusc"],
];

/** The partition a region belongs to: cn-* → aws-cn, us-gov-* → aws-us-gov, us-iso-* → aws-iso, us-isob-* → aws-iso-b, … else aws. */
export function partitionOf(region: string | undefined): string {
  const r = region ?? "";
  return PARTITIONS.find(([prefix]) => r.startsWith(prefix))?.[1] ?? "aws";
}

/** The scope's partition: the one it names, else its region's. */
export function scopePartition(s: ArnScope): string {
  return s.partition ?? partitionOf(s.region);
}
const partitionIn = scopePartition;

// ---------- the ARNs setup builds ----------

export function queueArn(s: ArnScope, name: string): string {
  return buildArn({ partition: partitionIn(s), service: "sqs", region: s.region, account: s.account, resource: name });
}
export function ruleArn(s: ArnScope, name: string): string {
  return buildArn({
    partition: partitionIn(s),
    service: "events",
    region: s.region,
    account: s.account,
    resource: `rule/${name}`,
  });
}
/** IAM is global within a partition: no region. */
export function roleArn(s: ArnScope, name: string): string {
  return buildArn({
    partition: partitionIn(s),
    service: "iam",
    region: "",
    account: s.account,
    resource: `role/${name}`,
  });
}
export function functionArn(s: ArnScope, name: string): string {
  return buildArn({
    partition: partitionIn(s),
    service: "lambda",
    region: s.region,
    account: s.account,
    resource: `function:${name}`,
  });
}
/** The Lambda function's log group (/aws/lambda/NAME). */
export function functionLogGroupArn(s: ArnScope, functionName: string): string {
  return buildArn({
    partition: partitionIn(s),
    service: "logs",
    region: s.region,
    account: s.account,
    resource: `log-group:/aws/lambda/${functionName}`,
  });
}
/** A Secrets Manager secret by name (its real ARN adds "-" and 6 random characters). */
export function secretArn(s: ArnScope, name: string): string {
  return buildArn({
    partition: partitionIn(s),
    service: "secretsmanager",
    region: s.region,
    account: s.account,
    resource: `secret:${name}`,
  });
}
/** An SSM parameter by name: "/td/hook" and "td/hook" are both written "parameter/td/hook". */
export function parameterArn(s: ArnScope, name: string): string {
  return buildArn({
    partition: partitionIn(s),
    service: "ssm",
    region: s.region,
    account: s.account,
    resource: `parameter/${name.replace(/^\//, "")}`,
  });
}
/** The caller ARN CloudTrail records for a role session: arn:…:sts::ACCOUNT:assumed-role/ROLE/SESSION. */
export function assumedRoleArn(partition: string, account: string, role: string, session: string): string {
  return buildArn({ partition, service: "sts", region: "", account, resource: `assumed-role/${role}/${session}` });
}

// ---------- Scheduler's universal targets ----------

/** A universal target: arn:PARTITION:scheduler:::aws-sdk:SERVICE:ACTION (no region, no account). */
export function universalTargetArn(partition: string, service: string, action: string): string {
  return buildArn({ partition, service: "scheduler", resource: `aws-sdk:${service}:${action}` });
}
/** The target every schedule setup writes: ECS UpdateService. */
export function ecsUpdateServiceTarget(partition = "aws"): string {
  return universalTargetArn(partition, "ecs", "updateService");
}
/** "ecs:updateService" for a universal target ARN (any partition); undefined for any other ARN. */
export function universalTargetAction(arn: string): { service: string; action: string } | undefined {
  const a = parseArn(arn);
  const m = a?.service === "scheduler" && !a.region && !a.account ? /^aws-sdk:([^:]+):(.+)$/.exec(a.resource) : null;
  return m ? { service: m[1]!, action: m[2]! } : undefined;
}

// ---------- names from ARNs ----------

/** A queue's name from its ARN (arn:…:sqs:REGION:ACCOUNT:NAME); undefined for anything else. */
export function queueNameFromArn(arn: string): string | undefined {
  const a = parseArn(arn);
  return a?.service === "sqs" ? a.resource : undefined;
}

/**
 * A role's name from a role ARN (`…:role/ops/scaler` → `scaler`: IAM paths dropped, as CloudTrail shows
 * the bare name) or an assumed-role ARN (`…:assumed-role/scaler/session`); a plain name stays; another
 * ARN gives undefined.
 */
export function roleNameFromArn(arn: string | null | undefined): string | undefined {
  if (!arn) return undefined;
  const m = /:role\/(?:.*\/)?([^/]+)$/.exec(arn) ?? /:assumed-role\/([^/]+)\//.exec(arn);
  return m?.[1] ?? (isArn(arn) ? undefined : arn);
}

/** The resource part of an ARN (everything after the fifth ":"), or the text itself when it is not an ARN. */
export function resourceOf(value: string): string {
  return isArn(value) ? value.split(":").slice(5).join(":") : value;
}
