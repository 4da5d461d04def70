// `setup export`: Terraform read back by a real HCL parser and checked against the AWS provider's
// arguments; CloudFormation checked against the CloudFormation resource specification; and the
// plan, the Terraform and the CloudFormation describing the same settings, before and after a config change.
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { parse as parseHcl } from "@cdktf/hcl2json";
import { loadAwsServiceSpec } from "@aws-cdk/aws-service-spec";
import { parseConfig, type Config } from "../src/core/setup/config-schema.js";
import { computePlan, type LiveState } from "../src/core/setup/plan.js";
import {
  functionArn,
  policyAllowsRule,
  queueArn,
  roleArn,
  ruleArn,
  type Identity,
} from "../src/core/setup/policies.js";
import { renderTerraform, terraformImports } from "../src/core/setup/export/terraform.js";
import {
  IMPORT_IDENTIFIER,
  cloudFormationImports,
  cloudFormationTemplate,
  importTemplate,
} from "../src/core/setup/export/cloudformation.js";
import { exportFiles } from "../src/core/setup/export/files.js";
import { quote } from "../src/core/setup/export/hcl.js";

const ID: Identity = { account: "123456789012", region: "ap-northeast-2", partition: "aws" };
const SCHED_ROLE = "arn:aws:iam::123456789012:role/scheduler-ecs";
const BASE = {
  region: "ap-northeast-2",
  function: { digestTimezone: "Asia/Seoul", webhook: { parameter: "/td/slack-webhook" } },
  schedules: [
    {
      name: "api.night-down",
      group: "td-nightly",
      expression: "cron(0 22 ? * MON-FRI *)",
      timezone: "Asia/Seoul",
      cluster: "dev",
      service: "api",
      desiredCount: 0,
      roleArn: SCHED_ROLE,
      flexibleWindowMinutes: 5,
    },
    {
      name: "api-morning-up",
      expression: "cron(0 8 ? * MON-FRI *)",
      cluster: "dev",
      service: "api",
      desiredCount: 2,
      roleArn: SCHED_ROLE,
      retryPolicy: { maximumRetryAttempts: 3 },
    },
  ],
};
const cfgA = parseConfig(BASE);
// Every kind of setting changed at once: names, numbers, pattern, environment, schedules.
const cfgB = parseConfig({
  ...BASE,
  queue: { name: "td-q", retentionSeconds: 86_400 },
  dlq: { name: "td-q-dlq", maxReceiveCount: 3 },
  rule: { name: "td-rule", eventNames: ["UpdateService", "CreateService"] },
  function: {
    ...BASE.function,
    name: "td-fn",
    roleName: "td-role",
    memory: 512,
    timeout: 30,
    webhook: { secretId: "td/hook" },
  },
  batching: { batchSize: 50, windowSeconds: 120, maximumConcurrency: 4 },
  schedules: [
    {
      ...BASE.schedules[0],
      desiredCount: 1,
      state: "DISABLED",
      deadLetterArn: "arn:aws:sqs:ap-northeast-2:123456789012:sched-dlq",
    },
  ],
});

const EMPTY: LiveState = { targets: [], webhookExists: false, scheduleGroups: [], schedules: [] };

// ---------- one normalised view of the pipeline, from each renderer ----------

type View = Record<string, unknown>;

function planView(cfg: Config): View {
  const plan = computePlan({ config: cfg, identity: ID, codeSha256: "x", webhookEnvSet: true }, EMPTY);
  const v: View = {};
  for (const item of plan.plan) {
    if (item.resource === "queue-policy" || item.resource === "webhook-secret" || item.resource === "webhook-parameter")
      continue;
    for (const c of item.changes) if (c.field !== "codeSha256") v[`${item.resource}:${item.name}.${c.field}`] = c.to;
  }
  return v;
}

