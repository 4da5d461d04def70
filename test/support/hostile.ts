// The hostile set (test/fixtures/hostile.json) as events in every shape the tools read, and the
// checks every output must pass: nothing a terminal acts on, no forged Slack line, no Slack limit
// exceeded, no unpaired surrogate. Shared by the handler, digest and CLI tests.
import { readFileSync } from "node:fs";
import type { SlackMessage } from "../../src/lib/digest.js";

export interface HostileValue {
  name: string;
  value: string;
}

const raw = JSON.parse(readFileSync(new URL("../fixtures/hostile.json", import.meta.url), "utf8")) as {
  values: { name: string; value: string; repeat?: number }[];
};

export const HOSTILE: HostileValue[] = raw.values.map((v) => ({ name: v.name, value: v.value.repeat(v.repeat ?? 1) }));

/** Emoji (a ZWJ family, a flag, a skin tone) placed so that a cut at 120 (a name) or 320 lands on every unit of them. */
export function emojiAtEveryCut(): HostileValue[] {
  const emoji = "👨‍👩‍👧🇰🇷👍🏽😀";
  const out: HostileValue[] = [];
  for (const at of [120, 320]) {
    for (let k = 0; k <= emoji.length + 1; k++) {
      out.push({ name: `emoji across offset ${at - k}`, value: `${"x".repeat(at - 1 - k)}${emoji.repeat(3)}` });
    }
  }
  return out;
}

let seq = 0;

/**
 * One CloudTrail UpdateService record with `v` in every string field a person sees (cluster, service,
 * caller, region, account, error code and message, event id). `failed` adds the error fields;
 * `other` makes it a non-scaling call from a hostile source.
 */
export function hostileRecord(
  v: string,
  opts: { failed?: boolean; other?: boolean; time?: string } = {},
): Record<string, unknown> {
  const id = `hostile-${++seq}-${v.slice(0, 20)}`;
  return {
    eventVersion: "1.11",
    eventID: id,
    eventTime: opts.time ?? "2026-11-26T13:00:00Z",
    eventSource: opts.other ? v : "ecs.amazonaws.com",
    eventName: opts.other ? v : "UpdateService",
    awsRegion: v,
    recipientAccountId: v,
    userIdentity: {
      type: "AssumedRole",
      principalId: `AROAEXAMPLE:${v}`,
      arn: `arn:aws:sts::123456789012:assumed-role/${v}/${v}@example.com`,
      accountId: v,
      sessionContext: { sessionIssuer: { type: "Role", userName: v } },
    },
    requestParameters: { cluster: v, service: v, desiredCount: 0 },
    responseElements: { service: { serviceName: v, runningCount: 2, pendingCount: 0 } },
    ...(opts.failed ? { errorCode: v, errorMessage: v } : {}),
  };
}

export function eventBridge(
  detail: Record<string, unknown>,
  detailType = "AWS API Call via CloudTrail",
): Record<string, unknown> {
  return {
    version: "0",
    id: `eb-${++seq}`,
    "detail-type": detailType,
    source: "aws.ecs",
    account: "123456789012",
    region: "us-east-1",
    time: "2026-11-26T13:00:00Z",
    detail,
  };
}

/** For one hostile value: a failed call, an ok call, an other call, a record whose time is the value, and a non-API event named by it. */
export function hostileEvents(v: string): Record<string, unknown>[] {
  return [
    eventBridge(hostileRecord(v, { failed: true })),
    eventBridge(hostileRecord(v)),
    eventBridge(hostileRecord(v, { other: true })),
    eventBridge(hostileRecord(v, { time: v })),
    { version: "0", id: "x", "detail-type": v, source: "aws.ecs", detail: "not an object" },
  ];
}

// ---------- checks ----------

/** Anything a terminal acts on or hides: C0 (except \n), DEL, C1, separators, format chars, unpaired surrogates. */
const TERMINAL_BAD = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\p{Cf}\ud800-\udfff]/u;
const ZWJ_IN_EMOJI =
  /(?<=\p{Extended_Pictographic}(?:\u{fe0f}|[\u{1f3fb}-\u{1f3ff}])?)\u200d(?=\p{Extended_Pictographic})/gu;

