// AWS cron(min hour day-of-month month day-of-week year): parse into sets, then walk candidate local days.
// Semantics follow the EventBridge cron reference (eb-scheduled-rule-pattern / eb-cron-expressions) and, where
// AWS is silent, Quartz (whose syntax AWS's mirrors): see docs/schedule-expressions.md.

import { resolveOnTransitionDay, type Zone } from "../time/zoned-time.js";

export const MIN_YEAR = 1970;
export const MAX_YEAR = 2199;

const MONTH_NAMES = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
// AWS numbering: 1 = Sunday … 7 = Saturday.
export const DAY_NAMES = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

export interface DayOfMonthSpec {
  kind: "days";
  days: boolean[]; // index 1..31
  last: boolean; // L
  lastOffsets: number[]; // L-n
  lastWeekday: boolean; // LW
  nearestWeekday: number[]; // nW
}

export interface DayOfWeekSpec {
  kind: "days";
  days: boolean[]; // index 1..7 (1 = Sunday)
  lastOf: number[]; // nL: last <weekday n> of the month
  nth?: { weekday: number; n: number }; // n#k
}

export interface CronSpec {
  minutes: number[]; // sorted
  hours: number[]; // sorted
  dayOfMonth: DayOfMonthSpec | "?";
  months: boolean[]; // index 1..12
  dayOfWeek: DayOfWeekSpec | "?";
  years: boolean[]; // index year - MIN_YEAR
  fields: string[];
}

/** Thrown with the bare reason; the caller prefixes the expression. */
export class CronSyntaxError extends Error {}

interface FieldDef {
  name: string;
  min: number;
  max: number;
  names?: string[]; // names[i] ↔ value min + i
  wraps: boolean;
}

const F_MIN: FieldDef = { name: "minutes", min: 0, max: 59, wraps: true };
const F_HOUR: FieldDef = { name: "hours", min: 0, max: 23, wraps: true };
const F_DOM: FieldDef = { name: "day-of-month", min: 1, max: 31, wraps: true };
const F_MONTH: FieldDef = { name: "month", min: 1, max: 12, names: MONTH_NAMES, wraps: true };
const F_DOW: FieldDef = { name: "day-of-week", min: 1, max: 7, names: DAY_NAMES, wraps: true };
const F_YEAR: FieldDef = { name: "year", min: MIN_YEAR, max: MAX_YEAR, wraps: false };

function fail(msg: string): never {
  throw new CronSyntaxError(msg);
}

function parseValue(token: string, f: FieldDef): number {
  if (/^\d+$/.test(token)) {
    const v = Number(token);
    if (v < f.min || v > f.max) fail(`${f.name} value ${token} is out of range ${f.min}-${f.max}`);
    return v;
  }
  const i = f.names?.indexOf(token.toUpperCase()) ?? -1;
  if (i >= 0) return f.min + i;
  fail(
    `${f.name}: "${token}" is not a number${f.names ? ` or a name (${f.names[0]}-${f.names[f.names.length - 1]})` : ""}`,
  );
}

// One comma-separated item of a plain field: * | v | a-b | */s | v/s | a-b/s. Marks `out`.
function addItem(item: string, f: FieldDef, out: boolean[]): void {
  const [rangePart, stepPart, extra] = item.split("/");
  if (extra !== undefined || rangePart === "" || stepPart === "") fail(`${f.name}: malformed "${item}"`);
  let step = 1;
  if (stepPart !== undefined) {
    if (!/^\d+$/.test(stepPart) || Number(stepPart) < 1)
      fail(`${f.name}: step in "${item}" must be a whole number ≥ 1`);
    step = Number(stepPart);
    // AWS refuses a step above the field's largest value (*/60 in minutes, */24 in hours, */13 in months),
    // as Quartz, whose syntax AWS's mirrors, does: see docs/call-kinds.md "Schedule expressions AWS refuses".
    if (f.wraps && step > f.max)
      fail(`${f.name}: step ${step} in "${item}" is wider than the field (at most ${f.max})`);
  }
  let start: number;
  let end: number;
  if (rangePart === "*") {
    start = f.min;
    end = f.max;
  } else if (rangePart!.includes("-")) {
    const [a, b, more] = rangePart!.split("-");
    if (more !== undefined || !a || !b) fail(`${f.name}: malformed range "${item}"`);
    start = parseValue(a, f);
    end = parseValue(b, f);
    if (end < start) {
      if (!f.wraps) fail(`${f.name}: range "${rangePart}" runs backwards`);
      end += f.max - f.min + 1; // wrap-around range such as FRI-MON or 22-2
    }
  } else {
    start = parseValue(rangePart!, f);
    end = stepPart !== undefined ? f.max : start; // "v/s" runs to the field's maximum
  }
  const span = f.max - f.min + 1;
  for (let v = start; v <= end; v += step) out[((v - f.min) % span) + f.min] = true;
}

