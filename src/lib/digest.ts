// Events → ONE Slack message per batch (docs/design.md §5). Pure: no I/O, no SDK.
// The Lambda handler and `notify dry-run` both call buildDigest, so a preview is what Slack gets.
import type { ContextBlock, DividerBlock, HeaderBlock, KnownBlock, SectionBlock } from "@slack/types";
import { UsageError } from "./errors.js";
import type { ApiCallEvent } from "./events.js";
import { escapeMrkdwn, slackField, truncateMrkdwn, truncatePlain } from "./mrkdwn.js";
import { formatInZone, isTimeZone, Zone } from "./zoned-time.js";
import type { ClassifyContext } from "./call-kind.js";
import { DEFAULT_CLUSTER_TEXT, callerKindSummary, callerLabel, callerOf, changeText, headlineText, previousDesired } from "./digest-wording.js";
import { plural } from "./text.js";

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

/** Slack Block Kit limits (docs/aws-slack-facts.md §6). */
export const SLACK_LIMITS = {
  blocks: 50,
  sectionText: 3000,
  sectionFields: 10,
  fieldText: 2000,
  headerText: 150,
  contextElements: 10,
  contextText: 3000,
  /**
   * Slack also rejects messages whose blocks hold too much text in total (`msg_blocks_too_long`,
   * undocumented; reported near 11,000–13,000 chars). Stay well under it.
   */
  totalBlockText: 10_000,
  fallbackText: 3000,
} as const;

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
  const what = isScaling(e) ? `${resourceOf(e)}${countChange(e, ctx).replace(/ \(was[^)]*\)/, "")}` : `${name(e.eventName)} ${resourceOf(e)}`;
  const msg = e.errorMessage ? `: ${slackField(e.errorMessage, MAX_ERROR_MESSAGE)}` : "";
  return truncateMrkdwn(`• ${what} — *${name(e.errorCode ?? "error")}*${msg}${byCaller(e, ctx)}`, MAX_LINE);
}

function serviceLine(e: ApiCallEvent, ctx: LineCtx): string {
  return truncateMrkdwn(`• ${name(e.service!)}${countChange(e, ctx)}${byCaller(e, ctx)}`, MAX_LINE);
}

function otherLine(e: ApiCallEvent, ctx: LineCtx): string {
  return truncateMrkdwn(`• ${name(e.eventName)} · ${resourceOf(e)}${byCaller(e, ctx)}`, MAX_LINE);
}

// ---------- packing ----------

export interface Group {
  title: string;
  lines: string[];
  /** Short plain label for the "…and N more" breakdown (e.g. the cluster name, escaped). */
  label?: string;
  /** The next group starts a new section (failures stand apart even when groups share sections). */
  breakAfter?: boolean;
}

export interface Packed {
  blocks: KnownBlock[];
  shown: number;
  omitted: number;
  /** Lines cut per group, in group order (only groups that lost lines). */
  cut: { label: string; count: number }[];
  textUsed: number;
}

const section = (text: string): SectionBlock => ({ type: "section", text: { type: "mrkdwn", text } });

/**
 * Pack groups of lines into section blocks within Slack's limits: ≤ sectionText per section,
 * ≤ maxBlocks sections, ≤ textBudget characters in all. Lines that do not fit are counted, not sent.
 * Text is collected in arrays and joined once per section (no quadratic string building).
 */