/** The first character of `s` a terminal could act on, with some context; undefined when there is none. */
export function terminalProblem(s: string): string | undefined {
  const m = TERMINAL_BAD.exec(s.replace(ZWJ_IN_EMOJI, ""));
  if (!m) return undefined;
  return `U+${m[0].codePointAt(0)!.toString(16).padStart(4, "0")} near ${JSON.stringify(s.slice(Math.max(0, m.index - 30), m.index + 10))}`;
}

const LIMITS = {
  blocks: 50,
  header: 150,
  section: 3000,
  context: 3000,
  contextElements: 10,
  total: 10_000,
  fallback: 3000,
};

/** Every Slack check: limits, no control/invisible/unpaired character, one line per event, bold never broken. */
export function slackProblems(m: SlackMessage, shownEvents?: number): string[] {
  const out: string[] = [];
  const texts: string[] = [m.text];
  if (m.blocks.length > LIMITS.blocks) out.push(`${m.blocks.length} blocks`);
  if (m.text.length > LIMITS.fallback) out.push(`fallback text ${m.text.length}`);
  let total = 0;
  let bullets = 0;
  for (const b of m.blocks) {
    if (b.type === "header") {
      texts.push(b.text.text);
      total += b.text.text.length;
      if (b.text.text.length > LIMITS.header) out.push(`header ${b.text.text.length}`);
    } else if (b.type === "section" && b.text) {
      const t = b.text.text;
      texts.push(t);
      total += t.length;
      if (t.length > LIMITS.section) out.push(`section ${t.length}`);
      for (const line of t.split("\n")) {
        if (line.startsWith("• ")) {
          bullets++;
          const stars = line.split("*").length - 1;
          if (stars !== 0 && stars !== 2) out.push(`bullet with ${stars} asterisks: ${line.slice(0, 80)}`);
        } else if (!/^\*[^*]*\*( — [\d,]+ services?(, [\d,]+ calls?)?)?( _\(continued\)_)?$/.test(line)) {
          out.push(`line that is neither a title nor an event: ${JSON.stringify(line.slice(0, 80))}`);
        }
      }
    } else if (b.type === "context") {
      if (b.elements.length > LIMITS.contextElements) out.push(`${b.elements.length} context elements`);
      for (const e of b.elements) {
        if (!("text" in e) || typeof e.text !== "string") continue;
        texts.push(e.text);
        total += e.text.length;
        if (e.text.length > LIMITS.context) out.push(`context element ${e.text.length}`);
        if (e.text.includes("\n")) out.push("line break in a context element");
      }
    }
  }
  if (total > LIMITS.total) out.push(`block text ${total}`);
  if (shownEvents !== undefined && bullets !== shownEvents)
    out.push(`${bullets} event lines for ${shownEvents} events`);
  for (const t of texts) {
    const p = terminalProblem(t.replace(/\n/g, " "));
    if (p) out.push(`Slack text holds ${p}`);
    if (/[<>]/.test(t)) out.push(`unescaped < or > in ${JSON.stringify(t.slice(0, 80))}`);
  }
  return out;
}

/** The same value in one field at a time (for queues: a 100 KB value in every field at once would exceed a message). */
export function oneFieldAtATime(v: string): Record<string, unknown>[] {
  const base = () => hostileRecord("ok", { failed: true });
  const set = (f: (r: Record<string, any>) => void) => {
    const r = base();
    f(r);
    return eventBridge(r);
  };
  return [
    set((r) => (r.requestParameters.cluster = v)),
    set((r) => (r.requestParameters.service = v)),
    set((r) => (r.userIdentity = { type: "IAMUser", userName: v, accountId: "123456789012" })),
    set((r) => (r.errorCode = v)),
    set((r) => (r.errorMessage = v)),
    set((r) => (r.awsRegion = v)),
    set((r) => (r.recipientAccountId = v)),
    set((r) => (r.eventID = v)),
    set((r) => ((r.eventSource = v), (r.eventName = v))),
    set((r) => (r.eventTime = v)),
  ];
}
