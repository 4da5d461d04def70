// PURE: the pipeline as Terraform (plain HCL, AWS provider resources only), and the import blocks
// that adopt a pipeline `setup apply` built. Rendered from desired.ts, the model plan/apply use.
import type { Config } from "../config-schema.js";
import { NAME_VARIABLES, placeholderParts, symbolicPipeline, type Pipeline } from "../desired.js";
import type { LiveState } from "../plan.js";
import { RULE_TARGET_ID } from "../policies.js";
import { Call, Expr, Template, attr, block, expr, identifier, renderFile, type Block, type Value } from "./hcl.js";

/** The provider range the arguments were checked against (test/fixtures/terraform-aws-arguments.json). */
export const AWS_PROVIDER_VERSION = ">= 5.0, < 7.0";

const DATA: Record<string, string> = {
  account: "data.aws_caller_identity.current.account_id",
  region: "data.aws_region.current.name",
  partition: "data.aws_partition.current.partition",
};

/** Resource addresses, fixed so import blocks and the docs can name them. */
export const TF = {
  dlq: "aws_sqs_queue.dlq",
  queue: "aws_sqs_queue.events",
  queuePolicy: "aws_sqs_queue_policy.events",
  rule: "aws_cloudwatch_event_rule.ecs_calls",
  target: "aws_cloudwatch_event_target.queue",
  role: "aws_iam_role.digest",
  rolePolicy: "aws_iam_role_policy.digest",
  function: "aws_lambda_function.digest",
  mapping: "aws_lambda_event_source_mapping.digest",
} as const;

/** Unique labels for schedule groups and schedules (names may hold "." and start with a digit). */
function scheduleLabels(p: Pipeline): { groups: Map<string, string>; schedules: Map<string, string> } {
  const used = new Set<string>();
  const unique = (base: string) => {
    let l = base;
    for (let i = 2; used.has(l); i++) l = `${base}_${i}`;
    used.add(l);
    return l;
  };
  const groups = new Map(p.scheduleGroups.map((g) => [g, unique(identifier(g))]));
  used.clear();
  const schedules = new Map(
    p.schedules.map((s) => [`${s.group}/${s.name}`, unique(identifier(`${s.group}_${s.name}`))]),
  );
  return { groups, schedules };
}

/** Model value → HCL value: known ARNs become references, placeholders become data sources / variables. */
function converter(p: Pipeline) {
  const refs = new Map<string, string>([
    [p.arns.queue, `${TF.queue}.arn`],
    [p.arns.dlq, `${TF.dlq}.arn`],
    [p.arns.rule, `${TF.rule}.arn`],
    [p.arns.role, `${TF.role}.arn`],
  ]);
  const conv = (v: unknown): Value => {
    if (typeof v === "string") {
      const ref = refs.get(v);
      if (ref) return expr(ref);
      const parts = placeholderParts(v).map((x) =>
        typeof x === "string" ? x : expr(x.key.startsWith("var:") ? `var.${x.key.slice(4)}` : DATA[x.key]!),
      );
      if (parts.length === 1 && parts[0] instanceof Expr) return parts[0];
      return parts.some((x) => x instanceof Expr) ? new Template(parts) : v;
    }
    if (typeof v === "number" || typeof v === "boolean") return v;
    if (Array.isArray(v)) return v.map(conv);
    if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, conv(x)]));
    throw new Error(`cannot write ${String(v)} as HCL`);
  };
  /** jsonencode(...) of a document: the provider compares JSON documents by meaning. */
  const json = (doc: unknown) => new Call("jsonencode", [conv(doc)]);
  return { conv, json };
}

function split(full: string): [string, string] {
  const [type, ...rest] = full.split(".");
  return [type!, rest.join(".")];
}
const res = (address: string, body: Parameters<typeof block>[2], comment?: string) =>
  block("resource", split(address), body, comment);

export interface TerraformFiles {
  "main.tf": string;
  "imports.tf"?: string;
}

/** Terraform and provider requirements, the variables, and the account/region/partition lookups. */
function settingBlocks(cfg: Config): Block[] {
  const blocks: Block[] = [];
  blocks.push(
    block(
      "terraform",
      [],
      [
        attr("required_version", ">= 1.5.0"),
        block("required_providers", [], [attr("aws", { source: "hashicorp/aws", version: AWS_PROVIDER_VERSION })]),
      ],
    ),
  );
  if (cfg.region) {
    blocks.push(block("variable", ["region"], [attr("type", expr("string")), attr("default", cfg.region)]));
    blocks.push(block("provider", ["aws"], [attr("region", expr("var.region"))]));
  }
  for (const v of NAME_VARIABLES)
    blocks.push(block("variable", [v.key], [attr("type", expr("string")), attr("default", v.get(cfg))]));
  blocks.push(
    block(
      "variable",
      ["handler_zip"],
      [
        attr("description", "dist/handler.zip of the traildigest package (setup export copies it here)"),
        attr("type", expr("string")),
        attr("default", "handler.zip"),
      ],
    ),
  );
  blocks.push(
    block("data", ["aws_caller_identity", "current"], []),
    block("data", ["aws_region", "current"], []),
    block("data", ["aws_partition", "current"], []),
  );
  return blocks;
}