function plainField(text: string, f: FieldDef): boolean[] {
  const out = new Array<boolean>(f.max + 1).fill(false);
  for (const item of text.split(",")) {
    if (item === "?") fail(`${f.name}: ? is only allowed in day-of-month or day-of-week`);
    if (/[LW#]/i.test(item) && !f.names) fail(`${f.name}: "${item}" — L, W and # are only allowed in the day fields`);
    addItem(item, f, out);
  }
  return out;
}

function sortedSet(arr: boolean[]): number[] {
  const out: number[] = [];
  arr.forEach((v, i) => v && out.push(i));
  return out;
}

function parseDayOfMonth(text: string): DayOfMonthSpec | "?" {
  if (text === "?") return "?";
  const spec: DayOfMonthSpec = {
    kind: "days",
    days: new Array<boolean>(32).fill(false),
    last: false,
    lastOffsets: [],
    lastWeekday: false,
    nearestWeekday: [],
  };
  const items = text.split(",");
  // L and W name one day each and AWS refuses them inside a list (L,15 or 1W,15W): alone only.
  if (items.length > 1) {
    const special = items.find((x) => /[LW]/i.test(x));
    if (special !== undefined)
      fail(`day-of-month: "${text}" — ${special} (L or W) must be the whole field, not part of a list`);
  }
  for (const raw of items) {
    const item = raw.toUpperCase();
    let m: RegExpMatchArray | null;
    if (item === "?") fail("day-of-month: ? must be the whole field");
    else if (item === "L") spec.last = true;
    else if (item === "LW") spec.lastWeekday = true;
    else if ((m = item.match(/^L-(\d+)$/))) {
      const n = Number(m[1]);
      if (n < 1 || n > 30) fail(`day-of-month: offset in "${raw}" must be 1-30`);
      spec.lastOffsets.push(n);
    } else if ((m = item.match(/^(\d+)W$/))) {
      const n = Number(m[1]);
      if (n < 1 || n > 31) fail(`day-of-month: "${raw}" — W needs a day 1-31`);
      spec.nearestWeekday.push(n);
    } else if (/[LW#]/.test(item)) {
      fail(`day-of-month: "${raw}" is not valid (use L, L-n, LW or nW with a single day)`);
    } else addItem(item, F_DOM, spec.days);
  }
  return spec;
}

function parseDayOfWeek(text: string): DayOfWeekSpec | "?" {
  if (text === "?") return "?";
  const spec: DayOfWeekSpec = { kind: "days", days: new Array<boolean>(8).fill(false), lastOf: [] };
  const items = text.split(",");
  // As in day-of-month, L (and nL) stands alone: AWS refuses it in a list.
  if (items.length > 1 && items.some((x) => /L/i.test(x)))
    fail(`day-of-week: "${text}" — L must be the whole field, not part of a list`);
  if (text.includes("#") && items.length > 1)
    fail(`day-of-week: "${text}" — only one expression is allowed when # is used`);
  for (const raw of items) {
    const item = raw.toUpperCase();
    let m: RegExpMatchArray | null;
    if (item === "?") fail("day-of-week: ? must be the whole field");
    else if (item === "L")
      spec.days[7] = true; // L alone = last day of the week = Saturday
    else if ((m = item.match(/^([A-Z]{3}|\d+)L$/))) spec.lastOf.push(parseValue(m[1]!, F_DOW));
    else if ((m = item.match(/^([A-Z]{3}|\d+)#(\d+)$/))) {
      const n = Number(m[2]);
      if (n < 1 || n > 5) fail(`day-of-week: "${raw}" — the number after # must be 1-5`);
      spec.nth = { weekday: parseValue(m[1]!, F_DOW), n };
    } else if (/[LW#]/.test(item) && !DAY_NAMES.some((d) => item.includes(d))) {
      fail(`day-of-week: "${raw}" is not valid (use nL or n#k)`);
    } else addItem(item, F_DOW, spec.days);
  }
  return spec;
}

/** Parses the six fields inside cron(...). Throws CronSyntaxError with the reason. */
export function parseCron(body: string): CronSpec {
  const fields = body.trim().split(/\s+/).filter(Boolean);
  if (fields.length !== 6) {
    fail(`expected 6 fields (minutes hours day-of-month month day-of-week year), got ${fields.length}`);
  }
  const [min, hour, dom, month, dow, year] = fields as [string, string, string, string, string, string];
  if (dom === "?" && dow === "?") fail("one of day-of-month or day-of-week must be set (only one may be ?)");
  if (dom !== "?" && dow !== "?") fail("day-of-month and day-of-week cannot both be set; use ? in one");
  const yearsArr = plainField(year, F_YEAR);
  return {
    minutes: sortedSet(plainField(min, F_MIN)),
    hours: sortedSet(plainField(hour, F_HOUR)),
    dayOfMonth: parseDayOfMonth(dom),
    months: plainField(month, F_MONTH),
    dayOfWeek: parseDayOfWeek(dow),
    years: yearsArr.slice(MIN_YEAR),
    fields,
  };
}

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** AWS weekday 1 (Sunday) … 7 (Saturday). */
export function weekday(year: number, month: number, day: number): number {
  return new Date(Date.UTC(year, month - 1, day)).getUTCDay() + 1;
}

/** nW: the weekday nearest day n, never leaving the month; null when the month has no day n. */
function nearestWeekday(year: number, month: number, n: number, dim: number): number | null {
  if (n > dim) return null;
  const wd = weekday(year, month, n);
  if (wd === 7) return n === 1 ? 3 : n - 1; // Saturday → Friday, or Monday the 3rd when n = 1
  if (wd === 1) return n === dim ? n - 2 : n + 1; // Sunday → Monday, or Friday when n is the last day
  return n;
}

function lastWeekdayOfMonth(year: number, month: number, dim: number): number {
  const wd = weekday(year, month, dim);
  return wd === 7 ? dim - 1 : wd === 1 ? dim - 2 : dim;
}

export function dayMatches(c: CronSpec, year: number, month: number, day: number, dim: number): boolean {
  const dom = c.dayOfMonth;
  if (dom !== "?") {
    if (dom.days[day]) return true;
    if (dom.last && day === dim) return true;
    for (const n of dom.lastOffsets) if (day === dim - n) return true;
    if (dom.lastWeekday && day === lastWeekdayOfMonth(year, month, dim)) return true;
    for (const n of dom.nearestWeekday) if (day === nearestWeekday(year, month, n, dim)) return true;
    return false;
  }
  const dow = c.dayOfWeek as DayOfWeekSpec;
  const wd = weekday(year, month, day);
  if (dow.days[wd]) return true;
  if (dow.lastOf.includes(wd) && day + 7 > dim) return true;
  if (dow.nth && dow.nth.weekday === wd && Math.ceil(day / 7) === dow.nth.n) return true;
  return false;
}

const DAY = 86_400_000;
const HOUR = 3_600_000;

/**
 * Fire instants (UTC ms, ascending) with lowMs < t (or <=, when inclusive) and t <= highMs.
 * Walks local calendar days in the zone; only matching days cost any time-zone work.
 */
export function* cronFires(
  c: CronSpec,
  zone: Zone,
  lowMs: number,
  inclusive: boolean,
  highMs: number,
): Generator<number> {
  // Start one local day early: the local date of lowMs may lag its UTC date.
  const start = zone.wallTime(lowMs - DAY);
  for (let year = Math.max(start.year, MIN_YEAR); year <= MAX_YEAR; year++) {
    if (!c.years[year - MIN_YEAR]) continue;
    const firstMonth = year === start.year ? start.month : 1;
    for (let month = firstMonth; month <= 12; month++) {
      if (!c.months[month]) continue;
      const dim = daysInMonth(year, month);
      const firstDay = year === start.year && month === start.month ? start.day : 1;
      for (let day = firstDay; day <= dim; day++) {
        // Past the upper bound even for the easternmost zone: nothing more can fire.
        if (Date.UTC(year, month - 1, day) - 14 * HOUR > highMs) return;
        if (!dayMatches(c, year, month, day, dim)) continue;
        const off = zone.dayOffsets(year, month, day);
        for (const h of c.hours) {
          for (const m of c.minutes) {
            const wall = Date.UTC(year, month - 1, day, h, m);
            const t = typeof off === "number" ? wall - off : resolveOnTransitionDay(wall, off);
            if (t === null) continue; // skipped by spring-forward: no fire that day
            if (t > highMs) return;
            if (t > lowMs || (inclusive && t === lowMs)) yield t;
          }
        }
      }
    }
  }
}
