// PURE doctor checks: a gathered DoctorState → checks with stable ids, pass/warn/fail and a remedy.
// doctor-gather.ts reads the state through the SDK; nothing here touches AWS.
import type { Config } from "../setup/config-schema.js";
import { plural } from "../text/text.js";
import { recommendedVisibility } from "../setup/config-schema.js";
import { UnsupportedPattern, matchesPattern, sampleEcsCallEvent } from "../events/event-pattern.js";
import type { LiveState } from "../setup/plan.js";
import { canonicalJson, policyAllowsRule, queueArn, ruleArn, rulePattern, type Identity } from "../setup/policies.js";
import { describeScope } from "../events/rule-scope.js";

export type CheckStatus = "pass" | "warn" | "fail";

export interface Check {
  id: string;
  /** The part of the pipeline it belongs to (table grouping). */
  part: "trail" | "rule" | "queue" | "dlq" | "mapping" | "function" | "schedules";
  status: CheckStatus;
  message: string;
  remedy: string;
}

export interface TrailInfo {
  name: string;
  homeRegion?: string;
  multiRegion: boolean;
  logging: boolean;
  /** false when the selectors exclude management write events; undefined when unknown. */
  managementWrites?: boolean;
}

export interface DoctorState {
  config: Config;
  identity: Identity;
  live: LiveState;
  /** undefined: DescribeTrails failed (message in trailError). */
  trails?: TrailInfo[];
  trailError?: string;
  /** TestEventPattern's answer; undefined when the service gave none (moto) or it failed. */
  testEventPattern?: boolean;
  dlqDepth?: { visible: number; inFlight: number };
  /** Secret/parameter named in the deployed function's environment: does it exist? */
  deployedWebhookExists?: boolean;
  /** "cluster/service" → status (ACTIVE, DRAINING, INACTIVE) or "MISSING"; an error string when it could not be read. */
  ecsServices: Record<string, string>;
  /** role ARN → exists / missing / error text. */
  scheduleRoles: Record<string, "exists" | "missing" | string>;
}

/** The event rule.pattern must match: an UpdateService call (or the first configured name without it). */
export function doctorSampleEvent(cfg: Config, id: Identity): Record<string, unknown> {
  const names = cfg.rule.eventNames;
  return sampleEcsCallEvent({ account: id.account, region: id.region, eventName: names.includes("UpdateService") ? "UpdateService" : names[0] });
}

const SUPPORTED_RUNTIMES = ["nodejs22.x", "nodejs24.x"];
const DEPRECATED_SOON = ["nodejs20.x"];

