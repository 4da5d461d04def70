// PURE: the pipeline as one CloudFormation template (parameters, resources, outputs), and the
// resources-to-import file that adopts a pipeline `setup apply` built. Rendered from desired.ts.
import type { Config } from "../config-schema.js";
import { NAME_VARIABLES, placeholderParts, symbolicPipeline, type Pipeline } from "../desired.js";
import type { LiveState } from "../plan.js";

type Json = unknown;
type Template = {
  AWSTemplateFormatVersion: string;
  Description: string;
  Parameters: Record<string, Json>;
  Resources: Record<string, Resource>;
  Outputs?: Record<string, Json>;
};
type Resource = {
  Type: string;
  Properties: Record<string, Json>;
  DependsOn?: string[];
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
};

const PSEUDO: Record<string, string> = {
  account: "AWS::AccountId",
  region: "AWS::Region",
  partition: "AWS::Partition",
};

export const CFN = {
  dlq: "DeadLetterQueue",
  queue: "EventsQueue",
  queuePolicy: "EventsQueuePolicy",
  rule: "EcsCallsRule",
  role: "DigestRole",
  function: "DigestFunction",
  mapping: "DigestEventSourceMapping",
} as const;

/** The identifier CloudFormation's IMPORT takes for each type (its primaryIdentifier). QueuePolicy cannot be imported. */
export const IMPORT_IDENTIFIER: Record<string, string> = {
  "AWS::SQS::Queue": "QueueUrl",
  "AWS::Events::Rule": "Arn",
  "AWS::IAM::Role": "RoleName",
  "AWS::Lambda::Function": "FunctionName",
  "AWS::Lambda::EventSourceMapping": "Id",
  "AWS::Scheduler::ScheduleGroup": "Name",
  "AWS::Scheduler::Schedule": "Name",
};

/** Logical IDs: alphanumeric, unique. */
function logicalIds(p: Pipeline): { groups: Map<string, string>; schedules: Map<string, string> } {
  const used = new Set<string>(Object.values(CFN));
  const unique = (base: string) => {
    const clean = base.replace(/[^A-Za-z0-9]/g, "");
    let id = clean;
    for (let i = 2; used.has(id); i++) id = `${clean}${i}`;
    used.add(id);
    return id;
  };
  const cap = (s: string) => s.replace(/(^|[^A-Za-z0-9])([a-z])/g, (_m, _a, c: string) => c.toUpperCase());
  return {
    groups: new Map(p.scheduleGroups.map((g) => [g, unique(`ScheduleGroup${cap(g)}`)])),
    schedules: new Map(
      p.schedules.map((s) => [`${s.group}/${s.name}`, unique(`Schedule${cap(s.group)}${cap(s.name)}`)]),
    ),
  };
}

function converter(p: Pipeline) {
  const refs = new Map<string, Json>([
    [p.arns.queue, { "Fn::GetAtt": [CFN.queue, "Arn"] }],
    [p.arns.dlq, { "Fn::GetAtt": [CFN.dlq, "Arn"] }],
    [p.arns.rule, { "Fn::GetAtt": [CFN.rule, "Arn"] }],
    [p.arns.role, { "Fn::GetAtt": [CFN.role, "Arn"] }],
  ]);
  const param = (key: string) => NAME_VARIABLES.find((v) => `var:${v.key}` === key)!.param;
  const conv = (v: Json): Json => {
    if (typeof v === "string") {
      const ref = refs.get(v);
      if (ref) return ref;
      const parts = placeholderParts(v);
      if (parts.length === 1 && typeof parts[0] !== "string") {
        const k = parts[0]!.key;
        return { Ref: k.startsWith("var:") ? param(k) : PSEUDO[k] };
      }
      if (parts.every((x) => typeof x === "string")) return v;
      // Fn::Sub: literal "${" is written "${!".
      return {
        "Fn::Sub": parts
          .map((x) =>
            typeof x === "string"
              ? x.replace(/\$\{/g, "${!")
              : `\${${x.key.startsWith("var:") ? param(x.key) : PSEUDO[x.key]}}`,
          )
          .join(""),
      };
    }
    if (Array.isArray(v)) return v.map(conv);
    if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, conv(x)]));
    return v;
  };
  return conv;
}

export interface CfnOptions {
  /** Live identifiers of parts to adopt: logical ID → ResourceIdentifier. */
  imports?: CfnImport[];
}
export interface CfnImport {
  ResourceType: string;
  LogicalResourceId: string;
  ResourceIdentifier: Record<string, string>;
}

