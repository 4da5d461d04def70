// GetSchedule output → the schedule object of the command contract (docs/architecture.md §4). Pure: no SDK
// import; the fire-time function is passed in so this module stays testable on its own.
import { clusterName, serviceRef } from "../events/events.js";
import { toDate } from "./schedule.js";
import { parseArn, universalTargetAction } from "../aws/arn.js";

/** The GetSchedule fields we read (SDK output or its JSON form: dates may be Date or ISO strings). */
export interface RawSchedule {
  Name?: string;
  GroupName?: string;
  Arn?: string;
  State?: string;
  Description?: string;
  ScheduleExpression?: string;
  ScheduleExpressionTimezone?: string;
  StartDate?: Date | string;
  EndDate?: Date | string;
  CreationDate?: Date | string;
  LastModificationDate?: Date | string;
  FlexibleTimeWindow?: { Mode?: string; MaximumWindowInMinutes?: number };
  ActionAfterCompletion?: string;
  Target?: {
    Arn?: string;
    RoleArn?: string;
    Input?: string;
    RetryPolicy?: { MaximumEventAgeInSeconds?: number; MaximumRetryAttempts?: number };
    DeadLetterConfig?: { Arn?: string };
    EcsParameters?: unknown;
  };
}

export interface ScheduleTarget {
  arn: string;
  /** "ecs:updateService" for the universal target this stack uses; else the target's service[:action]. */
  kind: string;
  cluster: string | null;
  service: string | null;
  desiredCount: number | null;
}

export interface ScheduleView {
  name: string;
  group: string;
  state: string;
  expression: string;
  timezone: string;
  /** ISO UTC. */
  nextFires: string[];
  /** Why nextFires is empty although the schedule is enabled (unreadable expression). */
  nextFiresError?: string;
  /** null when the flexible window is OFF. */
  flexibleWindowMinutes: number | null;
  target: ScheduleTarget;
}

export interface ScheduleDetail extends ScheduleView {
  arn: string | null;
  description: string | null;
  roleArn: string | null;
  /** The target Input as sent (a JSON string for universal targets). */
  input: string | null;
  retryPolicy: { maximumEventAgeInSeconds: number | null; maximumRetryAttempts: number | null } | null;
  deadLetterArn: string | null;
  startDate: string | null;
  endDate: string | null;
  /** CreationDate (ISO): audit and forecast anchor rate() on it when there is no StartDate. */
  createdAt: string | null;
  /** LastModificationDate (ISO): the audit reports no fire before it (the expression then is unknown). */
  modifiedAt: string | null;
  actionAfterCompletion: string | null;
}

export type NextFiresFn = (
  expression: string,
  from: Date,
  count: number,
  opts?: { timezone?: string; startDate?: Date; endDate?: Date; createdAt?: Date },
) => Date[];

export interface DecodeOptions {
  from: Date;
  count: number;
  nextFires?: NextFiresFn;
}

// Cluster and service ARNs → names: the same rules as for CloudTrail events.
export { clusterName };
const serviceName = serviceRef;

/** Read a key in PascalCase or camelCase (the API documents PascalCase; be lenient). */
function pick(obj: Record<string, unknown>, key: string): unknown {
  if (key in obj) return obj[key];
  const camel = key[0]!.toLowerCase() + key.slice(1);
  return obj[camel];
}

/** Target kind from its ARN: universal targets by service:action, templated ones by service. */
export function targetKind(arn: string, hasEcsParameters = false): string {
  const u = universalTargetAction(arn);
  if (u) return `${u.service}:${u.action}`;
  const parsed = parseArn(arn);
  if (!parsed) return "unknown";
  const service = parsed.service;
  if (service === "ecs") return hasEcsParameters || parsed.resource.startsWith("cluster/") ? "ecs:runTask" : "ecs";
  if (service === "events") return "events:putEvents";
  if (service === "states") return "states:startExecution";
  if (service === "kinesis") return "kinesis:putRecord";
  if (service === "sagemaker") return "sagemaker:startPipelineExecution";
  return service;
}

