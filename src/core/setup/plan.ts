// PURE plan computation: desired config + live state → one action per resource with the fields
// that differ. No SDK import; live-state.ts gathers LiveState, apply.ts carries the plan out.
import { describeScope } from "../events/rule-scope.js";
import type { Config, ScheduleConfig } from "./config-schema.js";
import { SCHEDULE_MARKER, isManagedDescription } from "./managed-marker.js";
import {
  FUNCTION_HANDLER,
  RULE_TARGET_ID,
  canonicalJson,
  functionEnvironment,
  functionScheduleCallers,
  lambdaInlinePolicy,
  lambdaTrustPolicy,
  policyAllowsRule,
  queueArn,
  roleArn,
  ruleArn,
  rulePattern,
  scheduleDescription,
  scheduleInput,
  type Identity,
} from "./policies.js";
import { ecsUpdateServiceTarget, scopePartition } from "../aws/arn.js";

export interface LiveQueue {
  url: string;
  arn: string;
  visibilityTimeout: number;
  retentionSeconds: number;
  redrive?: { deadLetterTargetArn: string; maxReceiveCount: number };
  /** Parsed Policy attribute. */
  policy?: unknown;
  /** Approximate counts (doctor reads the DLQ's depth from them; plan ignores them). */
  messages?: { visible: number; inFlight: number };
}

export interface LiveSchedule {
  name: string;
  group: string;
  expression: string;
  timezone?: string;
  state: string;
  description?: string;
  flexibleWindowMinutes?: number;
  targetArn: string;
  roleArn?: string;
  /** Parsed Target.Input. */
  input?: unknown;
  retryPolicy?: { maximumRetryAttempts?: number; maximumEventAgeSeconds?: number };
  deadLetterArn?: string;
}

export interface LiveState {
  queue?: LiveQueue;
  dlq?: LiveQueue;
  rule?: { arn: string; state: string; pattern?: unknown };
  targets: { id: string; arn: string; roleArn?: string }[];
  /** Whether the configured secret or parameter exists (its value is never read). */
  webhookExists: boolean;
  role?: { arn: string; trustPolicy?: unknown; inlinePolicy?: unknown };
  function?: {
    arn: string;
    runtime?: string;
    memory?: number;
    timeout?: number;
    handler?: string;
    role?: string;
    codeSha256?: string;
    env: Record<string, string>;
    state?: string;
  };
  mapping?: {
    uuid: string;
    eventSourceArn: string;
    batchSize?: number;
    windowSeconds?: number;
    functionResponseTypes: string[];
    maximumConcurrency?: number;
    state?: string;
  };
  scheduleGroups: string[];
  /** Every schedule in the config's groups (so --prune can see the ones the config dropped). */
  schedules: LiveSchedule[];
  /** Parts that could not be read (doctor only; plan reads strictly): part → error text. */
  unreadable?: Partial<Record<"queue" | "dlq" | "rule" | "webhook" | "role" | "function" | "schedules", string>>;
}

export interface Desired {
  config: Config;
  identity: Identity;
  /** base64 sha256 of dist/handler.zip, as Lambda reports CodeSha256. */
  codeSha256: string;
  /** Whether SLACK_WEBHOOK_URL is set (only matters when the secret must be created). */
  webhookEnvSet: boolean;
}

/** "conflict": a schedule with a config entry's group and name that setup did not create; apply refuses it unless adopted. */
export type Action = "create" | "update" | "noop" | "delete" | "conflict";
export type Resource =
  | "dlq"
  | "queue"
  | "queue-policy"
  | "rule"
  | "rule-target"
  | "webhook-secret"
  | "webhook-parameter"
  | "role"
  | "function"
  | "event-source-mapping"
  | "schedule-group"
  | "schedule";

export interface FieldChange {
  field: string;
  from: unknown;
  to: unknown;
}

export interface PlanItem {
  resource: Resource;
  name: string;
  action: Action;
  changes: FieldChange[];
  /** A line for people: why, or what apply will need. */
  note?: string;
}

export interface Plan {
  plan: PlanItem[];
}

class Diff {
  readonly changes: FieldChange[] = [];
  /** Record `field` when `from` and `to` differ (deep, key-order-insensitive). */
  check(field: string, from: unknown, to: unknown): this {
    if (canonicalJson(from ?? null) !== canonicalJson(to ?? null))
      this.changes.push({ field, from: from ?? null, to: to ?? null });
    return this;
  }
}