/** The same keys plan uses, from a resolved set of resources (whatever the renderer). */
function viewOf(r: {
  dlq: { name: string; retention: unknown };
  queue: {
    name: string;
    visibility: unknown;
    retention: unknown;
    redrive: { deadLetterTargetArn: unknown; maxReceiveCount: unknown };
  };
  rule: { name: string; pattern: unknown; state: unknown };
  target: { arn: unknown; roleArn?: unknown };
  role: { name: string; trust: unknown; inline: unknown };
  fn: {
    name: string;
    runtime: unknown;
    memory: unknown;
    timeout: unknown;
    handler: unknown;
    role: unknown;
    env: unknown;
  };
  mapping: { arn: unknown; batch: unknown; window: unknown; types: unknown; conc: unknown; enabled: unknown };
  groups: string[];
  schedules: { name: string; group: string; fields: Record<string, unknown> }[];
}): View {
  const v: View = {};
  const put = (prefix: string, o: Record<string, unknown>) => {
    for (const [k, x] of Object.entries(o)) if (x !== undefined) v[`${prefix}.${k}`] = x;
  };
  put(`dlq:${r.dlq.name}`, { retentionSeconds: r.dlq.retention });
  put(`queue:${r.queue.name}`, {
    visibilityTimeout: r.queue.visibility,
    retentionSeconds: r.queue.retention,
    "redrive.deadLetterTargetArn": r.queue.redrive.deadLetterTargetArn,
    "redrive.maxReceiveCount": r.queue.redrive.maxReceiveCount,
  });
  put(`rule:${r.rule.name}`, { eventPattern: r.rule.pattern, state: r.rule.state });
  put(`rule-target:${r.rule.name} → ${r.queue.name}`, { arn: r.target.arn, roleArn: r.target.roleArn });
  put(`role:${r.role.name}`, { trustPolicy: r.role.trust, inlinePolicy: r.role.inline });
  put(`function:${r.fn.name}`, {
    runtime: r.fn.runtime,
    memorySize: r.fn.memory,
    timeout: r.fn.timeout,
    handler: r.fn.handler,
    role: r.fn.role,
    environment: r.fn.env,
  });
  put(`event-source-mapping:${r.queue.name} → ${r.fn.name}`, {
    eventSourceArn: r.mapping.arn,
    batchSize: r.mapping.batch,
    maximumBatchingWindowInSeconds: r.mapping.window,
    functionResponseTypes: r.mapping.types,
    maximumConcurrency: r.mapping.conc,
    enabled: r.mapping.enabled,
  });
  for (const s of r.schedules) put(`schedule:${s.group}/${s.name}`, s.fields);
  return v;
}

// ---------- Terraform: parse with hcl2json, then resolve references with a fixed identity ----------

/** jsonencode(X) → X, so hcl2json turns constant objects into JSON (after references are resolved). */
function stripJsonencode(src: string): string {
  let out = src;
  for (let i = out.indexOf("jsonencode("); i >= 0; i = out.indexOf("jsonencode(")) {
    let depth = 0;
    let inStr = false;
    let j = i + "jsonencode".length;
    for (; j < out.length; j++) {
      const ch = out[j];
      if (inStr) {
        if (ch === "\\") j++;
        else if (ch === '"') inStr = false;
      } else if (ch === '"') inStr = true;
      else if (ch === "(") depth++;
      else if (ch === ")" && --depth === 0) break;
    }
    out = out.slice(0, i) + out.slice(i + "jsonencode(".length, j) + out.slice(j + 1);
  }
  return out;
}