/** Schedule groups and schedules, with the exact definition apply sends. */
function addSchedules(
  R: Record<string, Resource>,
  p: ReturnType<typeof symbolicPipeline>,
  ids: ReturnType<typeof logicalIds>,
  conv: ReturnType<typeof converter>,
): void {
  for (const g of p.scheduleGroups)
    R[ids.groups.get(g)!] = { Type: "AWS::Scheduler::ScheduleGroup", Properties: { Name: g } };
  for (const s of p.schedules) {
    const group = ids.groups.get(s.group);
    R[ids.schedules.get(`${s.group}/${s.name}`)!] = {
      Type: "AWS::Scheduler::Schedule",
      Properties: {
        Name: s.name,
        GroupName: group ? { Ref: group } : s.group,
        Description: s.description,
        ScheduleExpression: s.expression,
        ScheduleExpressionTimezone: s.timezone,
        State: s.state,
        FlexibleTimeWindow: s.flexibleWindowMinutes
          ? { Mode: "FLEXIBLE", MaximumWindowInMinutes: s.flexibleWindowMinutes }
          : { Mode: "OFF" },
        Target: {
          Arn: conv(s.targetArn),
          RoleArn: s.roleArn,
          // The exact text apply sends.
          Input: JSON.stringify(s.input),
          RetryPolicy: {
            MaximumRetryAttempts: s.retryPolicy?.maximumRetryAttempts,
            MaximumEventAgeInSeconds: s.retryPolicy?.maximumEventAgeSeconds,
          },
          ...(s.deadLetterArn ? { DeadLetterConfig: { Arn: s.deadLetterArn } } : {}),
        },
      },
    };
  }
}

/** The names as parameters (defaults from the config) and where the handler's code is. */
function templateParameters(cfg: Config): Record<string, Json> {
  const Parameters: Record<string, Json> = {};
  for (const v of NAME_VARIABLES) Parameters[v.param] = { Type: "String", Default: v.get(cfg) };
  Parameters.CodeS3Bucket = {
    Type: "String",
    Description: "S3 bucket holding traildigest's handler.zip (see NEXT-STEPS.md)",
  };
  Parameters.CodeS3Key = { Type: "String", Default: "traildigest/handler.zip", Description: "S3 key of handler.zip" };
  return Parameters;
}

type Conv = ReturnType<typeof converter>;

/** The DLQ, the events queue with its redrive, and the policy that lets the rule send to it. */
function queueResources(p: Pipeline, conv: Conv): Record<string, Resource> {
  return {
    [CFN.dlq]: {
      Type: "AWS::SQS::Queue",
      Properties: { QueueName: conv(p.dlq.name), MessageRetentionPeriod: p.dlq.retentionSeconds },
    },
    [CFN.queue]: {
      Type: "AWS::SQS::Queue",
      Properties: {
        QueueName: conv(p.queue.name),
        VisibilityTimeout: p.queue.visibilityTimeout,
        MessageRetentionPeriod: p.queue.retentionSeconds,
        RedrivePolicy: conv(p.queue.redrive),
      },
    },
    [CFN.queuePolicy]: {
      Type: "AWS::SQS::QueuePolicy",
      Properties: { Queues: [{ Ref: CFN.queue }], PolicyDocument: conv(p.queuePolicy.document) },
    },
  };
}

function ruleResource(p: Pipeline, conv: Conv): Resource {
  return {
    Type: "AWS::Events::Rule",
    Properties: {
      Name: conv(p.rule.name),
      Description: p.rule.description,
      EventPattern: conv(p.rule.pattern),
      State: p.rule.state,
      // No RoleArn: a role on an SQS target can break delivery.
      Targets: [{ Id: p.rule.target.id, Arn: conv(p.rule.target.arn) }],
    },
  };
}

