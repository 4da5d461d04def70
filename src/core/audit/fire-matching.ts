// Matching expected fires to the UpdateService calls CloudTrail recorded: each fire takes the earliest
// unused call of its target inside its window (a success over a failed retry); what no fire explains
// is split into unexpected calls, deploys and auto scaling.
import type { ApiCallEvent } from "../events/events.js";
import { splitUnexplained } from "./audit-kinds.js";
import { callerRole, type AuditResult, type AuditedFire, type ExpectedFire, type FireStatus } from "./audit.js";

export interface MatchOptions {
  /** Calls in [from, to) that no fire explains are reported as unexpected; calls outside only help matching. */
  from: Date;
  to: Date;
  now: Date;
  pendingMarginMs: number;
  /** With --group: report unexpected calls only for the cluster/service pairs these fires target. */
  onlyTargetsOf?: ExpectedFire[];
}

function callMatches(fire: ExpectedFire, call: ApiCallEvent, until: Date = fire.windowEnd): boolean {
  if (call.eventName !== "UpdateService") return false;
  if ((call.cluster ?? "default") !== fire.cluster || call.service !== fire.service) return false;
  if (fire.desiredCount !== undefined && call.desiredCount !== fire.desiredCount) return false;
  if (fire.role !== undefined && callerRole(call) !== fire.role) return false;
  const t = Date.parse(call.eventTime);
  return t >= fire.at.getTime() && t <= until.getTime();
}

/**
 * Calls by cluster/service, each list in time order, so a fire looks only at its own target's calls inside its
 * window: matching grows with fires + calls, not their product (docs/scale.md).
 */
class CallIndex {
  private readonly byTarget = new Map<string, { i: number; t: number }[]>();
  constructor(sortedCalls: ApiCallEvent[]) {
    sortedCalls.forEach((c, i) => {
      if (c.service === undefined) return; // matches no fire: every fire names a service
      const key = `${c.cluster ?? "default"}\u0000${c.service}`;
      let list = this.byTarget.get(key);
      if (!list) this.byTarget.set(key, (list = []));
      list.push({ i, t: Date.parse(c.eventTime) });
    });
  }
  /** Positions (in the sorted calls) of this target's calls made in [from, until], in time order. */
  window(cluster: string, service: string, from: number, until: number): number[] {
    const list = this.byTarget.get(`${cluster}\u0000${service}`);
    if (!list) return [];
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid]!.t < from) lo = mid + 1;
      else hi = mid;
    }
    const out: number[] = [];
    for (let k = lo; k < list.length && list[k]!.t <= until; k++) out.push(list[k]!.i);
    return out;
  }
}

/** The calls in time order, with their index by target and the positions fires have already taken. */
interface Calls {
  sorted: ApiCallEvent[];
  index: CallIndex;
  used: Set<number>;
}

/**
 * One fire takes the earliest unused matching call in its window, preferring a success; its failed
 * retries are taken with it as attempts. Returns the chosen call's position (if any) and the attempts.
 */
function claimCalls(fire: ExpectedFire, calls: Calls): { chosen?: number; attempts: number } {
  const { sorted, index, used } = calls;
  const inWindow = (until: Date) =>
    index
      .window(fire.cluster, fire.service, fire.at.getTime(), until.getTime())
      .filter((i) => !used.has(i) && callMatches(fire, sorted[i]!, until));
  let candidates = inWindow(fire.windowEnd);
  let success = candidates.find((i) => !sorted[i]!.errorCode);
  // Only failed calls in the window: the Scheduler retries for up to the event age (never past the next
  // fire), so later calls of the same role/cluster/service/count are this fire's retries — a success
  // makes the fire ok, failed ones are counted as its attempts.
  if (success === undefined && candidates.length && fire.retryUntil) {
    candidates = inWindow(fire.retryUntil);
    success = candidates.find((i) => !sorted[i]!.errorCode);
  }
  const chosen = success ?? candidates[0];
  if (chosen === undefined) return { attempts: 0 };
  used.add(chosen);
  let attempts = 1;
  // Failed calls of this fire before its success, or every other failed retry when none succeeded.
  for (const i of candidates) {
    if (i === chosen || !sorted[i]!.errorCode) continue;
    if (success === undefined || Date.parse(sorted[i]!.eventTime) <= Date.parse(sorted[success]!.eventTime)) {
      used.add(i);
      attempts++;
    }
  }
  return { chosen, attempts };
}