export function packSections(
  groups: Group[],
  opts: { maxBlocks: number; textBudget: number; sectionText?: number; oneGroupPerSection?: boolean },
): Packed {
  const limit = opts.sectionText ?? SLACK_LIMITS.sectionText;
  const blocks: KnownBlock[] = [];
  let parts: string[] = [];
  let len = 0; // length of parts.join("\n")
  let textUsed = 0;
  let shown = 0;
  let omitted = 0;
  const cut: { label: string; count: number }[] = [];
  let full = false;
  let forceBreak = false;
  const lose = (g: Group, count: number) => {
    omitted += count;
    cut.push({ label: g.label ?? g.title, count });
  };

  const flush = () => {
    if (parts.length === 0) return;
    blocks.push(section(parts.join("\n")));
    textUsed += len;
    parts = [];
    len = 0;
  };
  const fitsInSection = (s: string) => (parts.length === 0 ? s.length : len + 1 + s.length) <= limit;
  const fitsInBudget = (s: string) => textUsed + len + 1 + s.length <= opts.textBudget;
  // A new section is possible if one more block and the text still fit.
  const canOpen = (s: string) => blocks.length + (parts.length ? 1 : 0) + 1 <= opts.maxBlocks && textUsed + len + s.length <= opts.textBudget;
  const push = (s: string) => {
    len = parts.length === 0 ? s.length : len + 1 + s.length;
    parts.push(s);
  };

  for (const g of groups) {
    if (g.lines.length === 0) continue;
    if (full) {
      lose(g, g.lines.length);
      continue;
    }
    const head = `${g.title}\n${g.lines[0]!}`;
    const startHere =
      !opts.oneGroupPerSection && !forceBreak && parts.length > 0 && fitsInSection(head) && fitsInBudget(head);
    forceBreak = g.breakAfter ?? false;
    if (!startHere) {
      if (!canOpen(head)) {
        full = true;
        lose(g, g.lines.length);
        continue;
      }
      flush();
    }
    push(g.title);
    for (let i = 0; i < g.lines.length; i++) {
      const line = g.lines[i]!;
      if (fitsInSection(line) && fitsInBudget(line)) {
        push(line);
        shown++;
        continue;
      }
      const cont = `${g.title} _(continued)_\n${line}`;
      if (canOpen(cont)) {
        flush();
        push(`${g.title} _(continued)_`);
        push(line);
        shown++;
        continue;
      }
      full = true;
      lose(g, g.lines.length - i);
      break;
    }
  }
  flush();
  return { blocks, shown, omitted, cut, textUsed };
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
  return services === list.length ? count(services, "service") : `${count(services, "service")}, ${count(list.length, "call")}`;
}

const uniq = (xs: string[]): string[] => [...new Set(xs.filter((x) => x !== ""))].sort(collator.compare);

function listOrCount(xs: string[], one: string, max = 3): string {
  if (xs.length === 0) return `unknown ${one}`;
  if (xs.length <= max) return xs.map(name).join(", ");
  return count(xs.length, one);
}