/** Schedule groups and schedules, with the exact definition apply sends. */
function scheduleBlocks(
  p: ReturnType<typeof symbolicPipeline>,
  labels: ReturnType<typeof scheduleLabels>,
  conv: ReturnType<typeof converter>,
): Block[] {
  const blocks: Block[] = [];
  for (const g of p.scheduleGroups)
    blocks.push(res(`aws_scheduler_schedule_group.${labels.groups.get(g)}`, [attr("name", g)]));
  for (const s of p.schedules) {
    const group = labels.groups.get(s.group);
    blocks.push(
      res(`aws_scheduler_schedule.${labels.schedules.get(`${s.group}/${s.name}`)}`, [
        attr("name", s.name),
        attr("group_name", group ? expr(`aws_scheduler_schedule_group.${group}.name`) : s.group),
        attr("description", s.description),
        attr("schedule_expression", s.expression),
        attr("schedule_expression_timezone", s.timezone),
        attr("state", s.state),
        block(
          "flexible_time_window",
          [],
          s.flexibleWindowMinutes
            ? [attr("mode", "FLEXIBLE"), attr("maximum_window_in_minutes", s.flexibleWindowMinutes)]
            : [attr("mode", "OFF")],
        ),
        block(
          "target",
          [],
          [
            attr("arn", conv.conv(s.targetArn)),
            attr("role_arn", s.roleArn),
            // The exact text apply sends (key order included), not jsonencode's sorted keys.
            attr("input", JSON.stringify(s.input)),
            block(
              "retry_policy",
              [],
              [
                attr("maximum_retry_attempts", s.retryPolicy?.maximumRetryAttempts),
                attr("maximum_event_age_in_seconds", s.retryPolicy?.maximumEventAgeSeconds),
              ],
            ),
            s.deadLetterArn ? [block("dead_letter_config", [], [attr("arn", s.deadLetterArn)])] : [],
          ],
        ),
      ]),
    );
  }
  return blocks;
}

type Converter = ReturnType<typeof converter>;

/** The DLQ, the events queue with its redrive, and the policy that lets only the rule send to it. */
function queueBlocks(p: Pipeline, { conv, json }: Converter): Block[] {
  return [
    res(
      TF.dlq,
      [attr("name", conv(p.dlq.name)), attr("message_retention_seconds", p.dlq.retentionSeconds)],
      "Dead-letter queue: messages the digest failed maxReceiveCount times",
    ),
    res(TF.queue, [
      attr("name", conv(p.queue.name)),
      attr("visibility_timeout_seconds", p.queue.visibilityTimeout),
      attr("message_retention_seconds", p.queue.retentionSeconds),
      attr("redrive_policy", json(p.queue.redrive)),
    ]),
    res(
      TF.queuePolicy,
      [attr("queue_url", expr(`${TF.queue}.id`)), attr("policy", json(p.queuePolicy.document))],
      "Only this rule may send to the queue",
    ),
  ];
}

/** The rule and its one target, the queue. */
function ruleBlocks(p: Pipeline, { conv, json }: Converter): Block[] {
  return [
    res(TF.rule, [
      attr("name", conv(p.rule.name)),
      attr("description", p.rule.description),
      attr("event_pattern", json(p.rule.pattern)),
    ]),
    // No role_arn: a role on an SQS target can break delivery.
    res(TF.target, [
      attr("rule", expr(`${TF.rule}.name`)),
      attr("target_id", p.rule.target.id),
      attr("arn", conv(p.rule.target.arn)),
    ]),
  ];
}

