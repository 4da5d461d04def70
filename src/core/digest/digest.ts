// Events → ONE Slack message per batch (docs/architecture.md §5). Pure: no I/O, no SDK.
// The Lambda handler and `notify dry-run` both call buildDigest, so a preview is what Slack gets.
import type { ContextBlock, DividerBlock, HeaderBlock, KnownBlock } from "@slack/types";
import { UsageError } from "../errors.js";
import type { ApiCallEvent } from "../events/events.js";
import { escapeMrkdwn, slackField, truncateMrkdwn, truncatePlain } from "../text/mrkdwn.js";
import { formatInZone, isTimeZone, Zone } from "../time/zoned-time.js";
import type { ClassifyContext } from "../events/call-kind.js";
import {
  DEFAULT_CLUSTER_TEXT,
  callerKindSummary,
  callerLabel,
  callerOf,
  changeText,
  headlineText,
  previousDesired,
} from "./digest-wording.js";
import { plural } from "../text/text.js";
import { SLACK_LIMITS, TAIL_RESERVE, capToSlackLimits, packSections, tailText, type Group } from "./slack-limits.js";

export { SLACK_LIMITS, capToSlackLimits, packSections, type Group, type Packed } from "./slack-limits.js";

export interface SlackMessage {
  text: string;
  blocks: KnownBlock[];
}
export interface DigestOptions {
  /** IANA zone for the time range (DIGEST_TIMEZONE); default UTC. Invalid → UsageError. */
  timeZone?: string;
  /** Unreadable records in this batch, mentioned in a context line. */
  invalidCount?: number;
  /** Known schedules, so a call by a schedule's role is named after the schedule. */
  classify?: ClassifyContext;
}
export interface DigestResult {
  /** null when there is no event. */
  message: SlackMessage | null;
  stats: { events: number; duplicates: number; failed: number };
}

const FAILED_TITLE = "*❌ Failed";

// One line never crowds out the rest: a long error message is cut, not the digest.
const MAX_LINE = 600;
const MAX_ERROR_MESSAGE = 320; // room for a whole AccessDenied message (~260 chars)
const MAX_NAME = 120;

// ---------- dedupe and batching ----------

/** Drop exact duplicates (same eventID: SQS delivers at least once); first occurrence wins. */
export function dedupeEvents(events: ApiCallEvent[]): { unique: ApiCallEvent[]; duplicates: number } {
  const seen = new Set<string>();
  const unique: ApiCallEvent[] = [];
  for (const e of events) {
    if (seen.has(e.eventId)) continue;
    seen.add(e.eventId);
    unique.push(e);
  }
  return { unique, duplicates: events.length - unique.length };
}

function timeOf(e: ApiCallEvent): number {
  const t = Date.parse(e.eventTime);
  return Number.isNaN(t) ? 0 : t;
}

function byTime(events: ApiCallEvent[]): ApiCallEvent[] {
  // Decorate once: Date.parse inside the comparator would be O(n log n) parses.
  return events
    .map((e, i) => ({ e, t: timeOf(e), i }))
    .sort((a, b) => a.t - b.t || a.i - b.i)
    .map((x) => x.e);
}

/** Cut a list of events (non-Lambda inputs) into batches of `size`, in time order. */
export function batchEvents(events: ApiCallEvent[], size: number): ApiCallEvent[][] {
  if (!Number.isInteger(size) || size < 1) throw new UsageError(`batch size must be a whole number >= 1 (got ${size})`);
  const sorted = byTime(events);
  const out: ApiCallEvent[][] = [];
  for (let i = 0; i < sorted.length; i += size) out.push(sorted.slice(i, i + size));
  return out;
}

// ---------- time ----------

/** "2026-11-26" and "22:00:00" in the zone. */
function localParts(ms: number, timeZone: string): { date: string; time: string } {
  const [date, time] = formatInZone(ms, timeZone, { seconds: true, zoneName: false }).split(" ") as [string, string];
  return { date, time };
}

