// Wall time <-> UTC in an IANA zone through Intl (no dependency), with EventBridge Scheduler's DST rule:
// a wall time skipped by spring-forward resolves to nothing, a repeated one to its FIRST occurrence.

import { UsageError } from "./errors.js";

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

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat("en-US", {
        timeZone,
        hourCycle: "h23",
        year: "numeric",
        month: "numeric",
        day: "numeric",
        hour: "numeric",
        minute: "numeric",
        second: "numeric",
      });
    } catch {
      throw new UsageError(`unknown time zone "${timeZone}" (expected an IANA name such as Europe/London or UTC)`);
    }
    formatters.set(timeZone, f);
  }
  return f;
}

/** Throws UsageError unless `timeZone` is an IANA zone this runtime knows. */
export function validateTimezone(timeZone: string): void {
  formatter(timeZone);
}

export class Zone {
  private readonly fmt: Intl.DateTimeFormat | undefined;
  // Cache of the last day looked up by dayOffset (cron iterates day by day).
  private cachedDayKey = NaN;
  private cachedDayOffset: number | null = null;

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
   * The single offset in force for every wall time of a local day, or null when a transition touches it
   * (then resolve() each time). Lets cron iteration cost two Intl calls per matching day.
   */
  dayOffset(year: number, month: number, day: number): number | null {
    const dayStart = Date.UTC(year, month - 1, day);
    if (dayStart === this.cachedDayKey) return this.cachedDayOffset;
    let result: number | null;
    if (!this.fmt) result = 0;
    else {
      const a = this.offsetAt(dayStart - 14 * HOUR);
      const b = this.offsetAt(dayStart + DAY + 12 * HOUR);
      result = a === b ? a : null;
    }
    this.cachedDayKey = dayStart;
    this.cachedDayOffset = result;
    return result;
  }
}