/** Statement by statement (keyed by Sid), so a plan says which permission changes. */
function statementDiff(d: Diff, field: string, from: unknown, to: unknown): void {
  const bySid = (doc: unknown) => {
    const st = (doc as { Statement?: unknown } | undefined)?.Statement;
    const list = (Array.isArray(st) ? st : st ? [st] : []) as Record<string, unknown>[];
    return new Map(list.map((x, i) => [String(x.Sid ?? `#${i}`), x]));
  };
  const a = bySid(from);
  const b = bySid(to);
  if ([...a.keys()].some((k) => k.startsWith("#"))) {
    d.check(field, from, to); // statements without Sids: compare whole documents
    return;
  }
  for (const sid of new Set([...b.keys(), ...a.keys()])) d.check(`${field}.${sid}`, a.get(sid), b.get(sid));
}

function item(resource: Resource, name: string, exists: boolean, diff: Diff, note?: string): PlanItem {
  const action: Action = !exists ? "create" : diff.changes.length ? "update" : "noop";
  return { resource, name, action, changes: diff.changes, ...(note ? { note } : {}) };
}

/** Desired values of one schedule, in the shape of LiveSchedule; its target is in `partition`. */
export function desiredSchedule(s: ScheduleConfig, partition = "aws"): LiveSchedule {
  return {
    name: s.name,
    group: s.group,
    expression: s.expression,
    timezone: s.timezone,
    state: s.state,
    description: scheduleDescription(s),
    ...(s.flexibleWindowMinutes ? { flexibleWindowMinutes: s.flexibleWindowMinutes } : {}),
    targetArn: ecsUpdateServiceTarget(partition),
    roleArn: s.roleArn,
    input: scheduleInput(s),
    retryPolicy: { ...s.retryPolicy },
    ...(s.deadLetterArn ? { deadLetterArn: s.deadLetterArn } : {}),
  };
}

function scheduleDiff(live: LiveSchedule | undefined, want: LiveSchedule): Diff {
  const d = new Diff();
  d.check("expression", live?.expression, want.expression)
    .check("timezone", live?.timezone ?? (live ? "UTC" : undefined), want.timezone)
    .check("state", live?.state, want.state)
    .check("description", live?.description, want.description)
    .check("flexibleWindowMinutes", live?.flexibleWindowMinutes, want.flexibleWindowMinutes)
    .check("target.arn", live?.targetArn, want.targetArn)
    .check("target.roleArn", live?.roleArn, want.roleArn)
    .check("target.input", live?.input, want.input)
    .check("target.retryPolicy", live?.retryPolicy, want.retryPolicy)
    .check("target.deadLetterArn", live?.deadLetterArn, want.deadLetterArn);
  return d;
}

export interface PlanOptions {
  /** Add deletes for managed schedules the config no longer names. */
  prune?: boolean;
  /** Schedules ("group/name") setup may take over although it did not create them, or "all". */
  adopt?: string[] | "all";
}

/** Plan items apply refuses to carry out: schedules that are not ours and were not adopted. */
export function conflicts(plan: Plan): PlanItem[] {
  return plan.plan.filter((i) => i.action === "conflict");
}

/** What every resource builder reads: the desired side, the live side and the ARNs several of them share. */
interface PlanContext {
  want: Desired;
  cfg: Config;
  id: Identity;
  live: LiveState;
  queueArn: string;
  dlqArn: string;
  ruleArn: string;
}

function dlqItem({ cfg, live }: PlanContext): PlanItem {
  const d = new Diff().check("retentionSeconds", live.dlq?.retentionSeconds, cfg.dlq.retentionSeconds);
  return item("dlq", cfg.dlq.name, !!live.dlq, d);
}

/** The queue with its redrive to the DLQ. */
function queueItem({ cfg, live, dlqArn }: PlanContext): PlanItem {
  const q = live.queue;
  const d = new Diff()
    .check("visibilityTimeout", q?.visibilityTimeout, cfg.queue.visibilityTimeout)
    .check("retentionSeconds", q?.retentionSeconds, cfg.queue.retentionSeconds)
    .check("redrive.deadLetterTargetArn", q?.redrive?.deadLetterTargetArn, dlqArn)
    .check("redrive.maxReceiveCount", q?.redrive?.maxReceiveCount, cfg.dlq.maxReceiveCount);
  return item("queue", cfg.queue.name, !!q, d);
}