/** The execution role, the function (code from the CodeS3Bucket/CodeS3Key parameters) and its queue mapping. */
function lambdaResources(p: Pipeline, conv: Conv): Record<string, Resource> {
  return {
    [CFN.role]: {
      Type: "AWS::IAM::Role",
      Properties: {
        RoleName: conv(p.role.name),
        Description: p.role.description,
        AssumeRolePolicyDocument: conv(p.role.trustPolicy),
        Policies: [{ PolicyName: p.role.inlinePolicyName, PolicyDocument: conv(p.role.inlinePolicy) }],
      },
    },
    [CFN.function]: {
      Type: "AWS::Lambda::Function",
      Properties: {
        FunctionName: conv(p.function.name),
        Description: p.function.description,
        Role: conv(p.function.role),
        Runtime: p.function.runtime,
        Handler: p.function.handler,
        MemorySize: p.function.memory,
        Timeout: p.function.timeout,
        Code: { S3Bucket: { Ref: "CodeS3Bucket" }, S3Key: { Ref: "CodeS3Key" } },
        Environment: { Variables: conv(p.function.environment) },
      },
    },
    [CFN.mapping]: {
      Type: "AWS::Lambda::EventSourceMapping",
      Properties: {
        EventSourceArn: conv(p.mapping.eventSourceArn),
        FunctionName: { Ref: CFN.function },
        BatchSize: p.mapping.batchSize,
        MaximumBatchingWindowInSeconds: p.mapping.windowSeconds,
        FunctionResponseTypes: p.mapping.functionResponseTypes,
        ...(p.mapping.maximumConcurrency
          ? { ScalingConfig: { MaximumConcurrency: p.mapping.maximumConcurrency } }
          : {}),
        Enabled: p.mapping.enabled,
      },
    },
  };
}

/** Imported parts stay in the account if the stack is ever deleted (setup never deletes them either). */
function retainImported(R: Record<string, Resource>, imports: CfnImport[]): void {
  for (const i of imports) {
    const r = R[i.LogicalResourceId];
    if (r) Object.assign(r, { DeletionPolicy: "Retain", UpdateReplacePolicy: "Retain" });
  }
}

/** Parameters, resources (in apply order) and outputs. */
export function cloudFormationTemplate(cfg: Config, opts: CfnOptions = {}): Template {
  const p = symbolicPipeline(cfg);
  const conv = converter(p);
  const R: Record<string, Resource> = {
    ...queueResources(p, conv),
    [CFN.rule]: ruleResource(p, conv),
    ...lambdaResources(p, conv),
  };
  addSchedules(R, p, logicalIds(p), conv);
  retainImported(R, opts.imports ?? []);

  return {
    AWSTemplateFormatVersion: "2010-09-09",
    Description:
      "traildigest pipeline (written by `traildigest setup export`): the same parts and settings `setup apply` creates",
    Parameters: templateParameters(cfg),
    Resources: R,
    Outputs: {
      QueueUrl: { Value: { Ref: CFN.queue } },
      FunctionName: { Value: { Ref: CFN.function } },
      RuleArn: { Value: { "Fn::GetAtt": [CFN.rule, "Arn"] } },
    },
  };
}

/** The parts that exist in the account, as create-change-set --change-set-type IMPORT takes them. */
export function cloudFormationImports(cfg: Config, live: LiveState): CfnImport[] {
  const p = symbolicPipeline(cfg);
  const ids = logicalIds(p);
  const out: CfnImport[] = [];
  const add = (type: string, logical: string, id: string) =>
    out.push({
      ResourceType: type,
      LogicalResourceId: logical,
      ResourceIdentifier: { [IMPORT_IDENTIFIER[type]!]: id },
    });
  if (live.dlq) add("AWS::SQS::Queue", CFN.dlq, live.dlq.url);
  if (live.queue) add("AWS::SQS::Queue", CFN.queue, live.queue.url);
  if (live.rule) add("AWS::Events::Rule", CFN.rule, live.rule.arn);
  if (live.role) add("AWS::IAM::Role", CFN.role, cfg.function.roleName);
  if (live.function) add("AWS::Lambda::Function", CFN.function, cfg.function.name);
  if (live.mapping) add("AWS::Lambda::EventSourceMapping", CFN.mapping, live.mapping.uuid);
  for (const [g, logical] of ids.groups)
    if (live.scheduleGroups.includes(g)) add("AWS::Scheduler::ScheduleGroup", logical, g);
  for (const s of p.schedules) {
    if (live.schedules.some((l) => l.name === s.name && l.group === s.group))
      add("AWS::Scheduler::Schedule", ids.schedules.get(`${s.group}/${s.name}`)!, s.name);
  }
  return out;
}

/**
 * The template for the IMPORT change set: only the imported resources (an import creates nothing
 * and adds no outputs), each with DeletionPolicy Retain. The full template follows as an update.
 */
export function importTemplate(full: Template, imports: CfnImport[]): Template {
  const keep = new Set(imports.map((i) => i.LogicalResourceId));
  const Resources = Object.fromEntries(Object.entries(full.Resources).filter(([k]) => keep.has(k)));
  // A DependsOn / Ref to a resource not in this template would be refused: drop DependsOn.
  for (const r of Object.values(Resources)) delete r.DependsOn;
  const { Outputs: _o, ...rest } = full;
  return { ...rest, Resources };
}

export type { Template as CloudFormationTemplate };
