import { describe, expect, it } from "vitest";
import { mockClient } from "aws-sdk-client-mock";
import {
  GetScheduleCommand,
  ListScheduleGroupsCommand,
  ListSchedulesCommand,
  SchedulerClient,
} from "@aws-sdk/client-scheduler";
import { readSchedules } from "../src/adapters/aws/live-state.js";
import { parseConfig, SCHEDULE_MARKER, type Config } from "../src/core/setup/config-schema.js";
import {
  computePlan,
  hasChanges,
  planSummary,
  type Desired,
  type LiveState,
  type PlanItem,
} from "../src/core/setup/plan.js";
import { isManagedDescription, managedScheduleDescription } from "../src/core/setup/managed-marker.js";
import {
  QUEUE_POLICY_SID,
  functionEnvironment,
  lambdaInlinePolicy,
  lambdaTrustPolicy,
  mergeQueuePolicy,
  policyAllowsRule,
  queueArn,
  ruleArn,
  rulePattern,
  webhookResourceArn,
} from "../src/core/setup/policies.js";

const id = { account: "123456789012", region: "eu-west-1", partition: "aws" };
const ROLE = "arn:aws:iam::123456789012:role/scheduler-ecs";

function config(extra: Record<string, unknown> = {}): Config {
  return parseConfig({
    region: "eu-west-1",
    schedules: [
      {
        name: "api-night-down",
        group: "nightly",
        expression: "cron(0 22 ? * MON-FRI *)",
        timezone: "Europe/Berlin",
        cluster: "dev",
        service: "api",
        desiredCount: 0,
        roleArn: ROLE,
        retryPolicy: { maximumRetryAttempts: 3, maximumEventAgeSeconds: 3600 },
      },
    ],
    ...extra,
  });
}

function desired(cfg = config(), over: Partial<Desired> = {}): Desired {
  return { config: cfg, identity: id, codeSha256: "SHA-A", webhookEnvSet: true, ...over };
}

/** config()'s one schedule as the function gets it (schedule-callers.ts). */
const SCHEDULES_VALUE = '{"v":1,"s":{"scheduler-ecs":{"nightly":[["api-night-down","dev","api",0]]}}}';

const empty: LiveState = { targets: [], webhookExists: false, scheduleGroups: ["default"], schedules: [] };

/** The live state a successful apply of `cfg` leaves behind. */
function deployed(cfg = config()): LiveState {
  const q = queueArn(id, cfg.queue.name);
  return {
    dlq: {
      url: "u-dlq",
      arn: queueArn(id, cfg.dlq.name),
      visibilityTimeout: 30,
      retentionSeconds: cfg.dlq.retentionSeconds,
    },
    queue: {
      url: "u-q",
      arn: q,
      visibilityTimeout: cfg.queue.visibilityTimeout,
      retentionSeconds: cfg.queue.retentionSeconds,
      redrive: { deadLetterTargetArn: queueArn(id, cfg.dlq.name), maxReceiveCount: cfg.dlq.maxReceiveCount },
      policy: mergeQueuePolicy(undefined, q, ruleArn(id, cfg.rule.name)),
    },
    rule: { arn: ruleArn(id, cfg.rule.name), state: "ENABLED", pattern: rulePattern(cfg.rule.eventNames) },
    targets: [{ id: "traildigest-queue", arn: q }],
    webhookExists: true,
    role: {
      arn: `arn:aws:iam::${id.account}:role/${cfg.function.roleName}`,
      trustPolicy: lambdaTrustPolicy(),
      inlinePolicy: lambdaInlinePolicy(id, cfg),
    },
    function: {
      arn: "arn:fn",
      runtime: "nodejs22.x",
      memory: cfg.function.memory,
      timeout: cfg.function.timeout,
      handler: "index.handler",
      role: `arn:aws:iam::${id.account}:role/${cfg.function.roleName}`,
      codeSha256: "SHA-A",
      env: functionEnvironment(cfg),
      state: "Active",
    },
    mapping: {
      uuid: "m-1",
      eventSourceArn: q,
      batchSize: 10,
      windowSeconds: 300,
      functionResponseTypes: ["ReportBatchItemFailures"],
      state: "Enabled",
    },
    scheduleGroups: ["default", "nightly"],
    schedules: [
      {
        name: "api-night-down",
        group: "nightly",
        expression: "cron(0 22 ? * MON-FRI *)",
        timezone: "Europe/Berlin",
        state: "ENABLED",
        description: `scale dev/api to 0 (${SCHEDULE_MARKER})`,
        targetArn: "arn:aws:scheduler:::aws-sdk:ecs:updateService",
        roleArn: ROLE,
        input: { Cluster: "dev", Service: "api", DesiredCount: 0 },
        retryPolicy: { maximumRetryAttempts: 3, maximumEventAgeSeconds: 3600 },
      },
    ],
  };
}