function ruleItem({ cfg, live }: PlanContext): PlanItem {
  const pattern = rulePattern(cfg.rule.eventNames, cfg.rule.scope);
  const d = new Diff().check("eventPattern", live.rule?.pattern, pattern).check("state", live.rule?.state, "ENABLED");
  const note = `scope: ${describeScope(cfg.rule.scope)} — pattern ${JSON.stringify(pattern.detail)}`;
  return item("rule", cfg.rule.name, !!live.rule, d, note);
}

/** Exists means "the queue has a policy at all"; it is a change unless that policy lets the rule send. */
function queuePolicyItem({ cfg, live, queueArn: qArn, ruleArn: rArn }: PlanContext): PlanItem {
  const policyOk = live.queue ? policyAllowsRule(live.queue.policy, qArn, rArn) : false;
  const d = new Diff();
  if (!policyOk) {
    d.changes.push({
      field: "statement",
      from: live.queue?.policy ? "does not allow the rule" : null,
      to: `allow events.amazonaws.com SendMessage from rule/${cfg.rule.name}`,
    });
  }
  return item("queue-policy", cfg.queue.name, !!live.queue?.policy, d);
}

/** The queue, with no RoleArn (a role can break SQS delivery). */
function ruleTargetItem({ cfg, live, queueArn: qArn }: PlanContext): PlanItem {
  const target = live.targets.find((t) => t.id === RULE_TARGET_ID) ?? live.targets.find((t) => t.arn === qArn);
  const d = new Diff().check("arn", target?.arn, qArn).check("roleArn", target?.roleArn, undefined);
  return item("rule-target", `${cfg.rule.name} → ${cfg.queue.name}`, !!target, d);
}

/** The webhook's secret or parameter, if the config keeps it in one: only created, never updated (the value is never read). */
function webhookItems({ cfg, live, want }: PlanContext): PlanItem[] {
  const w = cfg.function.webhook;
  if (!("secretId" in w || "parameter" in w)) return [];
  const isSecret = "secretId" in w;
  const name = isSecret ? w.secretId : w.parameter;
  const note =
    live.webhookExists || want.webhookEnvSet
      ? undefined
      : "SLACK_WEBHOOK_URL is not set: apply will refuse until it is";
  const d = new Diff();
  if (!live.webhookExists) d.changes.push({ field: "value", from: null, to: "(from SLACK_WEBHOOK_URL)" });
  return [item(isSecret ? "webhook-secret" : "webhook-parameter", name, live.webhookExists, d, note)];
}

/** The function's execution role: trust policy, then the inline policy statement by statement. */
function roleItem({ cfg, id, live }: PlanContext): PlanItem {
  const d = new Diff().check("trustPolicy", live.role?.trustPolicy, lambdaTrustPolicy());
  const wantInline = lambdaInlinePolicy(id, cfg);
  if (!live.role?.inlinePolicy) d.check("inlinePolicy", undefined, wantInline);
  else statementDiff(d, "inlinePolicy", live.role.inlinePolicy, wantInline);
  return item("role", cfg.function.roleName, !!live.role, d);
}

function functionItem({ cfg, id, live, want }: PlanContext): PlanItem {
  const f = live.function;
  const d = new Diff()
    .check("runtime", f?.runtime, cfg.function.runtime)
    .check("memorySize", f?.memory, cfg.function.memory)
    .check("timeout", f?.timeout, cfg.function.timeout)
    .check("handler", f?.handler, FUNCTION_HANDLER)
    // An existing role may have an IAM path (/service-role/…): its ARN comes from GetRole, not from the name.
    .check("role", f?.role, live.role?.arn || roleArn(id, cfg.function.roleName))
    .check("environment", f?.env, functionEnvironment(cfg))
    .check("codeSha256", f?.codeSha256, want.codeSha256);
  return item("function", cfg.function.name, !!f, d, scheduleCallersNote(cfg));
}

/** The queue → function mapping; Enabling and Creating count as enabled (they get there by themselves). */
function mappingItem({ cfg, live, queueArn: qArn }: PlanContext): PlanItem {
  const m = live.mapping;
  const enabled = m ? m.state === "Enabled" || m.state === "Enabling" || m.state === "Creating" : undefined;
  const d = new Diff()
    .check("eventSourceArn", m?.eventSourceArn, qArn)
    .check("batchSize", m?.batchSize, cfg.batching.batchSize)
    .check("maximumBatchingWindowInSeconds", m?.windowSeconds ?? (m ? 0 : undefined), cfg.batching.windowSeconds)
    .check("functionResponseTypes", m?.functionResponseTypes, ["ReportBatchItemFailures"])
    .check("maximumConcurrency", m?.maximumConcurrency, cfg.batching.maximumConcurrency)
    .check("enabled", enabled, true);
  return item("event-source-mapping", `${cfg.queue.name} → ${cfg.function.name}`, !!m, d);
}