type TfJson = Record<string, Record<string, Record<string, Record<string, unknown>[]>>> & {
  variable?: Record<string, { default: string }[]>;
};
const unescapeTf = (s: string) => s.replace(/\$\$\{/g, "${").replace(/%%\{/g, "%{");

async function terraformResources(main: string): Promise<TfJson["resource"]> {
  const raw = (await parseHcl("main.tf", main)) as TfJson;
  const vars = Object.fromEntries(Object.entries(raw.variable ?? {}).map(([k, v]) => [k, v[0]!.default]));
  const names = (type: string, label: string): string => {
    const r = raw.resource![type]![label]![0]!;
    const n = String(r.name ?? r.function_name);
    return n.replace(/^\$\{var\.(\w+)\}$/, (_m, k: string) => vars[k]!);
  };
  const resolve = (ref: string): string => {
    const data: Record<string, string> = {
      "data.aws_caller_identity.current.account_id": ID.account,
      "data.aws_region.current.name": ID.region,
      "data.aws_partition.current.partition": "aws",
    };
    if (data[ref]) return data[ref];
    if (ref.startsWith("var.")) return vars[ref.slice(4)]!;
    const [type, label, a] = ref.split(".") as [string, string, string];
    const n = names(type, label);
    if (a === "name" || a === "function_name") return n;
    if (a === "id" || a === "url") return `https://sqs.${ID.region}.amazonaws.com/${ID.account}/${n}`;
    const arn = {
      aws_sqs_queue: queueArn,
      aws_cloudwatch_event_rule: ruleArn,
      aws_iam_role: roleArn,
      aws_lambda_function: functionArn,
    }[type];
    if (a === "arn" && arn) return arn(ID, n);
    throw new Error(`unresolved ${ref}`);
  };
  const REF = /(?:data\.\w+\.current\.\w+|var\.\w+|aws_\w+\.[\w-]+\.\w+)/;
  let src = stripJsonencode(main);
  src = src.replace(new RegExp(`(?<!\\$)\\$\\{(${REF.source})\\}`, "g"), (_m, r: string) => resolve(r));
  src = src.replace(
    new RegExp(`(= |\\[|, |^\\s+)(${REF.source})(?=\\s*$|,|\\])`, "gm"),
    (_m, pre: string, r: string) => `${pre}${quote(resolve(r))}`,
  );
  const parsed = (await parseHcl("resolved.tf", src)) as TfJson;
  return JSON.parse(JSON.stringify(parsed.resource), (_k, v) => (typeof v === "string" ? unescapeTf(v) : v));
}

async function terraformView(cfg: Config): Promise<View> {
  const R = await terraformResources(renderTerraform(cfg)["main.tf"]);
  const one = (type: string, label: string) => R![type]![label]![0]! as Record<string, any>;
  const q = one("aws_sqs_queue", "events");
  const fn = one("aws_lambda_function", "digest");
  const m = one("aws_lambda_event_source_mapping", "digest");
  const target = one("aws_cloudwatch_event_target", "queue");
  const policy = one("aws_sqs_queue_policy", "events");
  expect(policyAllowsRule(policy.policy, queueArn(ID, cfg.queue.name), ruleArn(ID, cfg.rule.name))).toBe(true);
  expect(policy.queue_url).toContain(`/${cfg.queue.name}`);
  const groups = Object.values(R!.aws_scheduler_schedule_group ?? {}).map((g) => String(g[0]!.name));
  return viewOf({
    dlq: { name: one("aws_sqs_queue", "dlq").name, retention: one("aws_sqs_queue", "dlq").message_retention_seconds },
    queue: {
      name: q.name,
      visibility: q.visibility_timeout_seconds,
      retention: q.message_retention_seconds,
      redrive: q.redrive_policy,
    },
    rule: {
      name: one("aws_cloudwatch_event_rule", "ecs_calls").name,
      pattern: one("aws_cloudwatch_event_rule", "ecs_calls").event_pattern,
      state: "ENABLED",
    },
    target: { arn: target.arn, roleArn: target.role_arn },
    role: {
      name: one("aws_iam_role", "digest").name,
      trust: one("aws_iam_role", "digest").assume_role_policy,
      inline: one("aws_iam_role_policy", "digest").policy,
    },
    fn: {
      name: fn.function_name,
      runtime: fn.runtime,
      memory: fn.memory_size,
      timeout: fn.timeout,
      handler: fn.handler,
      role: fn.role,
      env: fn.environment[0].variables,
    },
    mapping: {
      arn: m.event_source_arn,
      batch: m.batch_size,
      window: m.maximum_batching_window_in_seconds,
      types: m.function_response_types,
      conc: m.scaling_config?.[0]?.maximum_concurrency,
      enabled: m.enabled,
    },
    groups,
    schedules: Object.values(R!.aws_scheduler_schedule ?? {}).map(([s]: any[]) => {
      const t = s.target[0];
      const fw = s.flexible_time_window[0];
      return {
        name: s.name,
        group: s.group_name,
        fields: {
          expression: s.schedule_expression,
          timezone: s.schedule_expression_timezone,
          state: s.state,
          description: s.description,
          flexibleWindowMinutes: fw.mode === "FLEXIBLE" ? fw.maximum_window_in_minutes : undefined,
          "target.arn": t.arn,
          "target.roleArn": t.role_arn,
          "target.input": JSON.parse(t.input),
          "target.retryPolicy": {
            maximumRetryAttempts: t.retry_policy[0].maximum_retry_attempts,
            maximumEventAgeSeconds: t.retry_policy[0].maximum_event_age_in_seconds,
          },
          "target.deadLetterArn": t.dead_letter_config?.[0]?.arn,
        },
      };
    }),
  });
}

// ---------- CloudFormation: resolve intrinsics with the same identity ----------

function resolveCfn(
  template: ReturnType<typeof cloudFormationTemplate>,
): Record<string, { Type: string; Properties: Record<string, any> }> {
  const params = Object.fromEntries(
    Object.entries(template.Parameters).map(([k, v]) => [k, (v as { Default?: string }).Default ?? `param:${k}`]),
  );
  const pseudo: Record<string, string> = {
    "AWS::AccountId": ID.account,
    "AWS::Region": ID.region,
    "AWS::Partition": "aws",
  };
  const R = template.Resources;
  const nameOf = (logical: string): string => {
    const p = R[logical]!.Properties;
    return ev(p.QueueName ?? p.Name ?? p.RoleName ?? p.FunctionName) as string;
  };
  const ref = (x: string): string => {
    if (x in pseudo) return pseudo[x]!;
    if (x in params) return params[x]!;
    const r = R[x]!;
    return r.Type === "AWS::SQS::Queue"
      ? `https://sqs.${ID.region}.amazonaws.com/${ID.account}/${nameOf(x)}`
      : nameOf(x);
  };
  function ev(v: unknown): unknown {
    if (Array.isArray(v)) return v.map(ev);
    if (v && typeof v === "object") {
      const o = v as Record<string, unknown>;
      if ("Ref" in o) return ref(String(o.Ref));
      if ("Fn::Sub" in o)
        return String(o["Fn::Sub"])
          .replace(/\$\{([^}!]+)\}/g, (_m, k: string) => ref(k))
          .replace(/\$\{!/g, "${");
      if ("Fn::GetAtt" in o) {
        const [logical] = o["Fn::GetAtt"] as [string, string];
        const arn = {
          "AWS::SQS::Queue": queueArn,
          "AWS::Events::Rule": ruleArn,
          "AWS::IAM::Role": roleArn,
          "AWS::Lambda::Function": functionArn,
        }[R[logical]!.Type]!;
        return arn(ID, nameOf(logical));
      }
      return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, ev(x)]));
    }
    return v;
  }
  return Object.fromEntries(
    Object.entries(R).map(([k, r]) => [k, { Type: r.Type, Properties: ev(r.Properties) as Record<string, any> }]),
  );
}