export function runChecks(s: DoctorState): Check[] {
  const { config: cfg, identity: id, live } = s;
  const checks: Check[] = [];
  const add = (part: Check["part"], id: string, status: CheckStatus, message: string, remedy = "") =>
    checks.push({ id, part, status, message, remedy: status === "pass" ? "" : remedy });
  const qArn = queueArn(id, cfg.queue.name);
  const rArn = ruleArn(id, cfg.rule.name);
  // With nothing of the pipeline here at all, the likely cause is the wrong region or account:
  // pushing `setup apply` would build a second pipeline there.
  const unread = live.unreadable ?? {};
  const nothingHere = !live.rule && !live.queue && !live.dlq && !live.function && !live.mapping && !unread.rule && !unread.queue;
  const apply = nothingHere
    ? `nothing of the pipeline is in region ${id.region}, account ${id.account}: if it is deployed elsewhere pass --region (or fix AWS_REGION / --profile); to deploy here, start with \`traildigest setup plan\``
    : "run `traildigest setup apply`";

  // Trail
  if (!s.trails) {
    add("trail", "trail.logging", "warn", `could not list trails: ${s.trailError ?? "unknown error"}`, "grant cloudtrail:DescribeTrails and cloudtrail:GetTrailStatus, then rerun");
  } else {
    const covering = s.trails.filter((t) => t.multiRegion || t.homeRegion === id.region);
    const logging = covering.filter((t) => t.logging);
    const good = logging.filter((t) => t.managementWrites !== false);
    if (good.length) {
      add("trail", "trail.logging", "pass", `trail ${good[0]!.name} logs management write events in ${id.region}`);
    } else if (logging.length) {
      add("trail", "trail.logging", "warn", `trail ${logging[0]!.name} is logging but its selectors exclude management write events`, "include management events with ReadWriteType All or WriteOnly (aws cloudtrail put-event-selectors)");
    } else if (covering.length) {
      add("trail", "trail.logging", "fail", `trail ${covering[0]!.name} covers ${id.region} but is not logging: EventBridge receives no API-call events`, `aws cloudtrail start-logging --name ${covering[0]!.name}`);
    } else {
      add("trail", "trail.logging", "fail", `no trail covers ${id.region}: EventBridge receives no "AWS API Call via CloudTrail" events without one`, "create a multi-region trail that logs management events and start it (aws cloudtrail create-trail … && aws cloudtrail start-logging …)");
    }
  }

  // Rule
  const rule = live.rule;
  const cannot = live.unreadable ?? {};
  if (cannot.rule) {
    add("rule", "rule.exists", "warn", `could not read the rule: ${cannot.rule}`, "grant events:DescribeRule and events:ListTargetsByRule");
  } else if (!rule) {
    add("rule", "rule.exists", "fail", `rule ${cfg.rule.name} not found on the default bus`, apply);
  } else {
    add("rule", "rule.exists", "pass", `rule ${cfg.rule.name} exists`);
    add("rule", "rule.enabled", rule.state.startsWith("ENABLED") ? "pass" : "fail", `rule state is ${rule.state}`, `aws events enable-rule --name ${cfg.rule.name}`);
    const sample = doctorSampleEvent(cfg, id);
    const callName = String((sample.detail as { eventName: string }).eventName);
    let matches: boolean | undefined = s.testEventPattern;
    let how = "TestEventPattern";
    if (matches === undefined) {
      how = "local matcher";
      try {
        matches = rule.pattern && typeof rule.pattern === "object" ? matchesPattern(rule.pattern as Record<string, unknown>, sample) : false;
      } catch (err) {
        if (!(err instanceof UnsupportedPattern)) throw err;
      }
    }
    if (matches === undefined) add("rule", "rule.pattern", "warn", `could not evaluate the pattern (unsupported operator); TestEventPattern gave no answer`, apply);
    else add("rule", "rule.pattern", matches ? "pass" : "fail", matches ? `pattern matches an ECS ${callName} call (${how})` : `pattern does not match an ECS ${callName} call (${how}): ${JSON.stringify(rule.pattern)}`, apply);
    // The live pattern must be the configured scope's, or the team gets more (or fewer) digests than it chose.
    const want = rulePattern(cfg.rule.eventNames, cfg.rule.scope);
    const same = canonicalJson(rule.pattern ?? null) === canonicalJson(want);
    add("rule", "rule.scope", same ? "pass" : "fail", same ? `pattern is the configured scope: ${describeScope(cfg.rule.scope)}` : `pattern is not the configured scope (${describeScope(cfg.rule.scope)}): live ${JSON.stringify(rule.pattern)}`, apply);
    const t = live.targets.find((x) => x.arn === qArn);
    if (!t) add("rule", "rule.target", "fail", `rule does not target queue ${cfg.queue.name}${live.targets.length ? ` (targets: ${live.targets.map((x) => x.arn).join(", ")})` : ""}`, apply);
    else if (t.roleArn) add("rule", "rule.target", "warn", `the queue target has RoleArn ${t.roleArn}: SQS delivery may fail with a role`, `${apply} (it removes the RoleArn)`);
    else add("rule", "rule.target", "pass", `rule targets queue ${cfg.queue.name}`);
  }

  // Queue
  const q = live.queue;
  if (cannot.queue) {
    add("queue", "queue.exists", "warn", `could not read queue ${cfg.queue.name}: ${cannot.queue}`, "grant sqs:GetQueueUrl and sqs:GetQueueAttributes");
  } else if (!q) {
    add("queue", "queue.exists", "fail", `queue ${cfg.queue.name} not found`, apply);
  } else {
    add("queue", "queue.exists", "pass", `queue ${cfg.queue.name} exists`);
    const allowed = policyAllowsRule(q.policy, qArn, rArn);
    add("queue", "queue.policy", allowed ? "pass" : "fail", allowed ? `policy lets rule ${cfg.rule.name} send` : `the queue policy does not let events.amazonaws.com send from rule ${cfg.rule.name}: EventBridge drops every event`, apply);
    const fnTimeout = live.function?.timeout ?? cfg.function.timeout;
    const window = live.mapping?.windowSeconds ?? cfg.batching.windowSeconds;
    const rec = recommendedVisibility(fnTimeout, window);
    add("queue", "queue.visibility-vs-timeout", q.visibilityTimeout >= fnTimeout ? "pass" : "fail", `visibility timeout ${q.visibilityTimeout} s ${q.visibilityTimeout >= fnTimeout ? "≥" : "<"} function timeout ${fnTimeout} s`, `raise queue.visibilityTimeout to at least ${rec} and ${apply}`);
    add("queue", "queue.visibility-recommended", q.visibilityTimeout >= rec ? "pass" : "warn", `visibility timeout ${q.visibilityTimeout} s ${q.visibilityTimeout >= rec ? "≥" : "<"} 6 × ${fnTimeout} s + ${window} s window = ${rec} s`, `set queue.visibilityTimeout to ${rec} and ${apply}`);
  }

  // DLQ
  if (q) {
    const r = q.redrive;
    if (!r) {
      add("dlq", "dlq.configured", "fail", `queue ${cfg.queue.name} has no redrive policy: failing messages cycle until retention expires and are lost`, apply);
    } else {
      add("dlq", "dlq.configured", "pass", `redrive to ${r.deadLetterTargetArn.split(":").pop()}`);
      add("dlq", "dlq.max-receive", r.maxReceiveCount >= 5 ? "pass" : "warn", `maxReceiveCount ${r.maxReceiveCount}${r.maxReceiveCount >= 5 ? "" : " (< 5: a throttled or briefly failing batch reaches the DLQ early)"}`, `set dlq.maxReceiveCount to 5 or more and ${apply}`);
      if (cannot.dlq) {
        add("dlq", "dlq.depth", "warn", `could not read DLQ ${cfg.dlq.name}: ${cannot.dlq}`, "grant sqs:GetQueueUrl and sqs:GetQueueAttributes on the DLQ");
      } else if (s.dlqDepth) {
        const n = s.dlqDepth.visible + s.dlqDepth.inFlight;
        add("dlq", "dlq.depth", n === 0 ? "pass" : "warn", n === 0 ? "DLQ is empty" : `DLQ holds ${plural(n, "message")}: digests that never reached Slack`, "inspect them with `traildigest queue peek --dlq`, fix the cause, then redrive (aws sqs start-message-move-task)");
      }
    }
  }

  // Mapping
  const m = live.mapping;
  if (cannot.function) {
    add("mapping", "mapping.exists", "warn", `could not read the mapping: ${cannot.function}`, "grant lambda:GetFunctionConfiguration and lambda:ListEventSourceMappings");
  } else if (!m) {
    add("mapping", "mapping.exists", "fail", `no event source mapping from ${cfg.queue.name} to ${cfg.function.name}`, apply);
  } else {
    add("mapping", "mapping.exists", "pass", `mapping ${m.uuid}`);
    const enabled = m.state === "Enabled";
    add("mapping", "mapping.enabled", enabled ? "pass" : "fail", `mapping state is ${m.state ?? "unknown"}`, `aws lambda update-event-source-mapping --uuid ${m.uuid} --enabled (or ${apply})`);
    const b = cfg.batching;
    const okBatch = m.batchSize === b.batchSize && (m.windowSeconds ?? 0) === b.windowSeconds;
    add("mapping", "mapping.batching", okBatch ? "pass" : "warn", `BatchSize ${m.batchSize}, window ${m.windowSeconds ?? 0} s${okBatch ? "" : ` (config: ${b.batchSize}, ${b.windowSeconds} s)`}`, apply);
    const rbf = m.functionResponseTypes.includes("ReportBatchItemFailures");
    add("mapping", "mapping.report-failures", rbf ? "pass" : "fail", rbf ? "ReportBatchItemFailures is on" : "ReportBatchItemFailures is off: one bad record replays the whole batch (duplicate digests)", apply);
  }

  // Function
  const f = live.function;
  if (cannot.function) {
    add("function", "function.exists", "warn", `could not read function ${cfg.function.name}: ${cannot.function}`, "grant lambda:GetFunctionConfiguration");
  } else if (!f) {
    add("function", "function.exists", "fail", `function ${cfg.function.name} not found`, apply);
  } else {
    add("function", "function.exists", "pass", `function ${cfg.function.name} exists (${f.state ?? "state unknown"})`);
    const rt = f.runtime ?? "unknown";
    const rtStatus: CheckStatus = SUPPORTED_RUNTIMES.includes(rt) ? "pass" : DEPRECATED_SOON.includes(rt) ? "warn" : "fail";
    add("function", "function.runtime", rtStatus, `runtime ${rt}`, `set function.runtime to nodejs22.x and ${apply}`);
    const env = f.env;
    if (env.SLACK_WEBHOOK_URL) {
      add("function", "function.webhook", "fail", "SLACK_WEBHOOK_URL sits in plain text in the function's environment", `store it in Secrets Manager, set function.webhook {"secretId": …} and ${apply} (it removes the variable)`);
    } else if (env.SLACK_WEBHOOK_SECRET_ID || env.SLACK_WEBHOOK_PARAMETER) {
      const what = env.SLACK_WEBHOOK_SECRET_ID ? `secret ${env.SLACK_WEBHOOK_SECRET_ID}` : `parameter ${env.SLACK_WEBHOOK_PARAMETER}`;
      if (s.deployedWebhookExists === false) add("function", "function.webhook", "fail", `${what} does not exist`, `export SLACK_WEBHOOK_URL=… and ${apply} (it creates it without printing the value)`);
      else add("function", "function.webhook", s.deployedWebhookExists ? "pass" : "warn", `webhook read from ${what}${s.deployedWebhookExists ? "" : " (could not confirm it exists)"}`, "grant secretsmanager:DescribeSecret / ssm:DescribeParameters to check");
    } else {
      add("function", "function.webhook", "fail", "no webhook source: neither SLACK_WEBHOOK_SECRET_ID nor SLACK_WEBHOOK_PARAMETER is set", apply);
    }
  }

  // Schedules
  for (const sc of cfg.schedules) {
    const l = live.schedules.find((x) => x.name === sc.name && x.group === sc.group);
    // Names repeat across groups: a non-default group is part of the id (the default group keeps `schedule.<name>`).
    const key = sc.group === "default" ? `schedule.${sc.name}` : `schedule.${sc.group}/${sc.name}`;
    if (cannot.schedules) {
      add("schedules", `${key}.exists`, "warn", `could not read schedules: ${cannot.schedules}`, "grant scheduler:ListScheduleGroups, scheduler:ListSchedules and scheduler:GetSchedule");
      continue;
    }
    if (!l) {
      add("schedules", `${key}.exists`, "fail", `schedule ${sc.group}/${sc.name} not found`, apply);
      continue;
    }
    const input = (l.input ?? {}) as Record<string, unknown>;
    const cluster = String(input.Cluster ?? input.cluster ?? sc.cluster);
    const service = String(input.Service ?? input.service ?? sc.service);
    const svc = s.ecsServices[`${cluster}/${service}`];
    if (svc === "ACTIVE") add("schedules", `${key}.service`, "pass", `ECS service ${cluster}/${service} is ACTIVE`);
    else if (svc === "MISSING" || svc === "INACTIVE") add("schedules", `${key}.service`, "fail", `ECS service ${cluster}/${service} ${svc === "MISSING" ? "not found" : "is INACTIVE"}: every run will fail`, "fix cluster/service in the config and apply, or delete the schedule");
    else add("schedules", `${key}.service`, "warn", `ECS service ${cluster}/${service}: ${svc ?? "not checked"}`, "grant ecs:DescribeServices to check");
    if (!l.roleArn) add("schedules", `${key}.role`, "fail", "schedule has no execution role", apply);
    else {
      const r = s.scheduleRoles[l.roleArn];
      if (r === "missing") add("schedules", `${key}.role`, "fail", `role ${l.roleArn} does not exist`, "create the role (trust scheduler.amazonaws.com, allow ecs:UpdateService) or fix roleArn");
      else if (r === "exists" || r === undefined) add("schedules", `${key}.role`, "pass", `runs as ${l.roleArn.split("/").pop()}`);
      else add("schedules", `${key}.role`, "warn", `role ${l.roleArn}: ${r}`, "grant iam:GetRole to check");
    }
    const rp = l.retryPolicy;
    if (!rp || !rp.maximumRetryAttempts) add("schedules", `${key}.retry`, "warn", "no retries: a throttled or failed call is not retried", `set retryPolicy.maximumRetryAttempts above 0 and ${apply}`);
    else add("schedules", `${key}.retry`, "pass", `${rp.maximumRetryAttempts} retries within ${rp.maximumEventAgeSeconds ?? "?"} s${l.deadLetterArn ? ", DLQ set" : ""}`);
  }
  return checks;
}

/** 1 on any fail (or any warn with --strict), else 0. */
export function doctorExitCode(checks: Check[], strict = false): 0 | 1 {
  return checks.some((c) => c.status === "fail" || (strict && c.status === "warn")) ? 1 : 0;
}