export function decodeTarget(target: RawSchedule["Target"]): ScheduleTarget {
  const arn = target?.Arn ?? "";
  const kind = targetKind(arn, target?.EcsParameters !== undefined);
  const out: ScheduleTarget = { arn, kind, cluster: null, service: null, desiredCount: null };
  if (!kind.startsWith("ecs:") || kind === "ecs:runTask" || !target?.Input) {
    if (kind === "ecs:runTask") out.cluster = clusterName(arn);
    return out;
  }
  let input: unknown;
  try {
    input = JSON.parse(target.Input);
  } catch {
    return out; // the Input is shown as is by `schedules show`
  }
  if (!input || typeof input !== "object" || Array.isArray(input)) return out;
  const obj = input as Record<string, unknown>;
  const cluster = pick(obj, "Cluster");
  const service = pick(obj, "Service");
  const desired = pick(obj, "DesiredCount");
  if (typeof service === "string") {
    const s = serviceName(service);
    out.service = s.service;
    if (s.cluster) out.cluster = s.cluster;
  }
  if (typeof cluster === "string") out.cluster = clusterName(cluster);
  // ECS UpdateService without a cluster means the "default" cluster.
  else if (out.service && !out.cluster && kind === "ecs:updateService") out.cluster = "default";
  if (typeof desired === "number" && Number.isFinite(desired)) out.desiredCount = desired;
  else if (typeof desired === "string" && /^\d+$/.test(desired)) out.desiredCount = Number(desired);
  return out;
}

export function decodeSchedule(raw: RawSchedule, opts: DecodeOptions): ScheduleView {
  const state = raw.State ?? "UNKNOWN";
  const expression = raw.ScheduleExpression ?? "";
  const timezone = raw.ScheduleExpressionTimezone || "UTC";
  const view: ScheduleView = {
    name: raw.Name ?? "",
    group: raw.GroupName ?? "default",
    state,
    expression,
    timezone,
    nextFires: [],
    flexibleWindowMinutes:
      raw.FlexibleTimeWindow?.Mode === "FLEXIBLE" ? (raw.FlexibleTimeWindow.MaximumWindowInMinutes ?? null) : null,
    target: decodeTarget(raw.Target),
  };
  if (state === "ENABLED" && expression && opts.count > 0) {
    if (!opts.nextFires) {
      view.nextFiresError = "next-fire evaluation is not available";
    } else {
      try {
        view.nextFires = opts
          .nextFires(expression, opts.from, opts.count, {
            timezone,
            startDate: toDate(raw.StartDate),
            endDate: toDate(raw.EndDate),
            // rate() without StartDate is anchored at creation (schedule-expression.ts)
            createdAt: toDate(raw.CreationDate),
          })
          .map((d) => d.toISOString());
      } catch (err) {
        view.nextFiresError = err instanceof Error ? err.message : String(err);
      }
    }
  }
  return view;
}

export function decodeScheduleDetail(raw: RawSchedule, opts: DecodeOptions): ScheduleDetail {
  const iso = (v: Date | string | undefined) => toDate(v)?.toISOString() ?? null;
  const rp = raw.Target?.RetryPolicy;
  return {
    ...decodeSchedule(raw, opts),
    arn: raw.Arn ?? null,
    description: raw.Description ?? null,
    roleArn: raw.Target?.RoleArn ?? null,
    input: raw.Target?.Input ?? null,
    retryPolicy: rp
      ? {
          maximumEventAgeInSeconds: rp.MaximumEventAgeInSeconds ?? null,
          maximumRetryAttempts: rp.MaximumRetryAttempts ?? null,
        }
      : null,
    deadLetterArn: raw.Target?.DeadLetterConfig?.Arn ?? null,
    startDate: iso(raw.StartDate),
    endDate: iso(raw.EndDate),
    createdAt: iso(raw.CreationDate),
    modifiedAt: iso(raw.LastModificationDate),
    actionAfterCompletion: raw.ActionAfterCompletion ?? null,
  };
}

/** The on-call order: soonest next fire first; schedules that never fire again last, by name. */
export function sortByNextFire<T extends ScheduleView>(views: T[]): T[] {
  return [...views].sort((a, b) => {
    const x = a.nextFires[0];
    const y = b.nextFires[0];
    if (x && y && x !== y) return x < y ? -1 : 1;
    if (x && !y) return -1;
    if (!x && y) return 1;
    return a.group.localeCompare(b.group) || a.name.localeCompare(b.name);
  });
}

/** "dev/nestjs → 0" for ECS targets; the kind otherwise. */
export function describeTarget(t: ScheduleTarget): string {
  if (t.service) {
    const where = `${t.cluster ?? "default"}/${t.service}`;
    return t.desiredCount === null ? where : `${where} → ${t.desiredCount}`;
  }
  if (t.kind === "ecs:runTask" && t.cluster) return `runTask on ${t.cluster}`;
  return t.kind;
}
