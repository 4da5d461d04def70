// Test-only: a short human description of a schedule expression, used to check that parsing kept each
// field's meaning ("weekdays at 22:00", "every 5 minutes"). No command prints it.
import { DAY_NAMES, type CronSpec } from "../../src/core/schedule/cron.js";
import { parseScheduleExpression } from "../../src/core/schedule/schedule-expression.js";

const cap = (s: string): string => s[0] + s.slice(1).toLowerCase();

const pad = (n: number) => String(n).padStart(2, "0");

/** Short human text: "weekdays at 22:00", "every 5 minutes", "once at 2026-12-24 18:00". Falls back to the fields. */
export function describeExpression(expression: string): string {
  const ast = parseScheduleExpression(expression);
  if (ast.kind === "at") {
    const secs = ast.second ? `:${pad(ast.second)}` : "";
    return `once at ${ast.year}-${pad(ast.month)}-${pad(ast.day)} ${pad(ast.hour)}:${pad(ast.minute)}${secs}`;
  }
  if (ast.kind === "rate") return ast.value === 1 ? `every ${ast.unit}` : `every ${ast.value} ${ast.unit}s`;
  const c = ast.cron;
  const [fMin, fHour, fDom, fMonth, fDow, fYear] = c.fields as [string, string, string, string, string, string];
  const days = describeDays(c, fDom, fDow);
  let time: string | undefined;
  if (/^\d+$/.test(fMin) && /^\d+$/.test(fHour)) time = `at ${pad(Number(fHour))}:${pad(Number(fMin))}`;
  else if (/^\d+$/.test(fMin) && fHour === "*") time = `at minute ${Number(fMin)} of every hour`;
  else {
    const step = fMin.match(/^(?:\*|0)\/(\d+)$/);
    if (step && fHour === "*") time = `every ${step[1]} minutes`;
  }
  if (!days || !time) {
    return `minutes ${fMin}, hours ${fHour}, day-of-month ${fDom}, month ${fMonth}, day-of-week ${fDow}, year ${fYear}`;
  }
  let text = days === "every day" && time.startsWith("every") ? time : `${days} ${time}`;
  if (fMonth !== "*") text += ` in ${fMonth}`;
  if (fYear !== "*") text += ` (year ${fYear})`;
  return text;
}

const ORDINAL = ["", "1st", "2nd", "3rd", "4th", "5th"];

function describeDays(c: CronSpec, fDom: string, fDow: string): string | undefined {
  if ((fDom === "*" && fDow === "?") || (fDom === "?" && fDow === "*")) return "every day";
  const dom = c.dayOfMonth;
  if (dom !== "?") {
    if (fDom === "L") return "on the last day of the month";
    if (fDom === "LW") return "on the last weekday of the month";
    if (/^L-\d+$/.test(fDom)) return `${fDom.slice(2)} day(s) before the last day of the month`;
    if (/^\d+W$/i.test(fDom)) return `on the weekday nearest day ${parseInt(fDom, 10)}`;
    if (/^\d+$/.test(fDom)) return `on day ${Number(fDom)}`;
    return undefined;
  }
  const dow = c.dayOfWeek;
  if (dow === "?") return undefined;
  const name = (i: number) => cap(DAY_NAMES[i - 1]!);
  if (dow.nth) return `on the ${ORDINAL[dow.nth.n]} ${name(dow.nth.weekday)}`;
  const set = dow.days.map((v, i) => (v ? i : -1)).filter((i) => i > 0);
  if (dow.lastOf.length === 1 && set.length === 0) return `on the last ${name(dow.lastOf[0]!)}`;
  if (dow.lastOf.length > 0) return undefined;
  const key = set.join(",");
  if (key === "2,3,4,5,6") return "weekdays";
  if (key === "1,7") return "weekends";
  return set.length > 0 ? `on ${set.map(name).join(", ")}` : undefined;
}