function cloudFormationView(cfg: Config): View {
  const R = resolveCfn(cloudFormationTemplate(cfg));
  const q = R.EventsQueue!.Properties;
  const rule = R.EcsCallsRule!.Properties;
  const role = R.DigestRole!.Properties;
  const fn = R.DigestFunction!.Properties;
  const m = R.DigestEventSourceMapping!.Properties;
  const pol = R.EventsQueuePolicy!.Properties;
  expect(policyAllowsRule(pol.PolicyDocument, queueArn(ID, cfg.queue.name), ruleArn(ID, cfg.rule.name))).toBe(true);
  expect(pol.Queues).toEqual([`https://sqs.${ID.region}.amazonaws.com/${ID.account}/${cfg.queue.name}`]);
  const of = (type: string) =>
    Object.values(R)
      .filter((r) => r.Type === type)
      .map((r) => r.Properties);
  return viewOf({
    dlq: {
      name: R.DeadLetterQueue!.Properties.QueueName,
      retention: R.DeadLetterQueue!.Properties.MessageRetentionPeriod,
    },
    queue: {
      name: q.QueueName,
      visibility: q.VisibilityTimeout,
      retention: q.MessageRetentionPeriod,
      redrive: q.RedrivePolicy,
    },
    rule: { name: rule.Name, pattern: rule.EventPattern, state: rule.State },
    target: { arn: rule.Targets[0].Arn, roleArn: rule.Targets[0].RoleArn },
    role: { name: role.RoleName, trust: role.AssumeRolePolicyDocument, inline: role.Policies[0].PolicyDocument },
    fn: {
      name: fn.FunctionName,
      runtime: fn.Runtime,
      memory: fn.MemorySize,
      timeout: fn.Timeout,
      handler: fn.Handler,
      role: fn.Role,
      env: fn.Environment.Variables,
    },
    mapping: {
      arn: m.EventSourceArn,
      batch: m.BatchSize,
      window: m.MaximumBatchingWindowInSeconds,
      types: m.FunctionResponseTypes,
      conc: m.ScalingConfig?.MaximumConcurrency,
      enabled: m.Enabled,
    },
    groups: of("AWS::Scheduler::ScheduleGroup").map((g) => g.Name),
    schedules: of("AWS::Scheduler::Schedule").map((s) => ({
      name: s.Name,
      group: s.GroupName,
      fields: {
        expression: s.ScheduleExpression,
        timezone: s.ScheduleExpressionTimezone,
        state: s.State,
        description: s.Description,
        flexibleWindowMinutes:
          s.FlexibleTimeWindow.Mode === "FLEXIBLE" ? s.FlexibleTimeWindow.MaximumWindowInMinutes : undefined,
        "target.arn": s.Target.Arn,
        "target.roleArn": s.Target.RoleArn,
        "target.input": JSON.parse(s.Target.Input),
        "target.retryPolicy": {
          maximumRetryAttempts: s.Target.RetryPolicy.MaximumRetryAttempts,
          maximumEventAgeSeconds: s.Target.RetryPolicy.MaximumEventAgeInSeconds,
        },
        "target.deadLetterArn": s.Target.DeadLetterConfig?.Arn,
      },
    })),
  });
}

