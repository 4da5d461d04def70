// Reads the live state of every part setup manages, through the SDK. Missing resources become
// `undefined`; any other error (access denied, throttling after retries) propagates.
import { awsClient, type AwsOptions } from "./clients.js";
import type { Config } from "../../core/setup/config-schema.js";
import type { LiveQueue, LiveSchedule, LiveState } from "../../core/setup/plan.js";
import { partitionOf } from "../../core/aws/arn.js";
import {
  ROLE_INLINE_POLICY,
  parsePolicyDocument,
  queueArn,
  ssmParameterName,
  type Identity,
} from "../../core/setup/policies.js";
import { isNotFound } from "./errors.js";

/** SDK modules (commands and types), loaded lazily. */
export const sdk = {
  sqs: async () => await import("@aws-sdk/client-sqs"),
  eventbridge: async () => await import("@aws-sdk/client-eventbridge"),
  iam: async () => await import("@aws-sdk/client-iam"),
  lambda: async () => await import("@aws-sdk/client-lambda"),
  scheduler: async () => await import("@aws-sdk/client-scheduler"),
  secretsmanager: async () => await import("@aws-sdk/client-secrets-manager"),
  ssm: async () => await import("@aws-sdk/client-ssm"),
  sts: async () => await import("@aws-sdk/client-sts"),
  cloudtrail: async () => await import("@aws-sdk/client-cloudtrail"),
  ecs: async () => await import("@aws-sdk/client-ecs"),
};