/** "2026-11-26 22:00:00–22:00:40 Asia/Seoul" (both dates when the range crosses midnight). */
export function formatTimeRange(fromMs: number, toMs: number, timeZone = "UTC"): string {
  const a = localParts(fromMs, timeZone);
  const b = localParts(toMs, timeZone);
  const label = timeZone === "Etc/UTC" ? "UTC" : timeZone;
  if (fromMs === toMs) return `${a.date} ${a.time} ${label}`;
  const end = a.date === b.date ? b.time : `${b.date} ${b.time}`;
  const zone = new Zone(timeZone);
  if (zone.offsetAt(fromMs) !== zone.offsetAt(toMs)) {
    // Across a DST change the wall times alone are ambiguous (01:30–01:10): name each end's offset.
    const abbr = (ms: number) => formatInZone(ms, timeZone, { seconds: true }).split(" ").slice(2).join(" ");
    return `${a.date} ${a.time} ${abbr(fromMs)}–${end} ${abbr(toMs)} ${label}`;
  }
  return `${a.date} ${a.time}–${end} ${label}`;
}

// ---------- lines ----------

/** Counts in Slack read "1,500 services". */
const count = (n: number, one: string, many?: string): string => plural(n, one, many, (x) => x.toLocaleString("en-US"));
/** Every event field goes through slackField (docs/untrusted-text.md): one line, literal, escaped, capped after escaping. */
const name = (s: string): string => slackField(s, MAX_NAME);

function isScaling(e: ApiCallEvent): boolean {
  return e.eventName === "UpdateService" && e.service !== undefined;
}

/** Per-batch facts the lines need: the desired count before each call, and each caller's kind and name. */
interface LineCtx {
  before: Map<string, number>;
  classify?: ClassifyContext;
  showCaller: boolean;
}

/** "→ 0 (was running 2)", ": deployed api:42", or what else changed (plain text, escaped here). */
function countChange(e: ApiCallEvent, ctx: LineCtx): string {
  // Holds event text (a task definition, parameter names): the same treatment as any field.
  return slackField(changeText(e, ctx.before.get(e.eventId)), MAX_LINE);
}

const clusterText = (e: ApiCallEvent): string => (e.clusterDefaulted ? DEFAULT_CLUSTER_TEXT : name(e.cluster!));

function resourceOf(e: ApiCallEvent): string {
  if (e.cluster !== undefined && e.service !== undefined) return `${clusterText(e)} / ${name(e.service)}`;
  if (e.service !== undefined) return name(e.service);
  if (e.cluster !== undefined) return e.clusterDefaulted ? DEFAULT_CLUSTER_TEXT : `cluster ${name(e.cluster)}`;
  return name(e.eventSource || "unknown source");
}

function byCaller(e: ApiCallEvent, ctx: LineCtx): string {
  return ctx.showCaller ? ` · by ${name(callerLabel(callerOf(e, ctx.classify)))}` : "";
}

function failedLine(e: ApiCallEvent, ctx: LineCtx): string {
  const what = isScaling(e)
    ? `${resourceOf(e)}${countChange(e, ctx).replace(/ \(was[^)]*\)/, "")}`
    : `${name(e.eventName)} ${resourceOf(e)}`;
  const msg = e.errorMessage ? `: ${slackField(e.errorMessage, MAX_ERROR_MESSAGE)}` : "";
  return truncateMrkdwn(`• ${what} — *${name(e.errorCode ?? "error")}*${msg}${byCaller(e, ctx)}`, MAX_LINE);
}

function serviceLine(e: ApiCallEvent, ctx: LineCtx): string {
  return truncateMrkdwn(`• ${name(e.service!)}${countChange(e, ctx)}${byCaller(e, ctx)}`, MAX_LINE);
}

function otherLine(e: ApiCallEvent, ctx: LineCtx): string {
  return truncateMrkdwn(`• ${name(e.eventName)} · ${resourceOf(e)}${byCaller(e, ctx)}`, MAX_LINE);
}