describe("one model, three renderers", () => {
  it("plan, Terraform and CloudFormation describe the same settings, and a config change moves all three the same way", async () => {
    const [planA, planB] = [planView(cfgA), planView(cfgB)];
    const [tfA, tfB] = [await terraformView(cfgA), await terraformView(cfgB)];
    const [cfnA, cfnB] = [cloudFormationView(cfgA), cloudFormationView(cfgB)];
    expect(tfA).toEqual(planA);
    expect(cfnA).toEqual(planA);
    expect(tfB).toEqual(planB);
    expect(cfnB).toEqual(planB);
    // The change is real in every renderer: batch size, pattern and schedule count all moved.
    expect(planB).not.toEqual(planA);
    expect(tfB["event-source-mapping:td-q → td-fn.batchSize"]).toBe(50);
    expect(cfnB["rule:td-rule.eventPattern"]).toMatchObject({
      detail: { eventName: ["UpdateService", "CreateService"] },
    });
    expect(Object.keys(tfA).filter((k) => k.startsWith("schedule:")).length).toBeGreaterThan(
      Object.keys(tfB).filter((k) => k.startsWith("schedule:")).length,
    );
    // The schedules as callers (TRAILDIGEST_SCHEDULES) reach the function in all three, and follow the schedules.
    const envOf = (v: View, fn: string) =>
      (v[`function:${fn}.environment`] as Record<string, string>).TRAILDIGEST_SCHEDULES;
    for (const v of [planA, tfA, cfnA]) {
      expect(envOf(v, "traildigest-digest")).toBe(
        '{"v":1,"s":{"scheduler-ecs":{"td-nightly":[["api.night-down","dev","api",0]],"default":[["api-morning-up","dev","api",2]]}}}',
      );
    }
    for (const v of [planB, tfB, cfnB])
      expect(envOf(v, "td-fn")).toBe('{"v":1,"s":{"scheduler-ecs":{"td-nightly":[["api.night-down","dev","api",1]]}}}');
  });
});

// ---------- Terraform against the provider's arguments ----------