/** `await orMissing(call)` → the result, or undefined when the resource does not exist. */
export async function orMissing<T>(p: Promise<T>): Promise<T | undefined> {
  try {
    return await p;
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/** Account, region and partition every ARN is built from; the partition is the region's (an account lives in one partition). */
export async function resolveIdentity(aws: AwsOptions): Promise<Identity> {
  const sts = await awsClient("sts", aws);
  const { GetCallerIdentityCommand } = await sdk.sts();
  const who = await sts.send(new GetCallerIdentityCommand({}));
  const region = aws.region ?? (await sts.config.region());
  return { account: who.Account!, region, partition: partitionOf(region) };
}

/** A queue setup manages, by name; undefined when it does not exist. */
export async function readLiveQueue(aws: AwsOptions, name: string): Promise<LiveQueue | undefined> {
  const sqs = await awsClient("sqs", aws);
  const { GetQueueUrlCommand } = await sdk.sqs();
  const found = await orMissing(sqs.send(new GetQueueUrlCommand({ QueueName: name })));
  if (!found?.QueueUrl) return undefined;
  const { queueAttributes } = await import("./sqs.js");
  const { attributes: a, redrive } = await queueAttributes(sqs, found.QueueUrl);
  return {
    url: found.QueueUrl,
    arn: a.QueueArn ?? "",
    visibilityTimeout: Number(a.VisibilityTimeout ?? 30),
    retentionSeconds: Number(a.MessageRetentionPeriod ?? 345_600),
    ...(redrive ? { redrive: { deadLetterTargetArn: redrive.dlqArn, maxReceiveCount: redrive.maxReceiveCount } } : {}),
    ...(a.Policy ? { policy: parsePolicyDocument(a.Policy) } : {}),
    messages: {
      visible: Number(a.ApproximateNumberOfMessages ?? 0),
      inFlight: Number(a.ApproximateNumberOfMessagesNotVisible ?? 0),
    },
  };
}

/** Reads the schedules in `groups`, or in every existing group when `groups` is "all" (what --prune needs). */
export async function readSchedules(
  aws: AwsOptions,
  groups: string[] | "all",
): Promise<{ groups: string[]; schedules: LiveSchedule[] }> {
  const sch = await awsClient("scheduler", aws);
  // The one Scheduler reader (scheduler.ts): ListSchedules is summary-only, so GetSchedule per schedule.
  const { fetchSchedules, listScheduleGroups } = await import("./scheduler.js");
  const existing = await listScheduleGroups(sch);
  if (!existing.includes("default")) existing.push("default");
  const schedules: LiveSchedule[] = [];
  for (const group of groups === "all" ? existing : groups.filter((g) => existing.includes(g))) {
    const got = await fetchSchedules(sch, { group, concurrency: 5 });
    for (const s of got) {
      if (!s?.Name) continue;
      let input: unknown = s.Target?.Input;
      try {
        input = s.Target?.Input ? JSON.parse(s.Target.Input) : undefined;
      } catch {
        /* keep the raw string: it differs from the desired object, so plan shows it */
      }
      const fw = s.FlexibleTimeWindow;
      const rp = s.Target?.RetryPolicy;
      schedules.push({
        name: s.Name,
        group: s.GroupName ?? "default",
        expression: s.ScheduleExpression ?? "",
        ...(s.ScheduleExpressionTimezone ? { timezone: s.ScheduleExpressionTimezone } : {}),
        state: s.State ?? "ENABLED",
        ...(s.Description ? { description: s.Description } : {}),
        ...(fw?.Mode === "FLEXIBLE" && fw.MaximumWindowInMinutes
          ? { flexibleWindowMinutes: fw.MaximumWindowInMinutes }
          : {}),
        targetArn: s.Target?.Arn ?? "",
        ...(s.Target?.RoleArn ? { roleArn: s.Target.RoleArn } : {}),
        ...(input !== undefined ? { input } : {}),
        ...(rp
          ? {
              retryPolicy: {
                maximumRetryAttempts: rp.MaximumRetryAttempts,
                maximumEventAgeSeconds: rp.MaximumEventAgeInSeconds,
              },
            }
          : {}),
        ...(s.Target?.DeadLetterConfig?.Arn ? { deadLetterArn: s.Target.DeadLetterConfig.Arn } : {}),
      });
    }
  }
  return { groups: existing, schedules };
}

/** Whether the webhook secret / parameter exists — by its metadata only, never its value. */
export async function webhookExists(aws: AwsOptions, cfg: Config): Promise<boolean> {
  const w = cfg.function.webhook;
  if ("secretId" in w) {
    const sm = await awsClient("secretsmanager", aws);
    const { DescribeSecretCommand } = await sdk.secretsmanager();
    const d = await orMissing(sm.send(new DescribeSecretCommand({ SecretId: w.secretId })));
    return !!d && !d.DeletedDate;
  }
  if ("parameter" in w) {
    const ssm = await awsClient("ssm", aws);
    const { DescribeParametersCommand } = await sdk.ssm();
    const name = ssmParameterName(w.parameter);
    const d = await orMissing(
      ssm.send(
        new DescribeParametersCommand({ ParameterFilters: [{ Key: "Name", Option: "Equals", Values: [name] }] }),
      ),
    );
    return (d?.Parameters?.length ?? 0) > 0;
  }
  return false;
}

export type LivePart = "queue" | "dlq" | "rule" | "webhook" | "role" | "function" | "schedules";

type Guard = <T>(part: LivePart, fallback: T, fn: () => Promise<T>) => Promise<T>;

/**
 * Runs one part's read. Strict (plan): any error propagates. Tolerant (doctor): the error's first line
 * goes into `unreadable` under the part and the fallback stands in.
 */
function partGuard(tolerant: boolean | undefined, unreadable: Partial<Record<LivePart, string>>): Guard {
  return async (part, fallback, fn) => {
    try {
      return await fn();
    } catch (err) {
      if (!tolerant) throw err;
      const e = err as { name?: string; message?: string };
      unreadable[part] = `${e?.name ?? "Error"}: ${(e?.message ?? String(err)).split("\n")[0]}`;
      return fallback;
    }
  };
}

type RuleOut = import("@aws-sdk/client-eventbridge").DescribeRuleCommandOutput;
type FunctionOut = import("@aws-sdk/client-lambda").GetFunctionConfigurationCommandOutput;

/** The rule (undefined when missing) and its targets. */
async function readRule(
  aws: AwsOptions,
  cfg: Config,
): Promise<{ ruleOut: RuleOut | undefined; targets: LiveState["targets"] }> {
  const eb = await awsClient("eventbridge", aws);
  const { DescribeRuleCommand, ListTargetsByRuleCommand } = await sdk.eventbridge();
  const ruleOut = await orMissing(eb.send(new DescribeRuleCommand({ Name: cfg.rule.name })));
  let targets: LiveState["targets"] = [];
  if (ruleOut) {
    const t = await eb.send(new ListTargetsByRuleCommand({ Rule: cfg.rule.name }));
    targets = (t.Targets ?? []).map((x) => ({
      id: x.Id ?? "",
      arn: x.Arn ?? "",
      ...(x.RoleArn ? { roleArn: x.RoleArn } : {}),
    }));
  }
  return { ruleOut, targets };
}

/** The function's role with its trust policy and setup's inline policy; undefined when missing. */
async function readRole(aws: AwsOptions, cfg: Config): Promise<LiveState["role"]> {
  const iam = await awsClient("iam", aws);
  const { GetRoleCommand, GetRolePolicyCommand } = await sdk.iam();
  const roleOut = await orMissing(iam.send(new GetRoleCommand({ RoleName: cfg.function.roleName })));
  if (!roleOut?.Role) return undefined;
  const inline = await orMissing(
    iam.send(new GetRolePolicyCommand({ RoleName: cfg.function.roleName, PolicyName: ROLE_INLINE_POLICY })),
  );
  return {
    arn: roleOut.Role.Arn ?? "",
    trustPolicy: parsePolicyDocument(roleOut.Role.AssumeRolePolicyDocument),
    ...(inline?.PolicyDocument ? { inlinePolicy: parsePolicyDocument(inline.PolicyDocument) } : {}),
  };
}

/** The function's configuration (undefined when missing) and its event source mapping from the configured queue. */
async function readFunction(
  aws: AwsOptions,
  cfg: Config,
  id: Identity,
): Promise<{ fn: FunctionOut | undefined; mapping: LiveState["mapping"] }> {
  const lambda = await awsClient("lambda", aws);
  const { GetFunctionConfigurationCommand, ListEventSourceMappingsCommand } = await sdk.lambda();
  const fn = await orMissing(lambda.send(new GetFunctionConfigurationCommand({ FunctionName: cfg.function.name })));
  let mapping: LiveState["mapping"];
  if (fn) {
    const qArn = queueArn(id, cfg.queue.name);
    const list = await lambda.send(new ListEventSourceMappingsCommand({ FunctionName: cfg.function.name }));
    // Only the mapping from this queue counts: one from an old queue is left alone (setup never deletes).
    const m = (list.EventSourceMappings ?? []).find((x) => x.EventSourceArn === qArn);
    if (m?.UUID) {
      mapping = {
        uuid: m.UUID,
        eventSourceArn: m.EventSourceArn ?? "",
        ...(m.BatchSize !== undefined ? { batchSize: m.BatchSize } : {}),
        ...(m.MaximumBatchingWindowInSeconds !== undefined ? { windowSeconds: m.MaximumBatchingWindowInSeconds } : {}),
        functionResponseTypes: m.FunctionResponseTypes ?? [],
        ...(m.ScalingConfig?.MaximumConcurrency ? { maximumConcurrency: m.ScalingConfig.MaximumConcurrency } : {}),
        ...(m.State ? { state: m.State } : {}),
      };
    }
  }
  return { fn, mapping };
}

/** The config's schedule groups, or every group with allScheduleGroups (--prune must see groups the config dropped). */
function readLiveSchedules(aws: AwsOptions, cfg: Config, allScheduleGroups: boolean | undefined) {
  const groups = [...new Set(cfg.schedules.map((s) => s.group))];
  return allScheduleGroups
    ? readSchedules(aws, "all")
    : groups.length
      ? readSchedules(aws, groups)
      : Promise.resolve({ groups: [] as string[], schedules: [] as LiveSchedule[] });
}

function ruleView(ruleOut: RuleOut): NonNullable<LiveState["rule"]> {
  return {
    arn: ruleOut.Arn ?? "",
    state: ruleOut.State ?? "",
    pattern: ruleOut.EventPattern ? JSON.parse(ruleOut.EventPattern) : undefined,
  };
}

function functionView(fn: FunctionOut): NonNullable<LiveState["function"]> {
  return {
    arn: fn.FunctionArn ?? "",
    ...(fn.Runtime ? { runtime: fn.Runtime } : {}),
    ...(fn.MemorySize !== undefined ? { memory: fn.MemorySize } : {}),
    ...(fn.Timeout !== undefined ? { timeout: fn.Timeout } : {}),
    ...(fn.Handler ? { handler: fn.Handler } : {}),
    ...(fn.Role ? { role: fn.Role } : {}),
    ...(fn.CodeSha256 ? { codeSha256: fn.CodeSha256 } : {}),
    env: fn.Environment?.Variables ?? {},
    ...(fn.State ? { state: fn.State } : {}),
  };
}

/**
 * Everything plan and doctor compare against. Plan must not guess, so by default any error other
 * than "not found" propagates; doctor passes `tolerant` and gets the part in `unreadable` instead.
 */
export async function readLiveState(
  aws: AwsOptions,
  cfg: Config,
  id: Identity,
  opts: { tolerant?: boolean; allScheduleGroups?: boolean } = {},
): Promise<LiveState> {
  const unreadable: Partial<Record<LivePart, string>> = {};
  const guard = partGuard(opts.tolerant, unreadable);
  const [queue, dlq] = await Promise.all([
    guard("queue", undefined, () => readLiveQueue(aws, cfg.queue.name)),
    guard("dlq", undefined, () => readLiveQueue(aws, cfg.dlq.name)),
  ]);
  const { ruleOut, targets } = await guard("rule", { ruleOut: undefined, targets: [] }, () => readRule(aws, cfg));
  const role = await guard("role", undefined, () => readRole(aws, cfg));
  const { fn, mapping } = await guard("function", { fn: undefined, mapping: undefined }, () =>
    readFunction(aws, cfg, id),
  );
  const sched = await guard("schedules", { groups: [] as string[], schedules: [] as LiveSchedule[] }, () =>
    readLiveSchedules(aws, cfg, opts.allScheduleGroups),
  );
  const hook = await guard("webhook", false, () => webhookExists(aws, cfg));

  return {
    ...(queue ? { queue } : {}),
    ...(dlq ? { dlq } : {}),
    ...(ruleOut ? { rule: ruleView(ruleOut) } : {}),
    targets,
    webhookExists: hook,
    ...(role ? { role } : {}),
    ...(fn ? { function: functionView(fn) } : {}),
    ...(mapping ? { mapping } : {}),
    scheduleGroups: sched.groups,
    schedules: sched.schedules,
    ...(Object.keys(unreadable).length ? { unreadable } : {}),
  };
}