const by = (items: PlanItem[], resource: string) => items.filter((i) => i.resource === resource);
const one = (items: PlanItem[], resource: string) => {
  const f = by(items, resource);
  expect(f).toHaveLength(1);
  return f[0]!;
};
const actions = (items: PlanItem[]) => items.map((i) => `${i.resource}:${i.action}`);

describe("webhookResourceArn", () => {
  it("gives a partial Secrets Manager ARN the -?????? suffix wildcard, keeps a complete one", () => {
    const base = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:traildigest/slack";
    expect(webhookResourceArn(id, { secretId: base })).toBe(`${base}-??????`);
    expect(webhookResourceArn(id, { secretId: `${base}-AbC123` })).toBe(`${base}-AbC123`);
    expect(webhookResourceArn(id, { secretId: "traildigest/slack" })).toBe(`${base}-??????`);
  });
});

describe("policyAllowsRule", () => {
  const q = queueArn(id, "traildigest-events");
  const r = ruleArn(id, "traildigest-ecs-calls");
  const allow = (extra: Record<string, unknown> = {}) => ({
    Effect: "Allow",
    Principal: { Service: "events.amazonaws.com" },
    Action: "sqs:SendMessage",
    Resource: q,
    Condition: { ArnEquals: { "aws:SourceArn": r } },
    ...extra,
  });
  const doc = (...Statement: unknown[]) => ({ Version: "2012-10-17", Statement });

  it("allows our statement, and ArnLike/StringLike values as wildcards", () => {
    expect(policyAllowsRule(doc(allow()), q, r)).toBe(true);
    expect(
      policyAllowsRule(
        doc(
          allow({
            Condition: { ArnLike: { "aws:SourceArn": `arn:aws:events:eu-west-1:123456789012:rule/traildigest-*` } },
          }),
        ),
        q,
        r,
      ),
    ).toBe(true);
    expect(
      policyAllowsRule(
        doc(allow({ Condition: { StringLike: { "aws:SourceArn": "arn:aws:events:*:123456789012:rule/*" } } })),
        q,
        r,
      ),
    ).toBe(true);
    expect(
      policyAllowsRule(
        doc(allow({ Condition: { ArnLike: { "aws:SourceArn": "arn:aws:events:*:*:rule/other-*" } } })),
        q,
        r,
      ),
    ).toBe(false);
    expect(policyAllowsRule(doc(allow({ Resource: "arn:aws:sqs:*:123456789012:traildigest-*" })), q, r)).toBe(true);
  });

  it("a matching Deny wins; a Deny whose condition does not hold does not", () => {
    const deny = { Effect: "Deny", Principal: "*", Action: "sqs:*", Resource: q };
    expect(policyAllowsRule(doc(allow(), deny), q, r)).toBe(false);
    expect(
      policyAllowsRule(
        doc(allow(), { ...deny, Condition: { StringEquals: { "aws:SourceAccount": "999999999999" } } }),
        q,
        r,
      ),
    ).toBe(true);
    expect(
      policyAllowsRule(
        doc(allow(), { ...deny, Condition: { StringEquals: { "aws:SourceAccount": "123456789012" } } }),
        q,
        r,
      ),
    ).toBe(false);
    // A Deny this cannot evaluate: cannot confirm.
    expect(
      policyAllowsRule(doc(allow(), { ...deny, Condition: { Bool: { "aws:SecureTransport": "false" } } }), q, r),
    ).toBe(false);
  });

  it("an Allow with an extra condition it cannot evaluate is not confirmed", () => {
    expect(
      policyAllowsRule(
        doc(allow({ Condition: { ArnEquals: { "aws:SourceArn": r }, IpAddress: { "aws:SourceIp": "10.0.0.0/8" } } })),
        q,
        r,
      ),
    ).toBe(false);
    expect(
      policyAllowsRule(
        doc(allow({ Condition: { ArnEquals: { "aws:SourceArn": r, "aws:PrincipalOrgID": "o-1" } } })),
        q,
        r,
      ),
    ).toBe(false);
    expect(
      policyAllowsRule(
        doc(
          allow({
            Condition: { ArnEquals: { "aws:SourceArn": r }, StringEquals: { "aws:SourceAccount": "123456789012" } },
          }),
        ),
        q,
        r,
      ),
    ).toBe(true);
  });
});

