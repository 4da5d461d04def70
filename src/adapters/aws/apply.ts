// Carries a plan out: side effects in dependency order, waiting for what must be ready
// (role assumable, function Active, mapping Enabled). Deletes only with --prune (schedule items).
import { awsClient, type AwsOptions } from "./clients.js";
import { sdk } from "./live-state.js";
import { ServiceError, UsageError } from "../../core/errors.js";
import { registerSecret } from "../../cli/output/output.js";
import type { Desired, LiveState, Plan, PlanItem, Resource } from "../../core/setup/plan.js";
import { desiredSchedule } from "../../core/setup/plan.js";
import { isArn, scopePartition } from "../../core/aws/arn.js";
import {
  FUNCTION_DESCRIPTION,
  FUNCTION_HANDLER,
  ROLE_DESCRIPTION,
  RULE_DESCRIPTION,
  RULE_TARGET_ID,
  ROLE_INLINE_POLICY,
  functionEnvironment,
  lambdaInlinePolicy,
  lambdaTrustPolicy,
  mergeQueuePolicy,
  queueArn,
  roleArn,
  ruleArn,
  rulePattern,
} from "../../core/setup/policies.js";
import { setTimeout as delay } from "node:timers/promises";

export interface AppliedStep {
  resource: Resource;
  name: string;
  action: "create" | "update" | "delete" | "wait";
  detail?: string;
}

export interface ApplyOptions {
  aws: AwsOptions;
  want: Desired;
  live: LiveState;
  plan: Plan;
  zip: Uint8Array;
  /** Called for each finished step (the command prints it on stderr). */
  report: (step: AppliedStep) => void;
  /** Injected for tests; real sleeps otherwise. */
  sleep?: (ms: number) => Promise<void>;
  /** How long to wait for role propagation, Active, Enabled. */
  waitMs?: number;
}

const realSleep = (ms: number): Promise<void> => delay(ms);

