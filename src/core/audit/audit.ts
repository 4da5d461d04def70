// `schedules audit`, the pure part: expected fires × CloudTrail UpdateService calls → a status per fire,
// plus the calls no schedule explains. No I/O, no SDK: the command fetches, this decides.
import type { ApiCallEvent } from "../events/events.js";
import { firesBetween as defaultFiresBetween, type FireOptions } from "../schedule/schedule-expression.js";
import { toDate, type Schedule } from "../schedule/schedule.js";
import { resourceOf, roleNameFromArn } from "../aws/arn.js";

export { roleNameFromArn };
import { matchFires } from "./fire-matching.js";

export { matchFires, type MatchOptions } from "./fire-matching.js";

export const ECS_UPDATE_SERVICE = "ecs:updateService";

export type FireStatus = "ok" | "failed" | "missed" | "pending";

export interface ExpectedFire {
  schedule: string;
  group: string;
  cluster: string;
  service: string;
  desiredCount?: number;
  /** Role name from the schedule's RoleArn (the caller a fire's call must come from). */
  role?: string;
  /** The schedule's zone (for showing the fire time as the schedule's author wrote it). */
  timezone: string;
  at: Date;
  /** Latest time the call may be made: at + flexible window + tolerance. */
  windowEnd: Date;
  flexibleWindowMinutes: number;
  /**
   * Latest time a Scheduler retry of a failed first call may succeed: min(at + flexible window + the retry
   * policy's MaximumEventAgeInSeconds, the schedule's next fire). Absent when the policy allows no retries.
   */
  retryUntil?: Date;
  /** A fire before the audited period: it may consume a call (so that call is not "unexpected"), but is not reported. */
  context?: boolean;
}

export interface AuditedFire {
  schedule: string;
  group: string;
  cluster: string;
  service: string;
  /** ISO UTC. */
  expectedAt: string;
  timezone: string;
  desiredCount: number | null;
  status: FireStatus;
  eventId: string | null;
  errorCode: string | null;
  /** When the matching call was made (ISO UTC), and how long after the fire time. */
  calledAt: string | null;
  delaySeconds: number | null;
  /** Calls this fire explains: the matched one plus failed retries inside the window. */
  attempts: number;
}

export interface AuditResult {
  fires: AuditedFire[];
  /** Changes no schedule explains; deploys and auto scaling are listed apart (audit-kinds.ts). */
  unexpected: ApiCallEvent[];
  deploys: ApiCallEvent[];
  autoScaling: ApiCallEvent[];
  /** Schedules whose fires could not be computed (unreadable expression or zone): not audited. */
  skipped: { schedule: string; group: string; reason: string }[];
  /** Fires in the period the schedule could not have made (or may not have, as it was then): not reported. */
  notExpected: NotExpected[];
  summary: Record<FireStatus, number> & { unexpected: number; deploys: number; autoScaling: number; schedules: number };
}

export type FiresBetweenFn = (expression: string, from: Date, to: Date, opts?: FireOptions, limit?: number) => Date[];

/** `arn:aws:ecs:r:a:cluster/dev` → `dev`; `arn:…:service/dev/api` → `api`; a plain name stays; missing cluster → `default`. */
export function resourceName(value: string | null | undefined): string | undefined {
  if (!value) return undefined;
  const resource = resourceOf(value);
  return resource.split("/").pop() || undefined;
}

/** The role an event's caller acted as, when it was an assumed role. */
export function callerRole(event: ApiCallEvent): string | undefined {
  return event.caller.role ?? roleNameFromArn(event.caller.arn);
}

/** What firesBetween needs of a schedule: zone, Start/EndDate, and CreationDate (anchors rate() without StartDate). */
export function fireOptions(s: Schedule): FireOptions {
  const o: FireOptions = {};
  if (s.timezone) o.timezone = s.timezone;
  const sd = toDate(s.startDate);
  const ed = toDate(s.endDate);
  const created = toDate(s.createdAt);
  if (sd) o.startDate = sd;
  if (ed) o.endDate = ed;
  if (created) o.createdAt = created;
  return o;
}

export interface NotExpected {
  schedule: string;
  group: string;
  /** Fires before this time (ISO UTC) in the period are not expected of the schedule. */
  before: string;
  fires: number;
  reason: string;
}

/**
 * From when a schedule's fires can be expected: not before it existed (CreationDate), and not before its
 * last change (LastModificationDate), as the expression it had before is not known.
 */
export function expectedFrom(s: Schedule): { since: Date; created: boolean; reason: string } | undefined {
  const created = toDate(s.createdAt);
  const modified = toDate(s.modifiedAt);
  if (modified && (!created || modified > created)) {
    return {
      since: modified,
      created: false,
      reason: `last modified ${modified.toISOString()}: its expression before then is not known`,
    };
  }
  if (created)
    return { since: created, created: true, reason: `created ${created.toISOString()}: it did not exist before` };
  return undefined;
}