/** The whole plan, in apply order: one builder per resource kind. */
export function computePlan(want: Desired, live: LiveState, opts: PlanOptions = {}): Plan {
  const { config: cfg, identity: id } = want;
  const ctx: PlanContext = {
    want,
    cfg,
    id,
    live,
    queueArn: queueArn(id, cfg.queue.name),
    dlqArn: queueArn(id, cfg.dlq.name),
    ruleArn: ruleArn(id, cfg.rule.name),
  };
  const items: PlanItem[] = [
    dlqItem(ctx),
    queueItem(ctx),
    ruleItem(ctx),
    queuePolicyItem(ctx),
    ruleTargetItem(ctx),
    ...webhookItems(ctx),
    roleItem(ctx),
    functionItem(ctx),
    mappingItem(ctx),
    ...scheduleItems(cfg, live, opts, scopePartition(id)),
  ];
  // A created resource lists its desired fields (from null) so the plan shows what will exist.
  for (const it of items) if (it.action === "create") it.changes = it.changes.filter((c) => c.to !== null);
  return { plan: items };
}

/** Schedule groups, then schedules (a hand-made one is a conflict unless adopted), then with --prune the deletions. */
function scheduleItems(cfg: Config, live: LiveState, opts: PlanOptions, partition: string): PlanItem[] {
  const items: PlanItem[] = [];
  const groups = [...new Set(cfg.schedules.map((s) => s.group))].filter((g) => g !== "default");
  for (const g of groups) items.push(item("schedule-group", g, live.scheduleGroups.includes(g), new Diff()));
  for (const s of cfg.schedules) {
    const l = live.schedules.find((x) => x.name === s.name && x.group === s.group);
    const full = `${s.group}/${s.name}`;
    const it = item("schedule", full, !!l, scheduleDiff(l, desiredSchedule(s, partition)));
    // Same group and name, but not made by setup: someone's own schedule. Never rewritten unless adopted.
    if (l && !isManagedDescription(l.description)) {
      const adopted = opts.adopt === "all" || opts.adopt?.includes(full);
      it.action = adopted ? "update" : "conflict";
      it.note = adopted
        ? `adopted: not created by traildigest; apply rewrites it and stamps ${SCHEDULE_MARKER}`
        : `exists but was not created by traildigest (no ${SCHEDULE_MARKER} description): apply refuses to rewrite it unless --adopt ${full}`;
    }
    items.push(it);
  }
  // With prune, live.schedules covers every group (readLiveState allScheduleGroups): the exact managed
  // description alone selects deletions, so a group the config no longer names is pruned too.
  if (opts.prune) {
    for (const l of live.schedules) {
      if (!isManagedDescription(l.description)) continue;
      if (cfg.schedules.some((s) => s.name === l.name && s.group === l.group)) continue;
      items.push({
        resource: "schedule",
        name: `${l.group}/${l.name}`,
        action: "delete",
        changes: [],
        note: `not in the config; carries ${SCHEDULE_MARKER}`,
      });
    }
  }

  return items;
}

/** Said when TRAILDIGEST_SCHEDULES cannot carry every schedule (Lambda's 4 KB environment). */
function scheduleCallersNote(cfg: Config): string | undefined {
  const sc = functionScheduleCallers(cfg);
  if (sc.form === "full" || cfg.schedules.length === 0) return undefined;
  const why = `${cfg.schedules.length} schedules need ${sc.fullBytes} bytes, ${sc.budgetBytes} fit in the function's environment`;
  return sc.form === "roles"
    ? `TRAILDIGEST_SCHEDULES: ${why}; it carries the execution role names only, so Slack shows "EventBridge Scheduler (role R)", not the schedule`
    : `TRAILDIGEST_SCHEDULES: ${why}, not even the role names fit; left out, so Slack shows scheduler calls by their role`;
}

export function hasChanges(plan: Plan): boolean {
  return plan.plan.some((i) => i.action !== "noop");
}

export function planSummary(plan: Plan): Record<Action, number> {
  const out: Record<Action, number> = { create: 0, update: 0, noop: 0, delete: 0, conflict: 0 };
  for (const i of plan.plan) out[i.action]++;
  return out;
}