/** The execution role and its inline policy, the function, and its queue mapping. */
function lambdaBlocks(p: Pipeline, { conv, json }: Converter): Block[] {
  return [
    res(TF.role, [
      attr("name", conv(p.role.name)),
      attr("description", p.role.description),
      attr("assume_role_policy", json(p.role.trustPolicy)),
    ]),
    res(
      TF.rolePolicy,
      [
        attr("name", p.role.inlinePolicyName),
        attr("role", expr(`${TF.role}.name`)),
        attr("policy", json(p.role.inlinePolicy)),
      ],
      p.webhook
        ? `Least privilege: this queue, this function's logs, the webhook ${p.webhook.kind} ${p.webhook.name} (referenced, never written here)`
        : "Least privilege: this queue and this function's logs",
    ),
    res(TF.function, [
      attr("function_name", conv(p.function.name)),
      attr("description", p.function.description),
      attr("role", conv(p.function.role)),
      attr("runtime", p.function.runtime),
      attr("handler", p.function.handler),
      attr("memory_size", p.function.memory),
      attr("timeout", p.function.timeout),
      attr("filename", expr("var.handler_zip")),
      attr("source_code_hash", expr("filebase64sha256(var.handler_zip)")),
      block("environment", [], [attr("variables", conv(p.function.environment))]),
    ]),
    res(TF.mapping, [
      attr("event_source_arn", conv(p.mapping.eventSourceArn)),
      attr("function_name", expr(`${TF.function}.arn`)),
      attr("batch_size", p.mapping.batchSize),
      attr("maximum_batching_window_in_seconds", p.mapping.windowSeconds),
      attr("function_response_types", p.mapping.functionResponseTypes),
      attr("enabled", p.mapping.enabled),
      p.mapping.maximumConcurrency
        ? [block("scaling_config", [], [attr("maximum_concurrency", p.mapping.maximumConcurrency)])]
        : [],
      // Lambda checks the role can read the queue when the mapping is created.
      attr("depends_on", [expr(TF.rolePolicy)]),
    ]),
  ];
}

function outputBlocks(): Block[] {
  return [
    block("output", ["queue_url"], [attr("value", expr(`${TF.queue}.url`))]),
    block("output", ["function_name"], [attr("value", expr(`${TF.function}.function_name`))]),
    block("output", ["rule_arn"], [attr("value", expr(`${TF.rule}.arn`))]),
  ];
}

/** imports.tf: one import block per part that already exists. */
function importsFile(imports: TerraformImport[]): string {
  return renderFile(
    imports.map((i) => block("import", [], [attr("to", expr(i.to)), attr("id", i.id)])),
    "Adopts the parts `traildigest setup apply` built (Terraform 1.5+): `terraform plan` reads them, creates nothing.\nIDs read from the account by `traildigest setup export --import`. Delete this file after the first apply.",
  );
}

/** main.tf (settings, resources in apply order, outputs), and imports.tf when there are parts to adopt. */
export function renderTerraform(cfg: Config, opts: { imports?: TerraformImport[] } = {}): TerraformFiles {
  const p = symbolicPipeline(cfg);
  const c = converter(p);
  const blocks: Block[] = [
    ...settingBlocks(cfg),
    ...queueBlocks(p, c),
    ...ruleBlocks(p, c),
    ...lambdaBlocks(p, c),
    ...scheduleBlocks(p, scheduleLabels(p), c),
    ...outputBlocks(),
  ];
  const files: TerraformFiles = {
    "main.tf": renderFile(
      blocks,
      "Written by `traildigest setup export --format terraform` from the traildigest config.\nThe same parts and settings `traildigest setup apply` creates; edit the config and export again.",
    ),
  };
  if (opts.imports?.length) files["imports.tf"] = importsFile(opts.imports);
  return files;
}

export interface TerraformImport {
  to: string;
  id: string;
}

/** Import blocks for every part that exists in the account, with the IDs the AWS provider expects. */
export function terraformImports(cfg: Config, live: LiveState): TerraformImport[] {
  const p = symbolicPipeline(cfg);
  const labels = scheduleLabels(p);
  const out: TerraformImport[] = [];
  if (live.dlq) out.push({ to: TF.dlq, id: live.dlq.url });
  if (live.queue) out.push({ to: TF.queue, id: live.queue.url });
  if (live.queue?.policy) out.push({ to: TF.queuePolicy, id: live.queue.url });
  if (live.rule) out.push({ to: TF.rule, id: cfg.rule.name });
  const target = live.targets.find((t) => t.id === RULE_TARGET_ID);
  if (live.rule && target) out.push({ to: TF.target, id: `${cfg.rule.name}/${target.id}` });
  if (live.role) out.push({ to: TF.role, id: cfg.function.roleName });
  if (live.role?.inlinePolicy)
    out.push({ to: TF.rolePolicy, id: `${cfg.function.roleName}:${p.role.inlinePolicyName}` });
  if (live.function) out.push({ to: TF.function, id: cfg.function.name });
  if (live.mapping) out.push({ to: TF.mapping, id: live.mapping.uuid });
  for (const [g, label] of labels.groups)
    if (live.scheduleGroups.includes(g)) out.push({ to: `aws_scheduler_schedule_group.${label}`, id: g });
  for (const s of p.schedules) {
    if (live.schedules.some((l) => l.name === s.name && l.group === s.group)) {
      out.push({
        to: `aws_scheduler_schedule.${labels.schedules.get(`${s.group}/${s.name}`)}`,
        id: `${s.group}/${s.name}`,
      });
    }
  }
  return out;
}