/** Schedules whose target is ECS UpdateService and that can fire (DISABLED ones cannot). */
export function auditableSchedules<S extends Schedule>(schedules: S[]): S[] {
  return schedules.filter(
    (s) =>
      s.target.kind === ECS_UPDATE_SERVICE && (s.state ?? "ENABLED").toUpperCase() !== "DISABLED" && s.target.service,
  );
}

/** One fire of a schedule, with the names the audit and the forecast report it under. */
export interface ScheduleFire {
  s: Schedule;
  at: Date;
  where: { schedule: string; group: string; cluster: string; service: string };
}

/**
 * Every fire in [from, to) of the given schedules (already filtered by auditableSchedules), schedule by schedule. A
 * schedule whose fires cannot be computed goes to `skipped` instead of failing the whole audit or forecast.
 */
export function scheduleFires(
  schedules: Schedule[],
  from: Date,
  to: Date,
  opts: { firesBetween?: FiresBetweenFn; limit: number; skipped?: AuditResult["skipped"] | undefined },
): ScheduleFire[] {
  const fb = opts.firesBetween ?? defaultFiresBetween;
  const out: ScheduleFire[] = [];
  for (const s of schedules) {
    const group = s.group ?? "default";
    let times: Date[];
    try {
      times = fb(s.expression, from, to, fireOptions(s), opts.limit);
    } catch (err) {
      opts.skipped?.push({ schedule: s.name, group, reason: err instanceof Error ? err.message : String(err) });
      continue;
    }
    const where = {
      schedule: s.name,
      group,
      cluster: resourceName(s.target.cluster) ?? "default",
      service: resourceName(s.target.service)!,
    };
    for (const at of times) out.push({ s, at, where });
  }
  return out;
}

export interface ExpectOptions {
  from: Date;
  to: Date;
  toleranceMs: number;
  /** Also compute fires this long before `from` as context (default: the largest window among the schedules). */
  lookbackMs?: number;
  firesBetween?: FiresBetweenFn;
  /** Filled with the schedules whose fires could not be computed, instead of failing the whole audit. */
  skipped?: AuditResult["skipped"];
  /** Filled with the fires left out because the schedule did not exist yet or was changed since. */
  notExpected?: NotExpected[];
}

/** EventBridge Scheduler's retry policy when a schedule sets none. */
export const DEFAULT_MAX_EVENT_AGE_SECONDS = 86_400;

/** A week of rate(1 minute) is 10,080 fires: allow far more than the evaluator's default cap. */
const FIRE_LIMIT = 200_000;

/** Expected fires of every auditable schedule in [from, to), honouring zone, DST and Start/EndDate (via firesBetween). */
export function expectedFires(schedules: Schedule[], opts: ExpectOptions): ExpectedFire[] {
  const auditable = auditableSchedules(schedules);
  const lookback =
    opts.lookbackMs ?? Math.max(0, ...auditable.map((s) => (s.flexibleWindowMinutes ?? 0) * 60_000 + opts.toleranceMs));
  const start = new Date(opts.from.getTime() - lookback);
  const all = scheduleFires(auditable, start, opts.to, {
    firesBetween: opts.firesBetween,
    limit: FIRE_LIMIT,
    skipped: opts.skipped,
  });
  // Before creation a fire cannot have happened: drop it. Before the last change it may have (with another
  // expression): keep it as context, so it may still explain a call, but never report it as missed.
  const dropped = new Map<Schedule, number>();
  const fires: ScheduleFire[] = [];
  const beforeChange = new Set<ScheduleFire>();
  for (const f of all) {
    const e = expectedFrom(f.s);
    if (e && f.at < e.since) {
      if (f.at >= opts.from) dropped.set(f.s, (dropped.get(f.s) ?? 0) + 1);
      if (e.created) continue;
      beforeChange.add(f);
    }
    fires.push(f);
  }
  for (const [s, n] of dropped) {
    const e = expectedFrom(s)!;
    opts.notExpected?.push({
      schedule: s.name,
      group: s.group ?? "default",
      before: e.since.toISOString(),
      fires: n,
      reason: e.reason,
    });
  }
  const fb = opts.firesBetween ?? defaultFiresBetween;
  const out = fires.map(({ s, at, where }, i): ExpectedFire => {
    const flex = s.flexibleWindowMinutes ?? 0;
    const windowEnd = at.getTime() + flex * 60_000 + opts.toleranceMs;
    let retryUntil: number | undefined;
    if (s.retryPolicy?.maximumRetryAttempts !== 0) {
      retryUntil =
        at.getTime() +
        flex * 60_000 +
        (s.retryPolicy?.maximumEventAgeInSeconds ?? DEFAULT_MAX_EVENT_AGE_SECONDS) * 1000;
      // A retry never runs past the next fire: the next fire of this schedule caps it (computed when not in the list).
      let next = fires[i + 1]?.s === s ? fires[i + 1]!.at : undefined;
      if (!next) {
        try {
          next = fb(s.expression, new Date(at.getTime() + 1), new Date(retryUntil + 1), fireOptions(s), 1)[0];
        } catch {
          /* the fires were computable a moment ago; without a next fire only the event age caps */
        }
      }
      if (next) retryUntil = Math.min(retryUntil, next.getTime() - 1);
      retryUntil = Math.max(retryUntil, windowEnd);
    }
    return {
      ...where,
      ...(s.target.desiredCount != null ? { desiredCount: s.target.desiredCount } : {}),
      ...(roleNameFromArn(s.roleArn) ? { role: roleNameFromArn(s.roleArn)! } : {}),
      timezone: s.timezone || "UTC",
      at,
      windowEnd: new Date(windowEnd),
      flexibleWindowMinutes: flex,
      ...(retryUntil !== undefined ? { retryUntil: new Date(retryUntil) } : {}),
      ...(at < opts.from || beforeChange.has(fires[i]!) ? { context: true } : {}),
    };
  });
  return out.sort((a, b) => a.at.getTime() - b.at.getTime() || a.schedule.localeCompare(b.schedule));
}