export async function applyPlan(o: ApplyOptions): Promise<AppliedStep[]> {
  const { aws, want, live, plan } = o;
  // Never rewrite what setup did not create: the command refuses first; this guards every other caller.
  const refused = plan.plan.filter((i) => i.action === "conflict");
  if (refused.length) throw new UsageError(refusalMessage(refused.map((i) => i.name)));
  const cfg = want.config;
  const id = want.identity;
  const sleep = o.sleep ?? realSleep;
  const waitMs = o.waitMs ?? 180_000;
  const steps: AppliedStep[] = [];
  const done = (s: AppliedStep) => {
    steps.push(s);
    o.report(s);
  };
  const todo = (resource: Resource, name?: string): PlanItem | undefined =>
    plan.plan.find((i) => i.resource === resource && (name === undefined || i.name === name) && i.action !== "noop");

  // Checked before the first change, so a missing SLACK_WEBHOOK_URL never leaves a half-applied pipeline.
  const needsWebhook = todo("webhook-secret") ?? todo("webhook-parameter");
  const webhookUrl = process.env.SLACK_WEBHOOK_URL;
  if (needsWebhook && !webhookUrl) {
    throw new UsageError(
      `${needsWebhook.resource === "webhook-secret" ? "secret" : "parameter"} ${needsWebhook.name} does not exist and SLACK_WEBHOOK_URL is not set: export SLACK_WEBHOOK_URL so setup can create it (the value is never printed), or create it yourself`,
    );
  }
  if (webhookUrl) registerSecret(webhookUrl);
  if (needsWebhook && isArn(needsWebhook.name)) {
    throw new UsageError(`${needsWebhook.name} does not exist: setup creates a secret or parameter only when the config names it by name, not by ARN`);
  }

  const qArn = queueArn(id, cfg.queue.name);
  const dArn = queueArn(id, cfg.dlq.name);
  const rArn = ruleArn(id, cfg.rule.name);
  const sqsMod = await sdk.sqs();
  const sqs = await awsClient("sqs", aws);
  let queueUrl = live.queue?.url;

  // 1. DLQ
  const dlqItem = todo("dlq");
  if (dlqItem) {
    const attrs = { MessageRetentionPeriod: String(cfg.dlq.retentionSeconds) };
    if (dlqItem.action === "create") await sqs.send(new sqsMod.CreateQueueCommand({ QueueName: cfg.dlq.name, Attributes: attrs }));
    else await sqs.send(new sqsMod.SetQueueAttributesCommand({ QueueUrl: live.dlq!.url, Attributes: attrs }));
    done({ resource: "dlq", name: cfg.dlq.name, action: dlqItem.action as "create" | "update" });
  }

  // 2. Queue with redrive to the DLQ
  const qItem = todo("queue");
  if (qItem) {
    const attrs = {
      VisibilityTimeout: String(cfg.queue.visibilityTimeout),
      MessageRetentionPeriod: String(cfg.queue.retentionSeconds),
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dArn, maxReceiveCount: cfg.dlq.maxReceiveCount }),
    };
    if (qItem.action === "create") {
      const out = await sqs.send(new sqsMod.CreateQueueCommand({ QueueName: cfg.queue.name, Attributes: attrs }));
      queueUrl = out.QueueUrl;
    } else {
      await sqs.send(new sqsMod.SetQueueAttributesCommand({ QueueUrl: queueUrl!, Attributes: attrs }));
    }
    done({ resource: "queue", name: cfg.queue.name, action: qItem.action as "create" | "update" });
  }

  // 3. Rule
  const ebMod = await sdk.eventbridge();
  const eb = await awsClient("eventbridge", aws);
  const ruleItem = todo("rule");
  if (ruleItem) {
    await eb.send(
      new ebMod.PutRuleCommand({
        Name: cfg.rule.name,
        EventPattern: JSON.stringify(rulePattern(cfg.rule.eventNames, cfg.rule.scope)),
        State: "ENABLED",
        Description: RULE_DESCRIPTION,
      }),
    );
    done({ resource: "rule", name: cfg.rule.name, action: ruleItem.action as "create" | "update" });
  }

  // 4. Queue policy (keeps foreign statements, replaces ours)
  const polItem = todo("queue-policy");
  if (polItem) {
    const policy = mergeQueuePolicy(live.queue?.policy, qArn, rArn);
    await sqs.send(new sqsMod.SetQueueAttributesCommand({ QueueUrl: queueUrl!, Attributes: { Policy: JSON.stringify(policy) } }));
    done({ resource: "queue-policy", name: cfg.queue.name, action: polItem.action as "create" | "update" });
  }

  // 5. Rule target: the queue, no RoleArn
  const tItem = todo("rule-target");
  if (tItem) {
    // PutTargets answers 200 even when the target was refused: the failure is only in FailedEntries.
    const out = await eb.send(new ebMod.PutTargetsCommand({ Rule: cfg.rule.name, Targets: [{ Id: RULE_TARGET_ID, Arn: qArn }] }));
    if ((out.FailedEntryCount ?? 0) > 0) {
      const f = out.FailedEntries?.[0];
      throw new ServiceError(`PutTargets on rule ${cfg.rule.name} failed for target ${f?.TargetId ?? RULE_TARGET_ID}: ${f?.ErrorCode ?? "unknown error"}: ${f?.ErrorMessage ?? "no message"}`);
    }
    done({ resource: "rule-target", name: tItem.name, action: tItem.action as "create" | "update" });
  }

  // 6. Webhook secret / parameter, from SLACK_WEBHOOK_URL, value never shown
  const w = cfg.function.webhook;
  const secretItem = todo("webhook-secret") ?? todo("webhook-parameter");
  if (secretItem) {
    const url = webhookUrl!;
    registerSecret(url);
    if ("secretId" in w) {
      const sm = await awsClient("secretsmanager", aws);
      const { CreateSecretCommand } = await sdk.secretsmanager();
      await sm.send(new CreateSecretCommand({ Name: w.secretId, SecretString: url, Description: "Slack incoming webhook for traildigest" }));
    } else if ("parameter" in w) {
      const ssm = await awsClient("ssm", aws);
      const { PutParameterCommand } = await sdk.ssm();
      await ssm.send(new PutParameterCommand({ Name: w.parameter, Type: "SecureString", Value: url, Description: "Slack incoming webhook for traildigest" }));
    }
    done({ resource: secretItem.resource, name: secretItem.name, action: "create", detail: "from SLACK_WEBHOOK_URL (value not shown)" });
  }

  // 7. Execution role
  const iamMod = await sdk.iam();
  const iam = await awsClient("iam", aws);
  const roleItem = todo("role");
  if (roleItem) {
    const trust = JSON.stringify(lambdaTrustPolicy());
    const inline = JSON.stringify(lambdaInlinePolicy(id, cfg));
    if (roleItem.action === "create") {
      await iam.send(
        new iamMod.CreateRoleCommand({
          RoleName: cfg.function.roleName,
          AssumeRolePolicyDocument: trust,
          Description: ROLE_DESCRIPTION,
        }),
      );
    } else if (roleItem.changes.some((c) => c.field === "trustPolicy")) {
      await iam.send(new iamMod.UpdateAssumeRolePolicyCommand({ RoleName: cfg.function.roleName, PolicyDocument: trust }));
    }
    if (roleItem.action === "create" || roleItem.changes.some((c) => c.field.startsWith("inlinePolicy"))) {
      await iam.send(new iamMod.PutRolePolicyCommand({ RoleName: cfg.function.roleName, PolicyName: ROLE_INLINE_POLICY, PolicyDocument: inline }));
    }
    done({ resource: "role", name: cfg.function.roleName, action: roleItem.action as "create" | "update" });
  }

  // 8. Function, then wait until it is Active and its last update is done
  const lmMod = await sdk.lambda();
  const lambda = await awsClient("lambda", aws);
  const fnItem = todo("function");
  const fnConfig = {
    FunctionName: cfg.function.name,
    Runtime: cfg.function.runtime,
    // The live role's ARN keeps its IAM path (/service-role/…); a role setup creates has none.
    Role: live.role?.arn || roleArn(id, cfg.function.roleName),
    Handler: FUNCTION_HANDLER,
    Timeout: cfg.function.timeout,
    MemorySize: cfg.function.memory,
    Environment: { Variables: functionEnvironment(cfg) },
    Description: FUNCTION_DESCRIPTION,
  } as const;
  const waitFunctionReady = async () => {
    const deadline = Date.now() + waitMs;
    for (;;) {
      const f = await lambda.send(new lmMod.GetFunctionConfigurationCommand({ FunctionName: cfg.function.name }));
      if (f.State === "Failed") throw new ServiceError(`function ${cfg.function.name} failed to become Active: ${f.StateReason ?? "no reason given"}`);
      if ((f.State ?? "Active") === "Active" && f.LastUpdateStatus !== "InProgress") return;
      if (Date.now() > deadline) throw new ServiceError(`function ${cfg.function.name} is still ${f.State}/${f.LastUpdateStatus} after ${waitMs / 1000} s`);
      await sleep(2000);
    }
  };
  if (fnItem?.action === "create") {
    // A new role takes a few seconds to become assumable by Lambda: retry only that error.
    const deadline = Date.now() + waitMs;
    for (let attempt = 0; ; attempt++) {
      try {
        await lambda.send(new lmMod.CreateFunctionCommand({ ...fnConfig, Code: { ZipFile: o.zip }, PackageType: "Zip" }));
        break;
      } catch (err) {
        const e = err as { name?: string; message?: string };
        const propagating = e.name === "InvalidParameterValueException" && /cannot be assumed/i.test(e.message ?? "");
        if (!propagating || Date.now() > deadline) throw err;
        await sleep(Math.min(2000 * (attempt + 1), 10_000));
      }
    }
    done({ resource: "function", name: cfg.function.name, action: "create" });
    await waitFunctionReady();
    done({ resource: "function", name: cfg.function.name, action: "wait", detail: "Active" });
  } else if (fnItem?.action === "update") {
    if (fnItem.changes.some((c) => c.field === "codeSha256")) {
      await lambda.send(new lmMod.UpdateFunctionCodeCommand({ FunctionName: cfg.function.name, ZipFile: o.zip }));
      await waitFunctionReady();
    }
    if (fnItem.changes.some((c) => c.field !== "codeSha256")) {
      await lambda.send(new lmMod.UpdateFunctionConfigurationCommand(fnConfig));
      await waitFunctionReady();
    }
    done({ resource: "function", name: cfg.function.name, action: "update", detail: fnItem.changes.map((c) => c.field).join(", ") });
  }

  // 9. Event source mapping, then wait until Enabled
  const mItem = todo("event-source-mapping");
  if (mItem) {
    const b = cfg.batching;
    const common = {
      BatchSize: b.batchSize,
      MaximumBatchingWindowInSeconds: b.windowSeconds,
      FunctionResponseTypes: ["ReportBatchItemFailures" as const],
      // An empty ScalingConfig removes MaximumConcurrency.
      ScalingConfig: b.maximumConcurrency ? { MaximumConcurrency: b.maximumConcurrency } : {},
      Enabled: true,
    };
    let uuid = live.mapping?.uuid;
    if (mItem.action === "create") {
      // A role policy written seconds ago may not be visible to Lambda yet: retry only that error.
      const deadline = Date.now() + waitMs;
      for (let attempt = 0; ; attempt++) {
        try {
          const out = await lambda.send(new lmMod.CreateEventSourceMappingCommand({ ...common, EventSourceArn: qArn, FunctionName: cfg.function.name }));
          uuid = out.UUID;
          break;
        } catch (err) {
          const e = err as { name?: string; message?: string };
          const propagating = e.name === "InvalidParameterValueException" && /execution role does not have permissions/i.test(e.message ?? "");
          if (!propagating || Date.now() > deadline) throw err;
          await sleep(Math.min(2000 * (attempt + 1), 10_000));
        }
      }
    } else {
      await lambda.send(new lmMod.UpdateEventSourceMappingCommand({ ...common, UUID: uuid!, FunctionName: cfg.function.name }));
    }
    done({ resource: "event-source-mapping", name: mItem.name, action: mItem.action as "create" | "update" });
    const deadline = Date.now() + waitMs;
    // Right after an update the state can still read Disabled; only a Disabled that stays is an error.
    let disabledPolls = 0;
    for (;;) {
      const m = await lambda.send(new lmMod.GetEventSourceMappingCommand({ UUID: uuid! }));
      if (m.State === "Enabled" || m.State === undefined) break;
      if (m.State === "Disabled") disabledPolls++;
      if (disabledPolls >= 5 || Date.now() > deadline) {
        throw new ServiceError(`event source mapping ${uuid} is ${m.State}${m.StateTransitionReason ? ` (${m.StateTransitionReason})` : ""}, not Enabled`);
      }
      await sleep(2000);
    }
    done({ resource: "event-source-mapping", name: mItem.name, action: "wait", detail: "Enabled" });
  }

  // 10. Schedule groups and schedules (UpdateSchedule replaces the whole definition: send all of it)
  const schItems = plan.plan.filter((i) => (i.resource === "schedule" || i.resource === "schedule-group") && i.action !== "noop");
  if (schItems.length) {
    const schMod = await sdk.scheduler();
    const sch = await awsClient("scheduler", aws);
    for (const it of schItems.filter((i) => i.resource === "schedule-group")) {
      await sch.send(new schMod.CreateScheduleGroupCommand({ Name: it.name }));
      done({ resource: "schedule-group", name: it.name, action: "create" });
    }
    for (const it of schItems.filter((i) => i.resource === "schedule")) {
      const [group, name] = splitScheduleName(it.name);
      if (it.action === "delete") {
        await sch.send(new schMod.DeleteScheduleCommand({ Name: name, GroupName: group }));
        done({ resource: "schedule", name: it.name, action: "delete" });
        continue;
      }
      const s = cfg.schedules.find((x) => x.group === group && x.name === name)!;
      const d = desiredSchedule(s, scopePartition(id));
      const def = {
        Name: s.name,
        GroupName: s.group,
        ScheduleExpression: d.expression,
        ScheduleExpressionTimezone: d.timezone,
        State: s.state,
        Description: d.description,
        FlexibleTimeWindow: s.flexibleWindowMinutes
          ? { Mode: "FLEXIBLE" as const, MaximumWindowInMinutes: s.flexibleWindowMinutes }
          : { Mode: "OFF" as const },
        Target: {
          Arn: d.targetArn,
          RoleArn: s.roleArn,
          Input: JSON.stringify(d.input),
          RetryPolicy: { MaximumRetryAttempts: s.retryPolicy.maximumRetryAttempts, MaximumEventAgeInSeconds: s.retryPolicy.maximumEventAgeSeconds },
          ...(s.deadLetterArn ? { DeadLetterConfig: { Arn: s.deadLetterArn } } : {}),
        },
      };
      if (it.action === "create") await sch.send(new schMod.CreateScheduleCommand(def));
      else await sch.send(new schMod.UpdateScheduleCommand(def));
      done({ resource: "schedule", name: it.name, action: it.action === "create" ? "create" : "update" });
    }
  }
  return steps;
}

/** Why apply stops on conflicts, and how to adopt. */
export function refusalMessage(names: string[]): string {
  return (
    `refusing to rewrite ${names.length === 1 ? "a schedule" : `${names.length} schedules`} traildigest did not create: ${names.join(", ")} ` +
    `(pass --adopt ${names[0]} to take ${names.length === 1 ? "it" : "one"} over, or --adopt all)`
  );
}

/** "group/name" → [group, name]. */
export function splitScheduleName(full: string): [string, string] {
  const i = full.indexOf("/");
  return [full.slice(0, i), full.slice(i + 1)];
}