// ---------- the digest ----------

function headline(sorted: ApiCallEvent[], before: Map<string, number>): string {
  return truncatePlain(headlineText(sorted, before, count), SLACK_LIMITS.headerText);
}

// Natural order, so worker-2 comes before worker-10.
const collator = new Intl.Collator("en", { numeric: true });
/** "3 services", or "2 services, 3 calls" when a service was updated more than once. */
function clusterCount(list: ApiCallEvent[]): string {
  const services = new Set(list.map((e) => e.service)).size;
  return services === list.length
    ? count(services, "service")
    : `${count(services, "service")}, ${count(list.length, "call")}`;
}

const uniq = (xs: string[]): string[] => [...new Set(xs.filter((x) => x !== ""))].sort(collator.compare);

function listOrCount(xs: string[], one: string, max = 3): string {
  if (xs.length === 0) return `unknown ${one}`;
  if (xs.length <= max) return xs.map(name).join(", ");
  return count(xs.length, one);
}

/** Failures first, then clusters by name (services by name), then anything else the rule let through. */
function digestGroups(sorted: ApiCallEvent[], ctx: LineCtx): Group[] {
  const failedEvents = sorted.filter((e) => e.errorCode !== undefined);
  const ok = sorted.filter((e) => e.errorCode === undefined);
  const okScaling = ok.filter(isScaling);
  const okOthers = ok.filter((e) => !isScaling(e));
  const groups: Group[] = [];
  if (failedEvents.length) {
    groups.push({
      title: `${FAILED_TITLE} (${failedEvents.length})*`,
      lines: failedEvents.map((e) => failedLine(e, ctx)),
      label: "failed",
      breakAfter: true,
    });
  }
  const byCluster = new Map<string, ApiCallEvent[]>();
  for (const e of okScaling) {
    // A request without a cluster went to the default cluster: its own group, never confused with one named "default".
    const k = e.clusterDefaulted ? "" : (e.cluster ?? "");
    let list = byCluster.get(k);
    if (!list) byCluster.set(k, (list = []));
    list.push(e);
  }
  const clusterNames = [...byCluster.keys()].sort(collator.compare);
  for (const c of clusterNames) {
    const list = byCluster.get(c)!;
    // Stable sort keeps time order for repeated updates of one service.
    list.sort((a, b) => collator.compare(a.service!, b.service!));
    const label = c === "" ? DEFAULT_CLUSTER_TEXT : name(c);
    groups.push({
      title: `*${label}* — ${clusterCount(list)}`,
      lines: list.map((e) => serviceLine(e, ctx)),
      label,
    });
  }
  if (okOthers.length) {
    groups.push({
      title: `*Other API calls (${okOthers.length})*`,
      lines: okOthers.map((e) => otherLine(e, ctx)),
      label: "other calls",
    });
  }

  return groups;
}

/** "us-east-1 · account 123…": regions, and the account (or "account unknown": emulators send none, or "4 accounts"). */
function whereText(sorted: ApiCallEvent[]): string {
  const regions = uniq(sorted.map((e) => e.region));
  const accounts = uniq(sorted.map((e) => e.account));
  const accountText =
    accounts.length > 3 ? listOrCount(accounts, "account") : `account ${accounts.map(name).join(", ") || "unknown"}`;
  return `${listOrCount(regions, "region")} · ${accountText}`;
}

/** The context line's elements: when, where, by whom, and what was dropped. */
function contextLines(
  range: string,
  where: string,
  o: { callers: string[]; infos: ReturnType<typeof callerOf>[]; duplicates: number; invalidCount?: number },
): string[] {
  const context: string[] = [`🕙 ${range}`, where];
  if (o.callers.length === 1) context.push(`by ${name(o.callers[0]!)}`);
  else {
    const kinds = callerKindSummary(o.infos);
    if (kinds) context.push(escapeMrkdwn(kinds));
  }
  if (o.duplicates) context.push(`${count(o.duplicates, "duplicate")} dropped`);
  if (o.invalidCount) context.push(`⚠️ ${count(o.invalidCount, "unreadable record")} not shown`);
  return context;
}

