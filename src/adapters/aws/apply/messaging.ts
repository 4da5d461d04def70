// Executors for the event path up to the queue: DLQ, queue (with redrive), rule, queue policy, rule target.
import { ServiceError } from "../../../core/errors.js";
import {
  RULE_DESCRIPTION,
  RULE_TARGET_ID,
  mergeQueuePolicy,
  queueArn,
  ruleArn,
  rulePattern,
} from "../../../core/setup/policies.js";
import { sdk } from "../live-state.js";
import { createOrUpdate, type Executor } from "./context.js";

export const applyDlq: Executor = async (item, ctx) => {
  const { CreateQueueCommand, SetQueueAttributesCommand } = await sdk.sqs();
  const sqs = await ctx.client("sqs");
  const attrs = { MessageRetentionPeriod: String(ctx.cfg.dlq.retentionSeconds) };
  if (item.action === "create")
    await sqs.send(new CreateQueueCommand({ QueueName: ctx.cfg.dlq.name, Attributes: attrs }));
  else await sqs.send(new SetQueueAttributesCommand({ QueueUrl: ctx.live.dlq!.url, Attributes: attrs }));
  ctx.done({ resource: "dlq", name: ctx.cfg.dlq.name, action: createOrUpdate(item) });
};

export const applyQueue: Executor = async (item, ctx) => {
  const { CreateQueueCommand, SetQueueAttributesCommand } = await sdk.sqs();
  const sqs = await ctx.client("sqs");
  const { cfg } = ctx;
  const attrs = {
    VisibilityTimeout: String(cfg.queue.visibilityTimeout),
    MessageRetentionPeriod: String(cfg.queue.retentionSeconds),
    RedrivePolicy: JSON.stringify({
      deadLetterTargetArn: queueArn(ctx.id, cfg.dlq.name),
      maxReceiveCount: cfg.dlq.maxReceiveCount,
    }),
  };
  if (item.action === "create") {
    const out = await sqs.send(new CreateQueueCommand({ QueueName: cfg.queue.name, Attributes: attrs }));
    ctx.queueUrl = out.QueueUrl;
  } else {
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl: ctx.queueUrl!, Attributes: attrs }));
  }
  ctx.done({ resource: "queue", name: cfg.queue.name, action: createOrUpdate(item) });
};

export const applyRule: Executor = async (item, ctx) => {
  const { PutRuleCommand } = await sdk.eventbridge();
  const eb = await ctx.client("eventbridge");
  const { rule } = ctx.cfg;
  await eb.send(
    new PutRuleCommand({
      Name: rule.name,
      EventPattern: JSON.stringify(rulePattern(rule.eventNames, rule.scope)),
      State: "ENABLED",
      Description: RULE_DESCRIPTION,
    }),
  );
  ctx.done({ resource: "rule", name: rule.name, action: createOrUpdate(item) });
};

/** Keeps foreign statements, replaces ours. */
export const applyQueuePolicy: Executor = async (item, ctx) => {
  const { SetQueueAttributesCommand } = await sdk.sqs();
  const sqs = await ctx.client("sqs");
  const policy = mergeQueuePolicy(
    ctx.live.queue?.policy,
    queueArn(ctx.id, ctx.cfg.queue.name),
    ruleArn(ctx.id, ctx.cfg.rule.name),
  );
  await sqs.send(
    new SetQueueAttributesCommand({ QueueUrl: ctx.queueUrl!, Attributes: { Policy: JSON.stringify(policy) } }),
  );
  ctx.done({ resource: "queue-policy", name: ctx.cfg.queue.name, action: createOrUpdate(item) });
};

/** The queue as the rule's target, with no RoleArn. */
export const applyRuleTarget: Executor = async (item, ctx) => {
  const { PutTargetsCommand } = await sdk.eventbridge();
  const eb = await ctx.client("eventbridge");
  const rule = ctx.cfg.rule.name;
  // PutTargets answers 200 even when the target was refused: the failure is only in FailedEntries.
  const out = await eb.send(
    new PutTargetsCommand({ Rule: rule, Targets: [{ Id: RULE_TARGET_ID, Arn: queueArn(ctx.id, ctx.cfg.queue.name) }] }),
  );
  if ((out.FailedEntryCount ?? 0) > 0) {
    const f = out.FailedEntries?.[0];
    throw new ServiceError(
      `PutTargets on rule ${rule} failed for target ${f?.TargetId ?? RULE_TARGET_ID}: ${f?.ErrorCode ?? "unknown error"}: ${f?.ErrorMessage ?? "no message"}`,
    );
  }
  ctx.done({ resource: "rule-target", name: item.name, action: createOrUpdate(item) });
};