/** The audit row of one fire, given the call it took (if any). */
function auditedFire(
  fire: ExpectedFire,
  call: ApiCallEvent | undefined,
  attempts: number,
  opts: MatchOptions,
): AuditedFire {
  let status: FireStatus;
  if (call) status = call.errorCode ? "failed" : "ok";
  else {
    // Too recent for CloudTrail to have it yet: the call may still come (flexible window) and take minutes to show.
    const lastChance = fire.at.getTime() + fire.flexibleWindowMinutes * 60_000 + opts.pendingMarginMs;
    status = opts.now.getTime() < lastChance ? "pending" : "missed";
  }
  return {
    schedule: fire.schedule,
    group: fire.group,
    cluster: fire.cluster,
    service: fire.service,
    expectedAt: fire.at.toISOString(),
    timezone: fire.timezone,
    desiredCount: fire.desiredCount ?? null,
    status,
    eventId: call?.eventId ?? null,
    errorCode: call?.errorCode ?? null,
    calledAt: call ? new Date(call.eventTime).toISOString() : null,
    delaySeconds: call ? Math.round((Date.parse(call.eventTime) - fire.at.getTime()) / 1000) : null,
    attempts,
  };
}

/** UpdateService calls in [from, to) that no fire took (with --group, only on the audited targets). */
function unexplainedCalls({ sorted, used }: Calls, opts: MatchOptions): ApiCallEvent[] {
  const targets = opts.onlyTargetsOf ? new Set(opts.onlyTargetsOf.map((f) => `${f.cluster}/${f.service}`)) : undefined;
  return sorted.filter((c, i) => {
    if (used.has(i) || c.eventName !== "UpdateService") return false;
    const t = Date.parse(c.eventTime);
    if (t < opts.from.getTime() || t >= opts.to.getTime()) return false;
    return !targets || targets.has(`${c.cluster ?? "default"}/${c.service}`);
  });
}

/**
 * Greedy by time: fires in time order each take the earliest unused matching call inside their window,
 * preferring a successful one (the scheduler retries a failed call; a later success means the fire worked).
 * Failed retries inside the same window are counted as attempts of that fire, not as unexpected calls.
 */
export function matchFires(fires: ExpectedFire[], calls: ApiCallEvent[], opts: MatchOptions): AuditResult {
  const sorted = calls
    .map((c) => ({ c, t: Date.parse(c.eventTime) }))
    .sort((a, b) => a.t - b.t)
    .map((x) => x.c);
  const state: Calls = { sorted, index: new CallIndex(sorted), used: new Set() };
  const audited: AuditedFire[] = [];
  const ordered = [...fires].sort((a, b) => a.at.getTime() - b.at.getTime() || a.schedule.localeCompare(b.schedule));
  for (const fire of ordered) {
    const { chosen, attempts } = claimCalls(fire, state);
    // A context fire may take calls (so they are not unexpected) but is not reported.
    if (!fire.context)
      audited.push(auditedFire(fire, chosen !== undefined ? sorted[chosen] : undefined, attempts, opts));
  }
  const { unexpected, deploys, autoScaling } = splitUnexplained(unexplainedCalls(state, opts));
  const summary = {
    ok: 0,
    failed: 0,
    missed: 0,
    pending: 0,
    unexpected: unexpected.length,
    deploys: deploys.length,
    autoScaling: autoScaling.length,
    schedules: 0,
  };
  for (const f of audited) summary[f.status]++;
  summary.schedules = new Set(audited.map((f) => `${f.group}/${f.schedule}`)).size;
  return { fires: audited, unexpected, deploys, autoScaling, skipped: [], notExpected: [], summary };
}
