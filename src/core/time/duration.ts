// Durations ("90s", "30m", "2h", "7d", "1h30m") and time arguments (a duration ago, or an ISO time).
import { UsageError } from "../errors.js";

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** "1h30m" → 5_400_000. Throws UsageError naming the flag on anything else. */
export function parseDuration(text: string, flag = "duration"): number {
  const s = text.trim().toLowerCase();
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/gy;
  let total = 0;
  let matched = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s))) {
    total += Number(m[1]) * UNIT_MS[m[2]!]!;
    matched = re.lastIndex;
  }
  if (!s || matched !== s.length) {
    throw new UsageError(`${flag}: "${text}" is not a duration (use e.g. 90s, 30m, 2h, 7d, 1h30m)`);
  }
  return total;
}

/** A date-time with no offset ("2026-11-26T12:00:00"), which Date would read in the machine's zone. */
const ISO_NO_OFFSET = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)$/;

/**
 * The one reader of an ISO time given on the command line (--since, --until, --from): a time without an
 * offset is UTC, never the machine's zone (like a date alone, which Date already reads as UTC).
 */
export function parseIsoTime(text: string, flag: string): Date {
  const t = text.trim();
  const m = ISO_NO_OFFSET.exec(t);
  const d = new Date(m ? `${m[1]}T${m[2]}Z` : t);
  if (!/^\d{4}-\d{2}-\d{2}/.test(t) || Number.isNaN(d.getTime())) {
    throw new UsageError(`${flag}: "${text}" is not a valid ISO-8601 time (e.g. 2026-11-27T00:00:00Z)`);
  }
  return d;
}

/** "2h" → now − 2 h; "2026-11-26T13:00:00Z" → that instant; no offset → UTC (parseIsoTime). */
export function parseTimeArg(text: string, flag: string, now: Date = new Date()): Date {
  if (/^\d{4}-\d{2}-\d{2}/.test(text.trim())) return parseIsoTime(text, flag);
  try {
    return new Date(now.getTime() - parseDuration(text, flag));
  } catch {
    throw new UsageError(`${flag}: "${text}" is neither a duration (30m, 2h, 7d) nor an ISO-8601 time`);
  }
}

/** --from: an ISO time (parseIsoTime), or `now` when not given. */
export function parseFromArg(text: string | undefined, now: Date = new Date(), flag = "--from"): Date {
  return text === undefined ? now : parseIsoTime(text, flag);
}

/** A short human duration: "3h 12m", "45s", "2d 4h". */
export function formatDuration(ms: number): string {
  const neg = ms < 0;
  let s = Math.round(Math.abs(ms) / 1000);
  const d = Math.floor(s / 86400);
  s -= d * 86400;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  const parts = d ? [`${d}d`, h && `${h}h`] : h ? [`${h}h`, m && `${m}m`] : m ? [`${m}m`] : [`${s}s`];
  const out = parts.filter(Boolean).join(" ");
  return neg ? `-${out}` : out;
}

/** "in 3h 12m" / "5m ago". */
export function formatRelative(target: Date, now: Date = new Date()): string {
  const diff = target.getTime() - now.getTime();
  return diff >= 0 ? `in ${formatDuration(diff)}` : `${formatDuration(-diff)} ago`;
}

/** CloudTrail's event history (LookupEvents) keeps 90 days. */
export const TRAIL_HISTORY_DAYS = 90;

/** A --since older than the event history can only ever find nothing: a usage error naming the flag. */
export function withinTrailHistory(since: Date, text: string, flag = "--since", now: Date = new Date()): Date {
  if (now.getTime() - since.getTime() > TRAIL_HISTORY_DAYS * 86_400_000 + 60_000) {
    throw new UsageError(
      `${flag}: "${text}" reaches back past the ${TRAIL_HISTORY_DAYS} days CloudTrail event history keeps; give at most ${TRAIL_HISTORY_DAYS}d`,
    );
  }
  return since;
}