const PROVIDER = JSON.parse(
  readFileSync(new URL("./fixtures/terraform-aws-arguments.json", import.meta.url), "utf8"),
) as {
  meta: string[];
  resources: Record<string, { arguments: string[]; blocks?: Record<string, string[]> }>;
  data_sources: string[];
};

describe("Terraform output", () => {
  it("parses with a real HCL parser and uses only the AWS provider's resource types and arguments", async () => {
    for (const cfg of [cfgA, cfgB]) {
      const imports = terraformImports(cfg, {
        ...EMPTY,
        queue: { url: "https://q/1", arn: "a", visibilityTimeout: 1, retentionSeconds: 1, policy: {} },
      });
      const files = renderTerraform(cfg, { imports });
      const doc = (await parseHcl("main.tf", files["main.tf"])) as Record<string, any>;
      expect(doc.terraform[0].required_providers[0].aws).toEqual({ source: "hashicorp/aws", version: ">= 5.0, < 7.0" });
      expect(doc.terraform[0].required_version).toBe(">= 1.5.0");
      expect(Object.keys(doc.output).sort()).toEqual(["function_name", "queue_url", "rule_arn"]);
      expect(Object.keys(doc.data).sort()).toEqual([...PROVIDER.data_sources].sort());
      for (const [type, byLabel] of Object.entries(
        doc.resource as Record<string, Record<string, Record<string, unknown>[]>>,
      )) {
        const spec = PROVIDER.resources[type];
        expect(spec, `resource type ${type}`).toBeDefined();
        for (const [label, [body]] of Object.entries(byLabel)) {
          for (const [arg, v] of Object.entries(body!)) {
            expect([...spec!.arguments, ...PROVIDER.meta], `${type}.${label}.${arg}`).toContain(arg);
            // Nested blocks: their arguments too (one level, and target.retry_policy etc.).
            const inner = spec!.blocks?.[arg];
            if (inner && Array.isArray(v)) {
              for (const [k, x] of Object.entries(v[0] as Record<string, unknown>)) {
                expect(inner, `${type}.${label}.${arg}.${k}`).toContain(k);
                const deeper = spec!.blocks?.[`${arg}.${k}`];
                if (deeper && Array.isArray(x))
                  for (const d of Object.keys(x[0] as object)) expect(deeper, `${type}.${arg}.${k}.${d}`).toContain(d);
              }
            }
          }
        }
      }
      const imp = (await parseHcl("imports.tf", files["imports.tf"]!)) as { import: { to: string; id: string }[] };
      expect(imp.import).toEqual([
        { to: "${aws_sqs_queue.events}", id: "https://q/1" },
        { to: "${aws_sqs_queue_policy.events}", id: "https://q/1" },
      ]);
    }
  });

  it("writes config text as literal strings: ${, %{, quotes and backslashes never become HCL expressions", async () => {
    const cfg = parseConfig({ schedules: [{ ...BASE.schedules[1], cluster: 'c"${var.x}%{if 1}\\n', service: "s" }] });
    const R = await terraformResources(renderTerraform(cfg)["main.tf"]);
    const s = Object.values(R!.aws_scheduler_schedule!)[0]![0] as { description: string; target: { input: string }[] };
    expect(s.description).toBe(`scale c"\${var.x}%{if 1}\\n/s to 2 (managed-by:traildigest)`);
    expect(JSON.parse(s.target[0]!.input).Cluster).toBe('c"${var.x}%{if 1}\\n');
  });

  it("references the webhook and never writes a value", () => {
    process.env.SLACK_WEBHOOK_URL = "https://hooks.slack.example/services/T0/B0/neverwritten";
    try {
      for (const format of ["terraform", "cloudformation"] as const) {
        const { files } = exportFiles(cfgA, {
          format,
          templateFormat: "json",
          stringifyYaml: JSON.stringify,
          live: EMPTY,
        });
        const all = Object.values(files).join("\n");
        expect(all).not.toContain("neverwritten");
        expect(all).toContain("/td/slack-webhook");
        expect(all).not.toMatch(/aws_secretsmanager|aws_ssm_parameter|AWS::SecretsManager|AWS::SSM/);
      }
    } finally {
      delete process.env.SLACK_WEBHOOK_URL;
    }
  });

  it("import blocks name every live part with the ID the AWS provider expects", () => {
    const live: LiveState = {
      dlq: { url: "https://sqs/dlq", arn: "", visibilityTimeout: 30, retentionSeconds: 1 },
      queue: { url: "https://sqs/q", arn: "", visibilityTimeout: 30, retentionSeconds: 1, policy: { Statement: [] } },
      rule: { arn: "arn:rule", state: "ENABLED" },
      targets: [{ id: "traildigest-queue", arn: "x" }],
      webhookExists: true,
      role: { arn: "arn:role", inlinePolicy: {} },
      function: { arn: "arn:fn", env: {} },
      mapping: { uuid: "uuid-1", eventSourceArn: "x", functionResponseTypes: [] },
      scheduleGroups: ["default", "td-nightly"],
      schedules: [{ name: "api.night-down", group: "td-nightly", expression: "", state: "ENABLED", targetArn: "" }],
    };
    expect(terraformImports(cfgA, live)).toEqual([
      { to: "aws_sqs_queue.dlq", id: "https://sqs/dlq" },
      { to: "aws_sqs_queue.events", id: "https://sqs/q" },
      { to: "aws_sqs_queue_policy.events", id: "https://sqs/q" },
      { to: "aws_cloudwatch_event_rule.ecs_calls", id: "traildigest-ecs-updateservice" },
      { to: "aws_cloudwatch_event_target.queue", id: "traildigest-ecs-updateservice/traildigest-queue" },
      { to: "aws_iam_role.digest", id: "traildigest-digest-role" },
      { to: "aws_iam_role_policy.digest", id: "traildigest-digest-role:traildigest-digest" },
      { to: "aws_lambda_function.digest", id: "traildigest-digest" },
      { to: "aws_lambda_event_source_mapping.digest", id: "uuid-1" },
      { to: "aws_scheduler_schedule_group.td-nightly", id: "td-nightly" },
      { to: "aws_scheduler_schedule.td-nightly_api_night-down", id: "td-nightly/api.night-down" },
    ]);
    const cfn = cloudFormationImports(cfgA, live);
    expect(cfn.map((i) => [i.LogicalResourceId, Object.values(i.ResourceIdentifier)[0]])).toEqual([
      ["DeadLetterQueue", "https://sqs/dlq"],
      ["EventsQueue", "https://sqs/q"],
      ["EcsCallsRule", "arn:rule"],
      ["DigestRole", "traildigest-digest-role"],
      ["DigestFunction", "traildigest-digest"],
      ["DigestEventSourceMapping", "uuid-1"],
      ["ScheduleGroupTdNightly", "td-nightly"],
      ["ScheduleTdNightlyApiNightDown", "api.night-down"],
    ]);
    const full = cloudFormationTemplate(cfgA, { imports: cfn });
    const imp = importTemplate(full, cfn);
    expect(Object.keys(imp.Resources).sort()).toEqual(cfn.map((i) => i.LogicalResourceId).sort());
    for (const r of Object.values(imp.Resources)) expect(r.DeletionPolicy).toBe("Retain");
    expect(imp.Outputs).toBeUndefined();
    expect(full.Resources.EventsQueuePolicy!.DeletionPolicy).toBeUndefined();
  });
});

