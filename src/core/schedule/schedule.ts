// One schedule model, and the one reader of its dates. Pure.
import type { ScheduleConfig } from "../setup/config-schema.js";

/**
 * The one schedule model: what audit, forecast and the commands read of a schedule, whether it came from
 * GetSchedule (schedules.ts decodeScheduleDetail, whose ScheduleDetail is one) or from the config file
 * (scheduleFromConfig).
 */
export interface Schedule {
  name: string;
  group?: string;
  state?: string;
  expression: string;
  timezone?: string;
  startDate?: Date | string | null;
  endDate?: Date | string | null;
  /** CreationDate: the rate() anchor when there is no StartDate; no fire is expected before it. */
  createdAt?: Date | string | null;
  /** LastModificationDate: the expression before it is unknown, so fires before it are not reported. */
  modifiedAt?: Date | string | null;
  /** null or undefined: FlexibleTimeWindow OFF. */
  flexibleWindowMinutes?: number | null;
  roleArn?: string | null;
  /** Target.RetryPolicy; null/undefined: the Scheduler default (185 attempts, 86,400 s). */
  retryPolicy?: { maximumEventAgeInSeconds?: number | null; maximumRetryAttempts?: number | null } | null;
  target: { kind: string; cluster?: string | null; service?: string | null; desiredCount?: number | null };
}

/** A schedule date as GetSchedule gives it (Date, ISO string, empty or absent) → a Date, or undefined. */
export function toDate(d: Date | string | null | undefined): Date | undefined {
  if (d === undefined || d === null || d === "") return undefined;
  const date = d instanceof Date ? d : new Date(d);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** A schedule of the config file → the model (its target is always ECS UpdateService). */
export function scheduleFromConfig(s: ScheduleConfig): Schedule {
  return {
    name: s.name,
    group: s.group,
    state: s.state,
    expression: s.expression,
    timezone: s.timezone,
    flexibleWindowMinutes: s.flexibleWindowMinutes ?? null,
    roleArn: s.roleArn,
    target: { kind: "ecs:updateService", cluster: s.cluster, service: s.service, desiredCount: s.desiredCount },
  };
}
