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
    if (canonicalJson(from ?? null) !== canonicalJson(to ?? null)) this.changes.push({ field, from: from ?? null, to: to ?? null });
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

/** The whole plan, in apply order. */
export function computePlan(want: Desired, live: LiveState, opts: PlanOptions = {}): Plan {
  const { config: cfg, identity: id } = want;
  const items: PlanItem[] = [];
  const qArn = queueArn(id, cfg.queue.name);
  const dArn = queueArn(id, cfg.dlq.name);
  const rArn = ruleArn(id, cfg.rule.name);

  // DLQ
  items.push(item("dlq", cfg.dlq.name, !!live.dlq, new Diff().check("retentionSeconds", live.dlq?.retentionSeconds, cfg.dlq.retentionSeconds)));

  // Queue + redrive
  items.push(
    item(
      "queue",
      cfg.queue.name,
      !!live.queue,
      new Diff()
        .check("visibilityTimeout", live.queue?.visibilityTimeout, cfg.queue.visibilityTimeout)
        .check("retentionSeconds", live.queue?.retentionSeconds, cfg.queue.retentionSeconds)
        .check("redrive.deadLetterTargetArn", live.queue?.redrive?.deadLetterTargetArn, dArn)
        .check("redrive.maxReceiveCount", live.queue?.redrive?.maxReceiveCount, cfg.dlq.maxReceiveCount),
    ),
  );

  // Rule
  items.push(
    item(
      "rule",
      cfg.rule.name,
      !!live.rule,
      new Diff().check("eventPattern", live.rule?.pattern, rulePattern(cfg.rule.eventNames, cfg.rule.scope)).check("state", live.rule?.state, "ENABLED"),
      `scope: ${describeScope(cfg.rule.scope)} — pattern ${JSON.stringify(rulePattern(cfg.rule.eventNames, cfg.rule.scope).detail)}`,
    ),
  );

  // Queue policy: exists means "the queue has a policy at all".
  const policyOk = live.queue ? policyAllowsRule(live.queue.policy, qArn, rArn) : false;
  const policyDiff = new Diff();
  if (!policyOk) policyDiff.changes.push({ field: "statement", from: live.queue?.policy ? "does not allow the rule" : null, to: `allow events.amazonaws.com SendMessage from rule/${cfg.rule.name}` });
  items.push(item("queue-policy", cfg.queue.name, !!live.queue?.policy, policyDiff));

  // Rule target: the queue, no RoleArn (a role can break SQS delivery).
  const target = live.targets.find((t) => t.id === RULE_TARGET_ID) ?? live.targets.find((t) => t.arn === qArn);
  items.push(
    item(
      "rule-target",
      `${cfg.rule.name} → ${cfg.queue.name}`,
      !!target,
      new Diff().check("arn", target?.arn, qArn).check("roleArn", target?.roleArn, undefined),
    ),
  );

  // Webhook secret / parameter: only created, never updated (the value is never read).
  const w = cfg.function.webhook;
  if ("secretId" in w || "parameter" in w) {
    const isSecret = "secretId" in w;
    const wName = isSecret ? w.secretId : w.parameter;
    const note =
      live.webhookExists || want.webhookEnvSet ? undefined : "SLACK_WEBHOOK_URL is not set: apply will refuse until it is";
    const d = new Diff();
    if (!live.webhookExists) d.changes.push({ field: "value", from: null, to: "(from SLACK_WEBHOOK_URL)" });
    items.push(item(isSecret ? "webhook-secret" : "webhook-parameter", wName, live.webhookExists, d, note));
  }

  // Execution role
  const roleDiff = new Diff().check("trustPolicy", live.role?.trustPolicy, lambdaTrustPolicy());
  const wantInline = lambdaInlinePolicy(id, cfg);
  if (!live.role?.inlinePolicy) roleDiff.check("inlinePolicy", undefined, wantInline);
  else statementDiff(roleDiff, "inlinePolicy", live.role.inlinePolicy, wantInline);
  items.push(item("role", cfg.function.roleName, !!live.role, roleDiff));

  // Function
  const f = live.function;
  const env = functionEnvironment(cfg);
  const fd = new Diff()
    .check("runtime", f?.runtime, cfg.function.runtime)
    .check("memorySize", f?.memory, cfg.function.memory)
    .check("timeout", f?.timeout, cfg.function.timeout)
    .check("handler", f?.handler, FUNCTION_HANDLER)
    // An existing role may have an IAM path (/service-role/…): its ARN comes from GetRole, not from the name.
    .check("role", f?.role, live.role?.arn || roleArn(id, cfg.function.roleName))
    .check("environment", f?.env, env)
    .check("codeSha256", f?.codeSha256, want.codeSha256);
  items.push(item("function", cfg.function.name, !!f, fd, scheduleCallersNote(cfg)));

  // Event source mapping
  const m = live.mapping;
  const md = new Diff()
    .check("eventSourceArn", m?.eventSourceArn, qArn)
    .check("batchSize", m?.batchSize, cfg.batching.batchSize)
    .check("maximumBatchingWindowInSeconds", m?.windowSeconds ?? (m ? 0 : undefined), cfg.batching.windowSeconds)
    .check("functionResponseTypes", m?.functionResponseTypes, ["ReportBatchItemFailures"])
    .check("maximumConcurrency", m?.maximumConcurrency, cfg.batching.maximumConcurrency)
    .check("enabled", m ? m.state === "Enabled" || m.state === "Enabling" || m.state === "Creating" : undefined, true);
  items.push(item("event-source-mapping", `${cfg.queue.name} → ${cfg.function.name}`, !!m, md));

  items.push(...scheduleItems(cfg, live, opts, scopePartition(id)));

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
      items.push({ resource: "schedule", name: `${l.group}/${l.name}`, action: "delete", changes: [], note: `not in the config; carries ${SCHEDULE_MARKER}` });
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