// ---------- CloudFormation against the resource specification ----------

describe("CloudFormation output against the CloudFormation resource specification", () => {
  let db: Awaited<ReturnType<typeof loadAwsServiceSpec>>;
  beforeAll(async () => {
    db = await loadAwsServiceSpec();
  });

  type PropType = { type: string; element?: PropType; reference?: { $ref: string }; types?: PropType[] };
  const INTRINSIC = /^(Ref|Fn::\w+)$/;

  /** Problems with one value against its spec type; intrinsic functions stand for any scalar. */
  function check(v: unknown, t: PropType, at: string, problems: string[]): void {
    if (
      v &&
      typeof v === "object" &&
      !Array.isArray(v) &&
      Object.keys(v).length === 1 &&
      INTRINSIC.test(Object.keys(v)[0]!)
    )
      return;
    switch (t.type) {
      case "string":
        if (typeof v !== "string") problems.push(`${at}: expected string, got ${JSON.stringify(v)}`);
        return;
      case "integer":
      case "number":
        if (typeof v !== "number") problems.push(`${at}: expected ${t.type}`);
        return;
      case "boolean":
        if (typeof v !== "boolean") problems.push(`${at}: expected boolean`);
        return;
      case "json":
        if (typeof v !== "object" && typeof v !== "string") problems.push(`${at}: expected JSON`);
        return;
      case "array":
        if (!Array.isArray(v)) problems.push(`${at}: expected array`);
        else v.forEach((x, i) => check(x, t.element!, `${at}[${i}]`, problems));
        return;
      case "map":
        if (!v || typeof v !== "object") problems.push(`${at}: expected map`);
        else for (const [k, x] of Object.entries(v)) check(x, t.element!, `${at}.${k}`, problems);
        return;
      case "union": {
        const tries = t.types!.map((u) => {
          const p: string[] = [];
          check(v, u, at, p);
          return p;
        });
        if (!tries.some((p) => p.length === 0)) problems.push(...tries[0]!);
        return;
      }
      case "ref": {
        const def = db.get("typeDefinition", t.reference!.$ref) as unknown as {
          properties: Record<string, { type: PropType; required?: boolean }>;
        };
        checkProps(v, def.properties, at, problems);
        return;
      }
      default:
        problems.push(`${at}: unknown spec type ${t.type}`);
    }
  }
  function checkProps(
    v: unknown,
    props: Record<string, { type: PropType; required?: boolean; previousTypes?: PropType[] }>,
    at: string,
    problems: string[],
  ): void {
    if (!v || typeof v !== "object" || Array.isArray(v)) {
      problems.push(`${at}: expected an object`);
      return;
    }
    for (const [k, x] of Object.entries(v)) {
      const p = props[k];
      if (!p) problems.push(`${at}.${k}: unknown property`);
      else check(x, p.type, `${at}.${k}`, problems);
    }
    for (const [k, p] of Object.entries(props))
      if (p.required && !(k in v)) problems.push(`${at}.${k}: required, missing`);
  }

  it("every resource type exists, every property is known and of the right type, required properties are present", () => {
    for (const cfg of [cfgA, cfgB]) {
      const live: LiveState = { ...EMPTY, queue: { url: "u", arn: "a", visibilityTimeout: 1, retentionSeconds: 1 } };
      const t = cloudFormationTemplate(cfg, { imports: cloudFormationImports(cfg, live) });
      const problems: string[] = [];
      for (const [logical, r] of Object.entries(t.Resources)) {
        const found = db.lookup("resource", "cloudFormationType", "equals", r.Type);
        expect(found.length, `${logical}: ${r.Type} exists`).toBe(1);
        checkProps(r.Properties, found.only().properties as never, `${logical}(${r.Type})`, problems);
      }
      expect(problems).toEqual([]);
    }
  });

  it("the import identifiers are the types' primary identifiers, and only importable types are imported", () => {
    for (const [type, key] of Object.entries(IMPORT_IDENTIFIER)) {
      const r = db.lookup("resource", "cloudFormationType", "equals", type).only();
      expect(r.primaryIdentifier, type).toContain(key);
    }
  });

  it("catches a wrong template: an unknown property, a wrong type and a missing required property", () => {
    const t = cloudFormationTemplate(cfgA);
    const bad = structuredClone(t.Resources.DigestEventSourceMapping!.Properties) as Record<string, unknown>;
    bad.BatchSize = "10";
    bad.Batchsize = 10;
    delete bad.FunctionName;
    const problems: string[] = [];
    checkProps(
      bad,
      db.lookup("resource", "cloudFormationType", "equals", "AWS::Lambda::EventSourceMapping").only()
        .properties as never,
      "m",
      problems,
    );
    expect(problems.sort()).toEqual([
      "m.BatchSize: expected integer",
      "m.Batchsize: unknown property",
      "m.FunctionName: required, missing",
    ]);
  });
});