export interface AuditOptions {
  from: Date;
  to: Date;
  now: Date;
  toleranceMs: number;
  pendingMarginMs: number;
  /** Report only this group's fires (every schedule still explains calls). */
  group?: string;
  firesBetween?: FiresBetweenFn;
}

/** The time range the one LookupEvents scan must cover: the period plus the longest window after it, never past now. */
export function scanRange(schedules: Schedule[], opts: Pick<AuditOptions, "from" | "to" | "now" | "toleranceMs">) {
  const slack = Math.max(
    0,
    ...auditableSchedules(schedules).map((s) => (s.flexibleWindowMinutes ?? 0) * 60_000 + opts.toleranceMs),
  );
  const until = new Date(Math.min(opts.to.getTime() + slack, opts.now.getTime()));
  return { since: opts.from, until: until < opts.from ? opts.from : until };
}

/**
 * The scan range when it does not depend on the schedules, so the scan can run while they are read: a period
 * ending within the tolerance of now. Every auditable schedule's window then reaches past now, so scanRange would
 * give [from, now] whatever the schedules say. Otherwise undefined: the range needs the longest flexible window.
 */
export function scanRangeUpfront(
  opts: Pick<AuditOptions, "from" | "to" | "now" | "toleranceMs">,
): { since: Date; until: Date } | undefined {
  if (opts.to.getTime() + opts.toleranceMs < opts.now.getTime()) return undefined;
  return { since: opts.from, until: opts.now < opts.from ? opts.from : opts.now };
}

/** The whole audit: expected fires of every schedule, matched against the calls of the scan. */
export function audit(schedules: Schedule[], calls: ApiCallEvent[], opts: AuditOptions): AuditResult {
  const skipped: AuditResult["skipped"] = [];
  const notExpected: NotExpected[] = [];
  const fires = expectedFires(schedules, {
    from: opts.from,
    to: opts.to,
    toleranceMs: opts.toleranceMs,
    skipped,
    notExpected,
    ...(opts.firesBetween ? { firesBetween: opts.firesBetween } : {}),
  });
  const result = matchFires(fires, calls, {
    from: opts.from,
    to: opts.to,
    now: opts.now,
    pendingMarginMs: opts.pendingMarginMs,
    ...(opts.group !== undefined ? { onlyTargetsOf: fires.filter((f) => f.group === opts.group) } : {}),
  });
  result.skipped = skipped;
  result.notExpected = notExpected;
  if (opts.group === undefined) return result;
  const kept = result.fires.filter((f) => f.group === opts.group);
  const summary = { ...result.summary, ok: 0, failed: 0, missed: 0, pending: 0 };
  for (const f of kept) summary[f.status]++;
  summary.schedules = new Set(kept.map((f) => f.schedule)).size;
  return {
    ...result,
    fires: kept,
    skipped: skipped.filter((k) => k.group === opts.group),
    notExpected: notExpected.filter((k) => k.group === opts.group),
    summary,
  };
}

/** Exit 1 when a scheduled scale did not happen or failed. */
export function auditHasProblems(result: AuditResult): boolean {
  return result.summary.missed > 0 || result.summary.failed > 0;
}