export function buildDigest(events: ApiCallEvent[], opts: DigestOptions = {}): DigestResult {
  const timeZone = opts.timeZone ?? "UTC";
  // Validate even when there is nothing to show; digests keep their own wording ("invalid time zone").
  if (!isTimeZone(timeZone)) throw new UsageError(`invalid time zone "${timeZone}": use an IANA name such as UTC or Asia/Seoul`);
  const { unique, duplicates } = dedupeEvents(events);
  const sorted = byTime(unique);
  const failedEvents = sorted.filter((e) => e.errorCode !== undefined);
  const stats = { events: unique.length, duplicates, failed: failedEvents.length };
  if (unique.length === 0) return { message: null, stats };

  const ok = sorted.filter((e) => e.errorCode === undefined);
  const okScaling = ok.filter(isScaling);
  const okOthers = ok.filter((e) => !isScaling(e));
  const infos = sorted.map((e) => callerOf(e, opts.classify));
  const callers = uniq(infos.map(callerLabel));
  const showCaller = callers.length !== 1;
  const before = previousDesired(sorted);
  const ctx: LineCtx = { before, classify: opts.classify, showCaller };

  // Failures first, then clusters by name (services by name), then anything else the rule let through.
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

  // Header and context first; they are short and always sent.
  const head = headline(sorted, before);
  const first = timeOf(sorted[0]!);
  const last = timeOf(sorted[sorted.length - 1]!);
  const range = formatTimeRange(first, last, timeZone);
  const regions = uniq(sorted.map((e) => e.region));
  const accounts = uniq(sorted.map((e) => e.account));
  // "account 123…", "account unknown" (emulators send none), or "4 accounts".
  const accountText = accounts.length > 3 ? listOrCount(accounts, "account") : `account ${accounts.map(name).join(", ") || "unknown"}`;
  const where = `${listOrCount(regions, "region")} · ${accountText}`;
  const context: string[] = [`🕙 ${range}`, where];
  if (!showCaller) context.push(`by ${name(callers[0]!)}`);
  else {
    const kinds = callerKindSummary(infos);
    if (kinds) context.push(escapeMrkdwn(kinds));
  }
  if (duplicates) context.push(`${count(duplicates, "duplicate")} dropped`);
  if (opts.invalidCount) context.push(`⚠️ ${count(opts.invalidCount, "unreadable record")} not shown`);

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

/**
 * The last step of every digest: whatever the lines hold, no block, element or count exceeds Slack's
 * limits (a single oversized element would fail the whole post with invalid_blocks). Cuts escaped
 * text at a grapheme boundary outside entities; in practice the packing above already stays within.
 */
export function capToSlackLimits(message: SlackMessage): SlackMessage {
  const L = SLACK_LIMITS;
  const text = <T extends { type: string; text: string }>(t: T, max: number): T =>
    t.text.length <= max ? t : { ...t, text: t.type === "mrkdwn" ? truncateMrkdwn(t.text, max) : truncatePlain(t.text, max) };
  const blocks = message.blocks.slice(0, L.blocks).map((b): KnownBlock => {
    switch (b.type) {
      case "header":
        return { ...b, text: text(b.text, L.headerText) };
      case "section":
        return {
          ...b,
          ...(b.text ? { text: text(b.text, L.sectionText) } : {}),
          ...(b.fields ? { fields: b.fields.slice(0, L.sectionFields).map((f) => text(f, L.fieldText)) } : {}),
        };
      case "context":
        return {
          ...b,
          elements: b.elements
            .slice(0, L.contextElements)
            .map((e) => ("text" in e && typeof e.text === "string" ? text(e, L.contextText) : e)),
        };
      default:
        return b;
    }
  });
  return { text: truncateMrkdwn(message.text, L.fallbackText), blocks };
}

const TAIL_RESERVE = 400;

/** "…and 1,383 more not shown (Slack message limits): dev 120, staging 80, +3 more groups". */
function tailText(p: Packed): string {
  let text = `…and ${p.omitted.toLocaleString("en-US")} more not shown (Slack message limits)`;
  const parts: string[] = [];
  let len = text.length;
  for (const [i, c] of p.cut.entries()) {
    const part = `${truncateMrkdwn(c.label, 40)} ${c.count.toLocaleString("en-US")}`;
    if (len + part.length + 2 > TAIL_RESERVE - 40) {
      parts.push(`+${p.cut.length - i} more groups`);
      break;
    }
    parts.push(part);
    len += part.length + 2;
  }
  if (parts.length) text += `: ${parts.join(", ")}`;
  return text;
}

/** The plain notification text: headline, when, where, and the first failures by name. */
function fallbackText(head: string, range: string, where: string, failed: ApiCallEvent[]): string {
  const parts = [escapeMrkdwn(head), range, where];
  if (failed.length) {
    const names = failed.slice(0, 5).map((e) => `${e.service !== undefined ? resourceOf(e) : name(e.eventName)} (${name(e.errorCode!)})`);
    const more = failed.length > 5 ? ` and ${failed.length - 5} more` : "";
    parts.push(`failed: ${names.join(", ")}${more}`);
  }
  return truncateMrkdwn(parts.join(" · "), SLACK_LIMITS.fallbackText);
}
