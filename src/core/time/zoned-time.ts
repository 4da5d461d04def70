// Wall time <-> UTC in an IANA zone through Intl (no dependency), with EventBridge Scheduler's DST rule:
// a wall time skipped by spring-forward resolves to nothing, a repeated one to its FIRST occurrence.

import { UsageError } from "../errors.js";

const HOUR = 3_600_000;
const DAY = 86_400_000;

export interface WallTime {
  year: number;
  month: number; // 1-12
  day: number;
  hour: number;
  minute: number;
  second: number;
}

// One formatter per zone, shared by the fire-time arithmetic below and every human-readable time in the CLI
// and the digest, so a zone is checked and set up once per process.
const formatters = new Map<string, Intl.DateTimeFormat>();
let localFormatter: Intl.DateTimeFormat | undefined;

function makeFormatter(timeZone: string | undefined): Intl.DateTimeFormat {
  return new Intl.DateTimeFormat("en-US", {
    timeZone,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    timeZoneName: "short",
  });
}

/** The zone's formatter, or undefined when Intl does not know the zone. */
function formatterOf(timeZone: string): Intl.DateTimeFormat | undefined {
  let f = formatters.get(timeZone);
  if (!f) {
    try {
      f = makeFormatter(timeZone);
    } catch {
      return undefined;
    }
    formatters.set(timeZone, f);
  }
  return f;
}

/** True when `timeZone` is an IANA zone this runtime knows. */
export function isTimeZone(timeZone: string): boolean {
  return formatterOf(timeZone) !== undefined;
}

/**
 * Returns `timeZone`, or throws UsageError unless it is an IANA zone this runtime knows. `label` names where the
 * value came from ("--timezone", "DIGEST_TIMEZONE") and prefixes the message.
 */
export function validateTimeZone(timeZone: string, label?: string): string {
  if (!isTimeZone(timeZone)) {
    throw new UsageError(
      `${label ? `${label}: ` : ""}unknown time zone "${timeZone}" (expected an IANA name such as UTC, Europe/Berlin or Asia/Seoul)`,
    );
  }
  return timeZone;
}

function formatter(timeZone: string): Intl.DateTimeFormat {
  return formatterOf(validateTimeZone(timeZone))!;
}

export interface ZonedFormat {
  /** Append ":ss" (default false). */
  seconds?: boolean;
  /** Append the short zone name, " KST"/" GMT+9"/" EDT" (default true). */
  zoneName?: boolean;
}

/**
 * "2026-11-27 22:00 GMT+9" in `timeZone` (undefined: this machine's zone); with `{ seconds: true, zoneName: false }`
 * "2026-11-27 22:00:00". Throws UsageError for a zone Intl does not know.
 */
/** "2026-11-26 13:00Z": an ISO UTC time to the minute, for tables. */
export function formatUtcShort(iso: string): string {
  return iso.replace("T", " ").replace(/:\d{2}(\.\d+)?Z$/, "Z");
}

export function formatInZone(
  date: Date | string | number,
  timeZone: string | undefined,
  opts: ZonedFormat = {},
): string {
  const f = timeZone === undefined ? (localFormatter ??= makeFormatter(undefined)) : formatter(timeZone);
  const p: Partial<Record<Intl.DateTimeFormatPartTypes, string>> = {};
  for (const part of f.formatToParts(new Date(date))) p[part.type] = part.value;
  let out = `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`;
  if (opts.seconds) out += `:${p.second}`;
  if (opts.zoneName ?? true) out += ` ${p.timeZoneName}`;
  return out;
}

export class Zone {
  private readonly fmt: Intl.DateTimeFormat | undefined;
  // Cache of the last day looked up by dayOffset (cron iterates day by day).
  private cachedDayKey = NaN;
  private cachedDayOffsets: number | DayTransition = 0;

  constructor(readonly name: string = "UTC") {
    this.fmt = name === "UTC" || name === "Etc/UTC" ? undefined : formatter(name);
  }

  /** Local wall time of a UTC instant. */
  wallTime(ms: number): WallTime {
    if (!this.fmt) {
      const d = new Date(ms);
      return {
        year: d.getUTCFullYear(),
        month: d.getUTCMonth() + 1,
        day: d.getUTCDate(),
        hour: d.getUTCHours(),
        minute: d.getUTCMinutes(),
        second: d.getUTCSeconds(),
      };
    }
    const w: WallTime = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };
    for (const p of this.fmt.formatToParts(ms)) {
      if (p.type in w) (w as unknown as Record<string, number>)[p.type] = Number(p.value);
    }
    return w;
  }

  /** UTC offset (ms, east positive) in force at a UTC instant. */
  offsetAt(ms: number): number {
    if (!this.fmt) return 0;
    const w = this.wallTime(ms);
    const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
    return asUtc - Math.floor(ms / 1000) * 1000;
  }

  /**
   * UTC instant of a wall time: null when spring-forward skips it, the first occurrence when fall-back
   * repeats it (EventBridge Scheduler's rule).
   */
  resolve(year: number, month: number, day: number, hour: number, minute: number, second = 0): number | null {
    const wall = Date.UTC(year, month - 1, day, hour, minute, second);
    if (!this.fmt) return wall;
    // Offsets lie within -12h..+14h, so the instant is within [wall-14h, wall+12h]; sampling both ends finds
    // both offsets around any single transition.
    const candidates = new Set([this.offsetAt(wall - 14 * HOUR), this.offsetAt(wall), this.offsetAt(wall + 12 * HOUR)]);
    let best: number | null = null;
    for (const off of candidates) {
      const t = wall - off;
      if (this.offsetAt(t) === off && (best === null || t < best)) best = t;
    }
    return best;
  }

  /**
   * Offsets for the wall times of a local day: one number when a single offset covers the whole day, else the
   * transition (found once by bisection, so a DST day costs ~20 Intl calls instead of several per fire).
   * Lets cron iteration cost two Intl calls per ordinary matching day.
   */
  dayOffsets(year: number, month: number, day: number): number | DayTransition {
    const dayStart = Date.UTC(year, month - 1, day);
    if (dayStart === this.cachedDayKey) return this.cachedDayOffsets;
    let result: number | DayTransition;
    if (!this.fmt) result = 0;
    else {
      let lo = dayStart - 14 * HOUR;
      let hi = dayStart + DAY + 12 * HOUR;
      const before = this.offsetAt(lo);
      const after = this.offsetAt(hi);
      if (before === after) result = before;
      else {
        // Invariant: offsetAt(lo) === before, offsetAt(hi) !== before. Offsets change on whole seconds.
        while (hi - lo > 1000) {
          const mid = Math.floor((lo + hi) / 2000) * 1000;
          if (mid <= lo) break;
          if (this.offsetAt(mid) === before) lo = mid;
          else hi = mid;
        }
        result = { before, after, at: hi };
      }
    }
    this.cachedDayKey = dayStart;
    this.cachedDayOffsets = result;
    return result;
  }
}

/** A local day that contains an offset change: `before` applies to instants < `at`, `after` from `at` on. */
export interface DayTransition {
  before: number;
  after: number;
  at: number;
}

/**
 * UTC instant of a wall time (given as if it were UTC ms) on a transition day: null when skipped, the earlier
 * instant when repeated.
 */
export function resolveOnTransitionDay(wallMs: number, tr: DayTransition): number | null {
  const t1 = wallMs - tr.before;
  const t2 = wallMs - tr.after;
  const ok1 = t1 < tr.at;
  const ok2 = t2 >= tr.at;
  if (ok1 && ok2) return Math.min(t1, t2);
  return ok1 ? t1 : ok2 ? t2 : null;
}