export function buildDigest(events: ApiCallEvent[], opts: DigestOptions = {}): DigestResult {
  const timeZone = opts.timeZone ?? "UTC";
  // Validate even when there is nothing to show; digests keep their own wording ("invalid time zone").
  if (!isTimeZone(timeZone))
    throw new UsageError(`invalid time zone "${timeZone}": use an IANA name such as UTC or Asia/Seoul`);
  const { unique, duplicates } = dedupeEvents(events);
  const sorted = byTime(unique);
  const failedEvents = sorted.filter((e) => e.errorCode !== undefined);
  const stats = { events: unique.length, duplicates, failed: failedEvents.length };
  if (unique.length === 0) return { message: null, stats };

  const infos = sorted.map((e) => callerOf(e, opts.classify));
  const callers = uniq(infos.map(callerLabel));
  const showCaller = callers.length !== 1;
  const before = previousDesired(sorted);
  const ctx: LineCtx = { before, classify: opts.classify, showCaller };

  const groups = digestGroups(sorted, ctx);

  // Header and context first; they are short and always sent.
  const head = headline(sorted, before);
  const first = timeOf(sorted[0]!);
  const last = timeOf(sorted[sorted.length - 1]!);
  const range = formatTimeRange(first, last, timeZone);
  const where = whereText(sorted);
  const context = contextLines(range, where, { callers, infos, duplicates, invalidCount: opts.invalidCount });

  const header: HeaderBlock = { type: "header", text: { type: "plain_text", text: head, emoji: true } };
  const contextBlock: ContextBlock = {
    type: "context",
    elements: context.slice(0, SLACK_LIMITS.contextElements).map((text) => ({ type: "mrkdwn", text })),
  };
  const blocks: KnownBlock[] = [header, contextBlock];
  const fixedText = head.length + context.reduce((n, t) => n + t.length, 0);

  // Reserve one block (and its text) for the "…and N more" tail, and one for the divider after failures.
  const wantDivider = failedEvents.length > 0 && groups.length > 1;
  const maxBlocks = SLACK_LIMITS.blocks - blocks.length - 1 - (wantDivider ? 1 : 0);
  const packed = packSections(groups, {
    maxBlocks,
    textBudget: SLACK_LIMITS.totalBlockText - fixedText - TAIL_RESERVE,
    oneGroupPerSection: groups.length <= maxBlocks,
  });
  blocks.push(...packed.blocks);
  if (wantDivider) {
    // Failures end their own section(s) (breakAfter), so the divider goes right after them.
    const after = blocks.findIndex((b) => b.type === "section" && !b.text!.text.startsWith(FAILED_TITLE));
    if (after > 0) blocks.splice(after, 0, { type: "divider" } as DividerBlock);
  }
  if (packed.omitted > 0) {
    blocks.push({ type: "context", elements: [{ type: "mrkdwn", text: tailText(packed) }] });
  }

  return { message: capToSlackLimits({ text: fallbackText(head, range, where, failedEvents), blocks }), stats };
}

/** The plain notification text: headline, when, where, and the first failures by name. */
function fallbackText(head: string, range: string, where: string, failed: ApiCallEvent[]): string {
  const parts = [escapeMrkdwn(head), range, where];
  if (failed.length) {
    const names = failed
      .slice(0, 5)
      .map((e) => `${e.service !== undefined ? resourceOf(e) : name(e.eventName)} (${name(e.errorCode!)})`);
    const more = failed.length > 5 ? ` and ${failed.length - 5} more` : "";
    parts.push(`failed: ${names.join(", ")}${more}`);
  }
  return truncateMrkdwn(parts.join(" · "), SLACK_LIMITS.fallbackText);
}
