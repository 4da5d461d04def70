// `notify forecast`, the pure part: upcoming schedule fires → waves of UpdateService calls → how many
// digests the event source mapping will make of each wave (best case) and the events of its first one.
import type { ApiCallEvent } from "../events/events.js";
import { auditableSchedules, roleNameFromArn, scheduleFires, type FiresBetweenFn } from "./audit.js";
import type { Schedule } from "../schedule/schedule.js";
import { assumedRoleArn, parseArn, partitionOf } from "../aws/arn.js";

export interface ForecastCall {
  schedule: string;
  group: string;
  cluster: string;
  service: string;
  desiredCount: number | null;
  at: Date;
  roleArn?: string;
  /** The scheduler may make this call up to this many minutes after `at`. */
  flexibleWindowMinutes: number;
}

export interface Wave {
  at: Date;
  /** Last fire time in the wave (at most the batching window after `at`). */
  last: Date;
  calls: ForecastCall[];
  /** Best case: ceil(calls / batchSize). Parallel pollers can split a wave into more, smaller batches. */
  digests: number;
}

export interface ForecastOptions {
  from: Date;
  to: Date;
  batchSize: number;
  /** MaximumBatchingWindowInSeconds: fires this close to a wave's first fire join that wave. */
  windowSeconds: number;
  firesBetween?: FiresBetweenFn;
  /** Safety cap on fires per schedule. */
  limit?: number;
  /** Filled with schedules whose fire times cannot be computed (they are left out, not fatal). */
  skipped?: { schedule: string; group: string; reason: string }[];
}

/** Every upcoming UpdateService call of the enabled ECS schedules in [from, to), in time order. */
export function upcomingCalls(schedules: Schedule[], opts: ForecastOptions): ForecastCall[] {
  const fires = scheduleFires(auditableSchedules(schedules), opts.from, opts.to, {
    firesBetween: opts.firesBetween,
    limit: opts.limit ?? 200_000,
    skipped: opts.skipped,
  });
  const calls = fires.map(({ s, at, where }): ForecastCall => ({
    ...where,
    desiredCount: s.target.desiredCount ?? null,
    at,
    ...(s.roleArn ? { roleArn: s.roleArn } : {}),
    flexibleWindowMinutes: s.flexibleWindowMinutes ?? 0,
  }));
  return calls.sort((a, b) => a.at.getTime() - b.at.getTime() || a.schedule.localeCompare(b.schedule));
}

/** Best-case digest count for n calls arriving together: the mapping invokes at BatchSize messages. */
export function bestCaseDigests(n: number, batchSize: number): number {
  return n === 0 ? 0 : Math.ceil(n / Math.max(1, batchSize));
}

/**
 * Calls within the batching window of a wave's first call form one wave: the mapping gathers them
 * into batches of up to BatchSize before the window closes.
 */
export function groupWaves(calls: ForecastCall[], opts: Pick<ForecastOptions, "batchSize" | "windowSeconds">): Wave[] {
  const waves: Wave[] = [];
  const windowMs = Math.max(0, opts.windowSeconds) * 1000;
  for (const c of [...calls].sort((a, b) => a.at.getTime() - b.at.getTime())) {
    const current = waves[waves.length - 1];
    if (current && c.at.getTime() - current.at.getTime() <= windowMs) {
      current.calls.push(c);
      current.last = c.at;
    } else {
      waves.push({ at: c.at, last: c.at, calls: [c], digests: 0 });
    }
  }
  for (const w of waves) w.digests = bestCaseDigests(w.calls.length, opts.batchSize);
  return waves;
}

export function forecastWaves(schedules: Schedule[], opts: ForecastOptions): Wave[] {
  return groupWaves(upcomingCalls(schedules, opts), opts);
}

/**
 * The events the first digest of a wave would hold, as CloudTrail would record them: the schedule's role
 * as the caller, its account from the role ARN. Running counts are unknown before the call.
 */
export function synthesizeEvents(calls: ForecastCall[], opts: { region: string }): ApiCallEvent[] {
  return calls.map((c) => {
    const role = roleNameFromArn(c.roleArn);
    const roleArn = parseArn(c.roleArn);
    const account = roleArn?.service === "iam" && /^\d{12}$/.test(roleArn.account) ? roleArn.account : "";
    const event: ApiCallEvent = {
      eventId: `forecast-${c.group}-${c.schedule}-${c.at.toISOString()}`,
      eventTime: c.at.toISOString(),
      eventName: "UpdateService",
      eventSource: "ecs.amazonaws.com",
      region: opts.region,
      account,
      cluster: c.cluster,
      service: c.service,
      caller: role
        ? {
            type: "AssumedRole",
            arn: assumedRoleArn(roleArn?.partition ?? partitionOf(opts.region), account, role, "scheduler"),
            name: role,
            role,
            session: "scheduler",
          }
        : { type: "AssumedRole", name: "EventBridge Scheduler" },
    };
    if (c.desiredCount !== null) event.desiredCount = c.desiredCount;
    return event;
  });
}

/** The calls of a wave's first batch (best case): the first BatchSize calls in time order. */
export function firstBatch(wave: Wave, batchSize: number): ForecastCall[] {
  return wave.calls.slice(0, Math.max(1, batchSize));
}
