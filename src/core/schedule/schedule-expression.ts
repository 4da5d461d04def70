// at() / rate() / cron() parsing and fire times in a time zone, with EventBridge Scheduler's rules.
// CONTRACT (other modules code against these signatures; implementation owned by the schedules work).
//
// DST rule (AWS re:Post knowledge center "eventbridge-scheduler-adjust-dst", and the "Daylight savings time"
// section of https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html): when clocks spring
// forward, an invocation whose wall time does not exist is skipped; when they fall back, the schedule runs only
// once. rate() is elapsed time: "days represents a 24-hour duration", evaluated 24 h after the last invocation.

import { UsageError } from "../errors.js";
import { CronSyntaxError, MAX_YEAR, cronFires, parseCron, type CronSpec } from "./cron.js";
import { Zone } from "../time/zoned-time.js";

export interface FireOptions {
  /** IANA zone (ScheduleExpressionTimezone); default UTC. */
  timezone?: string;
  /** Schedule StartDate: no fire before it; rate() is anchored at it. */
  startDate?: Date;
  /** Schedule EndDate: no fire after it. */
  endDate?: Date;
  /**
   * Schedule CreationDate: rate() without StartDate starts invoking at creation, so it is the anchor then.
   * Without either, rate() is anchored at 1970-01-01T00:00Z: the spacing is right, the phase is a guess.
   */
  createdAt?: Date;
}

export type RateUnit = "minute" | "hour" | "day";

export type ScheduleAst =
  | {
      kind: "at";
      expression: string;
      year: number;
      month: number;
      day: number;
      hour: number;
      minute: number;
      second: number;
    }
  | { kind: "rate"; expression: string; value: number; unit: RateUnit; periodMs: number }
  | { kind: "cron"; expression: string; cron: CronSpec };

const UNIT_MS: Record<RateUnit, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };
const DEFAULT_LIMIT = 10_000;

/** Parses an EventBridge Scheduler expression; throws UsageError naming the expression and the reason. */
export function parseScheduleExpression(expression: string): ScheduleAst {
  if (typeof expression !== "string") throw new UsageError("schedule expression must be a string");
  const expr = expression.trim();
  const m = expr.match(/^(at|rate|cron)\((.*)\)$/is);
  if (!m)
    throw new UsageError(
      `${JSON.stringify(expression)}: expected at(yyyy-mm-ddThh:mm:ss), rate(value unit) or cron(6 fields)`,
    );
  const kind = m[1]!.toLowerCase();
  const body = m[2]!.trim();
  const bad = (reason: string): never => {
    throw new UsageError(`${expr}: ${reason}`);
  };
  if (kind === "at") {
    const a = body.match(/^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})$/);
    if (!a) return bad("expected at(yyyy-mm-ddThh:mm:ss), a wall time without zone or offset");
    const [year, month, day, hour, minute, second] = a.slice(1).map(Number) as [
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    const d = new Date(Date.UTC(year, month - 1, day));
    if (month < 1 || month > 12 || d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day)
      bad(`${body.slice(0, 10)} is not a calendar date`);
    if (hour > 23 || minute > 59 || second > 59) bad(`${body.slice(11)} is not a time of day`);
    return { kind: "at", expression: expr, year, month, day, hour, minute, second };
  }
  if (kind === "rate") {
    const r = body.match(/^(\S+)\s+(\S+)$/);
    if (!r) return bad("expected rate(value unit), e.g. rate(5 minutes)");
    if (!/^\d+$/.test(r[1]!)) bad(`value "${r[1]}" must be a whole number ≥ 1`);
    const value = Number(r[1]);
    if (value < 1 || !Number.isSafeInteger(value)) bad(`value ${r[1]} must be a whole number ≥ 1`);
    const u = r[2]!.toLowerCase().replace(/s$/, "");
    if (u !== "minute" && u !== "hour" && u !== "day") bad(`unknown unit "${r[2]}" (use minute(s), hour(s) or day(s))`);
    const unit = u as RateUnit;
    return { kind: "rate", expression: expr, value, unit, periodMs: value * UNIT_MS[unit] };
  }
  try {
    return { kind: "cron", expression: expr, cron: parseCron(body) };
  } catch (err) {
    if (err instanceof CronSyntaxError) bad(err.message);
    throw err;
  }
}