describe("computePlan", () => {
  it("creates every part, in dependency order, from nothing", () => {
    const { plan } = computePlan(desired(), empty);
    expect(actions(plan)).toEqual([
      "dlq:create",
      "queue:create",
      "rule:create",
      "queue-policy:create",
      "rule-target:create",
      "webhook-secret:create",
      "role:create",
      "function:create",
      "event-source-mapping:create",
      "schedule-group:create",
      "schedule:create",
    ]);
    const q = one(plan, "queue");
    expect(q.changes).toEqual([
      { field: "visibilityTimeout", from: null, to: 660 },
      { field: "retentionSeconds", from: null, to: 345600 },
      {
        field: "redrive.deadLetterTargetArn",
        from: null,
        to: "arn:aws:sqs:eu-west-1:123456789012:traildigest-events-dlq",
      },
      { field: "redrive.maxReceiveCount", from: null, to: 5 },
    ]);
    const secret = one(plan, "webhook-secret");
    expect(secret.name).toBe("traildigest/slack-webhook");
    expect(secret.changes).toEqual([{ field: "value", from: null, to: "(from SLACK_WEBHOOK_URL)" }]);
    expect(secret.note).toBeUndefined();
    const m = one(plan, "event-source-mapping");
    expect(m.changes.map((c) => c.field)).toEqual([
      "eventSourceArn",
      "batchSize",
      "maximumBatchingWindowInSeconds",
      "functionResponseTypes",
      "enabled",
    ]);
    expect(m.changes.find((c) => c.field === "functionResponseTypes")!.to).toEqual(["ReportBatchItemFailures"]);
  });

  it("says the secret cannot be created when SLACK_WEBHOOK_URL is missing", () => {
    const { plan } = computePlan(desired(config(), { webhookEnvSet: false }), empty);
    expect(one(plan, "webhook-secret").note).toMatch(/SLACK_WEBHOOK_URL is not set/);
  });

  it("plans nothing when the live state matches", () => {
    const p = computePlan(desired(), deployed());
    expect(p.plan.every((i) => i.action === "noop")).toBe(true);
    expect(hasChanges(p)).toBe(false);
  });

  it("updates only the queue when the visibility timeout drifted", () => {
    const live = deployed();
    live.queue!.visibilityTimeout = 30;
    const { plan } = computePlan(desired(), live);
    expect(plan.filter((i) => i.action !== "noop").map((i) => i.resource)).toEqual(["queue"]);
    expect(one(plan, "queue").changes).toEqual([{ field: "visibilityTimeout", from: 30, to: 660 }]);
  });

  it("updates the redrive when maxReceiveCount or the DLQ differ", () => {
    const live = deployed();
    live.queue!.redrive = { deadLetterTargetArn: "arn:aws:sqs:eu-west-1:123456789012:other", maxReceiveCount: 2 };
    const q = one(computePlan(desired(), live).plan, "queue");
    expect(q.action).toBe("update");
    expect(q.changes).toEqual([
      {
        field: "redrive.deadLetterTargetArn",
        from: "arn:aws:sqs:eu-west-1:123456789012:other",
        to: "arn:aws:sqs:eu-west-1:123456789012:traildigest-events-dlq",
      },
      { field: "redrive.maxReceiveCount", from: 2, to: 5 },
    ]);
  });

  it("creates the queue policy when the queue has none, updates it when it names another rule", () => {
    const live = deployed();
    delete live.queue!.policy;
    expect(one(computePlan(desired(), live).plan, "queue-policy").action).toBe("create");
    live.queue!.policy = mergeQueuePolicy(
      undefined,
      live.queue!.arn,
      "arn:aws:events:eu-west-1:123456789012:rule/other",
    );
    const p = one(computePlan(desired(), live).plan, "queue-policy");
    expect(p.action).toBe("update");
    expect(p.changes[0]!.from).toBe("does not allow the rule");
  });

  it("keeps a foreign statement when merging the queue policy", () => {
    const foreign = {
      Version: "2012-10-17",
      Statement: [{ Sid: "Other", Effect: "Allow", Principal: "*", Action: "sqs:GetQueueUrl", Resource: "*" }],
    };
    const merged = mergeQueuePolicy(foreign, "q", "r") as { Statement: { Sid: string }[] };
    expect(merged.Statement.map((s) => s.Sid)).toEqual(["Other", QUEUE_POLICY_SID]);
  });

  it("updates a disabled rule and a rule whose pattern lost an event name", () => {
    const live = deployed();
    live.rule = { ...live.rule!, state: "DISABLED" };
    const r = one(
      computePlan(desired(config({ rule: { eventNames: ["UpdateService", "CreateService"] } })), live).plan,
      "rule",
    );
    expect(r.action).toBe("update");
    expect(r.changes.map((c) => c.field)).toEqual(["eventPattern", "state"]);
    expect(r.changes[1]).toEqual({ field: "state", from: "DISABLED", to: "ENABLED" });
  });

  it("treats pattern key order as no change", () => {
    const live = deployed();
    live.rule!.pattern = {
      detail: { eventName: ["UpdateService"], eventSource: ["ecs.amazonaws.com"] },
      "detail-type": ["AWS API Call via CloudTrail"],
      source: ["aws.ecs"],
    };
    expect(one(computePlan(desired(), live).plan, "rule").action).toBe("noop");
  });

  it("removes a RoleArn from the rule target", () => {
    const live = deployed();
    live.targets = [{ id: "traildigest-queue", arn: live.queue!.arn, roleArn: "arn:aws:iam::123456789012:role/x" }];
    const t = one(computePlan(desired(), live).plan, "rule-target");
    expect(t.action).toBe("update");
    expect(t.changes).toEqual([{ field: "roleArn", from: "arn:aws:iam::123456789012:role/x", to: null }]);
  });

  it("updates the role's inline policy when the webhook source changes to a parameter", () => {
    const cfg = config({ function: { webhook: { parameter: "/traildigest/webhook" } } });
    const live = { ...deployed(), webhookExists: false }; // read against the config's (new) source
    const { plan } = computePlan(desired(cfg), live);
    expect(one(plan, "webhook-parameter").action).toBe("create");
    expect(by(plan, "webhook-secret")).toHaveLength(0);
    const role = one(plan, "role");
    expect(role.action).toBe("update");
    expect(role.changes).toEqual([
      {
        field: "inlinePolicy.ReadWebhook",
        from: {
          Sid: "ReadWebhook",
          Effect: "Allow",
          Action: "secretsmanager:GetSecretValue",
          Resource: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:traildigest/slack-webhook-??????",
        },
        to: {
          Sid: "ReadWebhook",
          Effect: "Allow",
          Action: "ssm:GetParameter",
          Resource: "arn:aws:ssm:eu-west-1:123456789012:parameter/traildigest/webhook",
        },
      },
    ]);
    const fn = one(plan, "function");
    expect(fn.changes).toEqual([
      {
        field: "environment",
        from: {
          DIGEST_TIMEZONE: "UTC",
          SLACK_WEBHOOK_SECRET_ID: "traildigest/slack-webhook",
          TRAILDIGEST_SCHEDULES: SCHEDULES_VALUE,
        },
        to: {
          DIGEST_TIMEZONE: "UTC",
          SLACK_WEBHOOK_PARAMETER: "/traildigest/webhook",
          TRAILDIGEST_SCHEDULES: SCHEDULES_VALUE,
        },
      },
    ]);
  });

  it("a function deployed before TRAILDIGEST_SCHEDULES gets it as an environment change; the other variables stay, a user's own is replaced as before", () => {
    const live = deployed();
    live.function = {
      ...live.function!,
      env: { DIGEST_TIMEZONE: "UTC", SLACK_WEBHOOK_SECRET_ID: "traildigest/slack-webhook", MY_FLAG: "1" },
    };
    const fn = one(computePlan(desired(), live).plan, "function");
    expect(fn.action).toBe("update");
    expect(fn.note).toBeUndefined();
    expect(fn.changes).toEqual([
      {
        field: "environment",
        from: { DIGEST_TIMEZONE: "UTC", SLACK_WEBHOOK_SECRET_ID: "traildigest/slack-webhook", MY_FLAG: "1" },
        to: {
          DIGEST_TIMEZONE: "UTC",
          SLACK_WEBHOOK_SECRET_ID: "traildigest/slack-webhook",
          TRAILDIGEST_SCHEDULES: SCHEDULES_VALUE,
        },
      },
    ]);
    // A config without schedules writes no variable: existing pipelines without schedules plan no change.
    const bare = parseConfig({ region: "eu-west-1" });
    expect(functionEnvironment(bare)).toEqual({
      DIGEST_TIMEZONE: "UTC",
      SLACK_WEBHOOK_SECRET_ID: "traildigest/slack-webhook",
    });
  });

  it("says so on the function when the schedules do not fit the environment (role names only)", () => {
    const long = "x".repeat(60);
    const many = Array.from({ length: 50 }, (_, i) => ({
      name: `${long}-${i}`,
      group: "nightly",
      expression: "cron(0 22 ? * MON-FRI *)",
      cluster: `cluster-${long}`,
      service: `svc-${long}-${i}`,
      desiredCount: 0,
      roleArn: ROLE,
    }));
    const cfg = parseConfig({ region: "eu-west-1", schedules: many });
    const fn = one(computePlan(desired(cfg), empty).plan, "function");
    expect(fn.changes.find((c) => c.field === "environment")!.to).toMatchObject({
      TRAILDIGEST_SCHEDULES: '{"v":1,"r":["scheduler-ecs"]}',
    });
    expect(fn.note).toMatch(
      /^TRAILDIGEST_SCHEDULES: 50 schedules need \d+ bytes, \d+ fit in the function's environment; it carries the execution role names only/,
    );
  });

  it("updates the function code and config, and drops a plain-text SLACK_WEBHOOK_URL", () => {
    const live = deployed();
    live.function = {
      ...live.function!,
      codeSha256: "SHA-OLD",
      timeout: 30,
      runtime: "nodejs20.x",
      env: { ...live.function!.env, SLACK_WEBHOOK_URL: "https://hooks.slack.com/x" },
    };
    const fn = one(computePlan(desired(), live).plan, "function");
    expect(fn.action).toBe("update");
    expect(fn.changes.map((c) => c.field)).toEqual(["runtime", "timeout", "environment", "codeSha256"]);
    expect(fn.changes.find((c) => c.field === "codeSha256")).toEqual({
      field: "codeSha256",
      from: "SHA-OLD",
      to: "SHA-A",
    });
  });

  it("re-enables a disabled mapping and fixes batching and ReportBatchItemFailures", () => {
    const live = deployed();
    live.mapping = { ...live.mapping!, state: "Disabled", batchSize: 100, windowSeconds: 0, functionResponseTypes: [] };
    const m = one(
      computePlan(desired(config({ batching: { maximumConcurrency: 5 } })), live).plan,
      "event-source-mapping",
    );
    expect(m.action).toBe("update");
    expect(m.changes).toEqual([
      { field: "batchSize", from: 100, to: 10 },
      { field: "maximumBatchingWindowInSeconds", from: 0, to: 300 },
      { field: "functionResponseTypes", from: [], to: ["ReportBatchItemFailures"] },
      { field: "maximumConcurrency", from: null, to: 5 },
      { field: "enabled", from: false, to: true },
    ]);
  });

  it("plans the whole schedule from GetSchedule: every differing field", () => {
    const live = deployed();
    live.schedules[0] = {
      ...live.schedules[0]!,
      expression: "cron(0 23 ? * MON-FRI *)",
      input: { Cluster: "dev", Service: "api", DesiredCount: 1 },
      roleArn: undefined,
      retryPolicy: { maximumRetryAttempts: 185, maximumEventAgeSeconds: 86400 },
    };
    const s = one(computePlan(desired(), live).plan, "schedule");
    expect(s.name).toBe("nightly/api-night-down");
    expect(s.action).toBe("update");
    expect(s.changes).toEqual([
      { field: "expression", from: "cron(0 23 ? * MON-FRI *)", to: "cron(0 22 ? * MON-FRI *)" },
      { field: "target.roleArn", from: null, to: ROLE },
      {
        field: "target.input",
        from: { Cluster: "dev", Service: "api", DesiredCount: 1 },
        to: { Cluster: "dev", Service: "api", DesiredCount: 0 },
      },
      {
        field: "target.retryPolicy",
        from: { maximumRetryAttempts: 185, maximumEventAgeSeconds: 86400 },
        to: { maximumRetryAttempts: 3, maximumEventAgeSeconds: 3600 },
      },
    ]);
  });

  it("prunes only schedules with the exact managed description, in any group (also one the config no longer names), and only with prune", () => {
    const live = deployed();
    const extra = (name: string, group: string, description?: string) => ({
      ...live.schedules[0]!,
      name,
      group,
      ...(description ? { description } : { description: undefined }),
    });
    live.schedules.push(
      extra("old-marked", "nightly", `scale dev/api to 1 (${SCHEDULE_MARKER})`),
      extra("hand-made", "nightly"),
      extra("elsewhere", "other", `scale prod/web to 3 (${SCHEDULE_MARKER})`),
      extra("foreign", "other"),
      // The marker as a substring is not the marker: none of these is ours.
      extra("unmanaged", "nightly", "unmanaged-by:traildigest"),
      extra("copied", "nightly", `copied from a ${SCHEDULE_MARKER} schedule`),
      extra("suffix-only", "other", `x (${SCHEDULE_MARKER})`),
      extra("trailing", "other", `scale dev/api to 1 (${SCHEDULE_MARKER}) — hand edited`),
      extra("unmanaged-other", "other", "unmanaged-by:traildigest"),
    );
    expect(computePlan(desired(), live).plan.some((i) => i.action === "delete")).toBe(false);
    const deletes = computePlan(desired(), live, { prune: true }).plan.filter((i) => i.action === "delete");
    expect(deletes.map((i) => `${i.resource}:${i.name}`)).toEqual([
      "schedule:nightly/old-marked",
      "schedule:other/elsewhere",
    ]);
    expect(isManagedDescription(managedScheduleDescription("arn:aws:ecs:eu-west-1:1:cluster/dev", "api", 0))).toBe(
      true,
    );
  });

  it("a hand-made schedule with a config entry's group and name is a conflict, not an update, until --adopt names it", () => {
    const live = deployed();
    live.schedules[0] = {
      ...live.schedules[0]!,
      description: "made in the console",
      expression: "cron(0 23 ? * MON-FRI *)",
    };
    const s = one(computePlan(desired(), live, { prune: true }).plan, "schedule");
    expect(s.action).toBe("conflict");
    expect(s.note).toMatch(
      /not created by traildigest .* refuses to rewrite it unless --adopt nightly\/api-night-down/,
    );
    expect(s.changes.map((c) => c.field)).toEqual(["expression", "description"]);
    expect(planSummary(computePlan(desired(), live)).conflict).toBe(1);
    for (const adopt of [["nightly/api-night-down"], "all" as const]) {
      const a = one(computePlan(desired(), live, { adopt }).plan, "schedule");
      expect(a.action).toBe("update");
      expect(a.note).toMatch(/^adopted/);
    }
    expect(one(computePlan(desired(), live, { adopt: ["nightly/other"] }).plan, "schedule").action).toBe("conflict");
  });

  it("reads every schedule group for --prune, only the config's groups otherwise", async () => {
    const sch = mockClient(SchedulerClient);
    try {
      sch
        .on(ListScheduleGroupsCommand)
        .resolves({ ScheduleGroups: [{ Name: "default" }, { Name: "nightly" }, { Name: "retired" }] });
      sch.on(ListSchedulesCommand).callsFake((i: { GroupName: string }) => ({
        Schedules: [{ Name: `s-${i.GroupName}`, GroupName: i.GroupName }],
      }));
      sch.on(GetScheduleCommand).callsFake((i: { Name: string; GroupName: string }) => ({
        Name: i.Name,
        GroupName: i.GroupName,
        ScheduleExpression: "rate(1 hour)",
        Description: `scale dev/x to 1 (${SCHEDULE_MARKER})`,
        Target: { Arn: "arn:aws:scheduler:::aws-sdk:ecs:updateService", RoleArn: ROLE },
      }));
      const aws = { region: "eu-west-1", endpointUrl: "http://127.0.0.1:9" };
      const some = await readSchedules(aws, ["nightly"]);
      expect(some.schedules.map((s) => `${s.group}/${s.name}`)).toEqual(["nightly/s-nightly"]);
      const all = await readSchedules(aws, "all");
      expect(all.schedules.map((s) => `${s.group}/${s.name}`)).toEqual([
        "default/s-default",
        "nightly/s-nightly",
        "retired/s-retired",
      ]);
      const live = {
        ...deployed(),
        scheduleGroups: all.groups,
        schedules: [...deployed().schedules, ...all.schedules.filter((s) => s.group !== "nightly")],
      };
      const deletes = computePlan(desired(), live, { prune: true }).plan.filter((i) => i.action === "delete");
      expect(deletes.map((i) => i.name)).toEqual(["default/s-default", "retired/s-retired"]);
    } finally {
      sch.restore();
    }
  });

  it("diffs the role's inline policy statement by statement, and adds a missing policy whole", () => {
    const live = deployed();
    const doc = live.role!.inlinePolicy as { Statement: Record<string, unknown>[] };
    doc.Statement = doc.Statement.filter((x) => x.Sid !== "WriteLogs");
    doc.Statement.push({ Sid: "Extra", Effect: "Allow", Action: "s3:*", Resource: "*" });
    const role = one(computePlan(desired(), live).plan, "role");
    expect(role.changes.map((c) => [c.field, c.from === null, c.to === null])).toEqual([
      ["inlinePolicy.WriteLogs", true, false],
      ["inlinePolicy.Extra", false, true],
    ]);
    delete live.role!.inlinePolicy;
    expect(one(computePlan(desired(), live).plan, "role").changes.map((c) => c.field)).toEqual(["inlinePolicy"]);
  });

  it("compares the function's role with the live role's ARN, which may carry an IAM path", () => {
    const live = deployed();
    const pathed = `arn:aws:iam::${id.account}:role/service-role/${config().function.roleName}`;
    live.role!.arn = pathed;
    live.function!.role = pathed;
    expect(one(computePlan(desired(), live).plan, "function").action).toBe("noop");
    live.function!.role = `arn:aws:iam::${id.account}:role/${config().function.roleName}`;
    expect(one(computePlan(desired(), live).plan, "function").changes).toEqual([
      { field: "role", from: live.function!.role, to: pathed },
    ]);
  });

  it("does not plan a group for schedules in the default group", () => {
    const cfg = config({
      schedules: [
        { name: "a", expression: "rate(1 hour)", cluster: "c", service: "s", desiredCount: 1, roleArn: ROLE },
      ],
    });
    const { plan } = computePlan(desired(cfg), empty);
    expect(by(plan, "schedule-group")).toHaveLength(0);
    expect(one(plan, "schedule").name).toBe("default/a");
  });
});

describe("rule scope in the plan", () => {
  it("shows the scope and its pattern on the rule, and a changed scope is an update of the live pattern", () => {
    const cfg = config();
    const scoped = {
      ...cfg,
      rule: { ...cfg.rule, scope: { calls: "scale" as const, autoScaling: false, deploys: true } },
    };
    const { plan } = computePlan(desired(scoped), deployed(cfg));
    const rule = plan.find((i) => i.resource === "rule")!;
    expect(rule.action).toBe("update");
    expect(rule.changes.map((c) => c.field)).toEqual(["eventPattern"]);
    expect(rule.note).toMatch(
      /^scope: scale calls only \(desiredCount given\), without Application Auto Scaling — pattern \{.*"desiredCount":\[\{"exists":true\}\]/,
    );
    expect(computePlan(desired(cfg), deployed(cfg)).plan.find((i) => i.resource === "rule")!.action).toBe("noop");
  });
});
