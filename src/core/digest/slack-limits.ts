// Fitting a digest into Slack's Block Kit limits: packing lines into sections (what does not fit is
// counted in a "…and N more" tail), and a last cap on every block and element.
import type { KnownBlock, SectionBlock } from "@slack/types";
import { truncateMrkdwn, truncatePlain } from "../text/mrkdwn.js";
import type { SlackMessage } from "./digest.js";

/** Slack Block Kit limits (docs/facts.md §6). */
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
  const canOpen = (s: string) =>
    blocks.length + (parts.length ? 1 : 0) + 1 <= opts.maxBlocks && textUsed + len + s.length <= opts.textBudget;
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

/**
 * The last step of every digest: whatever the lines hold, no block, element or count exceeds Slack's
 * limits (a single oversized element would fail the whole post with invalid_blocks). Cuts escaped
 * text at a grapheme boundary outside entities; in practice the packing above already stays within.
 */
export function capToSlackLimits(message: SlackMessage): SlackMessage {
  const L = SLACK_LIMITS;
  const text = <T extends { type: string; text: string }>(t: T, max: number): T =>
    t.text.length <= max
      ? t
      : { ...t, text: t.type === "mrkdwn" ? truncateMrkdwn(t.text, max) : truncatePlain(t.text, max) };
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

/** Text kept free for the tail. */
export const TAIL_RESERVE = 400;

/** "…and 1,383 more not shown (Slack message limits): dev 120, staging 80, +3 more groups". */
export function tailText(p: Packed): string {
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