/** Throws UsageError with the reason when the expression is invalid. */
export function validateScheduleExpression(expression: string): void {
  parseScheduleExpression(expression);
}

/** Fire instants (UTC ms, ascending) above `lowMs` (inclusive or not), honouring zone, DST and Start/EndDate. */
function fires(
  ast: ScheduleAst,
  lowMs: number,
  inclusive: boolean,
  opts: FireOptions,
  highMs = Infinity,
): Generator<number> {
  // Validate eagerly (a generator body would only run on the first next()).
  const zone = new Zone(opts.timezone ?? "UTC");
  if (opts.startDate && Number.isNaN(opts.startDate.getTime())) throw new UsageError("startDate is not a valid date");
  if (opts.endDate && Number.isNaN(opts.endDate.getTime())) throw new UsageError("endDate is not a valid date");
  if (opts.createdAt && Number.isNaN(opts.createdAt.getTime())) throw new UsageError("createdAt is not a valid date");
  if (Number.isNaN(lowMs)) throw new UsageError("from is not a valid date");
  return fireGenerator(ast, zone, lowMs, inclusive, opts, highMs);
}

function* fireGenerator(
  ast: ScheduleAst,
  zone: Zone,
  lowMs: number,
  inclusive: boolean,
  opts: FireOptions,
  highMs: number,
): Generator<number> {
  const startMs = opts.startDate?.getTime();
  const endMs = opts.endDate?.getTime();
  // Fires at or after StartDate: raise the lower bound to it (inclusive).
  if (startMs !== undefined && startMs > lowMs) {
    lowMs = startMs;
    inclusive = true;
  }
  const high = Math.min(highMs, endMs ?? Infinity);
  if (ast.kind === "at") {
    const t = zone.resolve(ast.year, ast.month, ast.day, ast.hour, ast.minute, ast.second);
    if (t !== null && (t > lowMs || (inclusive && t === lowMs)) && t <= high) yield t;
    return;
  }
  if (ast.kind === "rate") {
    const anchor = startMs ?? opts.createdAt?.getTime() ?? 0;
    const p = ast.periodMs;
    // First k ≥ 0 with anchor + k·p above the bound.
    let k = Math.max(0, Math.ceil((lowMs - anchor) / p));
    if (anchor + k * p < lowMs || (!inclusive && anchor + k * p === lowMs)) k++;
    const yearEnd = Date.UTC(MAX_YEAR + 1, 0, 1);
    for (let t = anchor + k * p; t <= high && t < yearEnd; t += p) yield t;
    return;
  }
  // cron(): the year field stops at 2199, so the walk ends even when `high` is Infinity.
  yield* cronFires(ast.cron, zone, lowMs, inclusive, high);
}

/** Up to `count` fire times strictly after `from`. */
export function nextFires(expression: string, from: Date, count: number, opts: FireOptions = {}): Date[] {
  const ast = parseScheduleExpression(expression);
  const out: Date[] = [];
  const it = fires(ast, from.getTime(), false, opts);
  if (!(count > 0)) return out;
  for (const t of it) {
    out.push(new Date(t));
    if (out.length >= count) break;
  }
  return out;
}

/** Every fire time t with from <= t < to (at most `limit`, default 10,000). */
export function firesBetween(
  expression: string,
  from: Date,
  to: Date,
  opts: FireOptions = {},
  limit = DEFAULT_LIMIT,
): Date[] {
  const ast = parseScheduleExpression(expression);
  const out: Date[] = [];
  const toMs = to.getTime();
  if (Number.isNaN(toMs)) throw new UsageError("to is not a valid date");
  // `to` is exclusive; fire instants are whole milliseconds, so toMs - 1 is the last admissible one.
  const it = fires(ast, from.getTime(), true, opts, toMs - 1);
  if (!(limit > 0)) return out;
  for (const t of it) {
    out.push(new Date(t));
    if (out.length >= limit) break;
  }
  return out;
}
