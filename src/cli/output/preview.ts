// A terminal rendering of a Slack Block Kit payload, so `notify dry-run` (and `local run --sink stdout`)
// show what the channel will show: header bold, mrkdwn turned into terminal styles, context dimmed,
// dividers as rules. Display only: the payload itself is never altered.
import type { ChalkInstance } from "chalk";

/** The parts of a Block Kit payload the preview understands (anything else is shown as a note). */
interface TextObject {
  type: string;
  text: string;
}
interface AnyBlock {
  type: string;
  text?: TextObject;
  fields?: TextObject[];
  elements?: (TextObject | { type: string; alt_text?: string })[];
}
export interface PreviewMessage {
  text: string;
  blocks?: readonly unknown[];
}

const RULE_WIDTH = 64;

/** Slack's three escapes, undone for display (`&amp;` last so `&amp;lt;` stays `&lt;`). */
export function unescapeMrkdwn(s: string): string {
  return s.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
}

/**
 * mrkdwn → styled terminal text. Formatting is matched on the still-escaped text, so an escaped
 * `&lt;!channel&gt;` from an event can never be taken for a link or a mention.
 */
export function mrkdwnToTerminal(src: string, c: ChalkInstance): string {
  const codes: string[] = [];
  // Code spans first: nothing inside them is formatting.
  let s = src.replace(/`([^`\n]+)`/g, (_m, code: string) => {
    codes.push(c.cyan(unescapeMrkdwn(code)));
    return `\u0000${codes.length - 1}\u0000`;
  });
  // Links and mentions: <url|label>, <url>, <!here>, <@U123>, <#C123|name>.
  s = s.replace(/<([^<>\n]+)>/g, (_m, inner: string) => {
    const [target, label] = inner.split("|", 2) as [string, string | undefined];
    if (target.startsWith("!")) return c.yellow(`@${target.slice(1).split("^")[0]}`);
    if (target.startsWith("@")) return c.yellow(label ? `@${label}` : target);
    if (target.startsWith("#")) return c.yellow(label ? `#${label}` : target);
    return label ? c.underline(label) : c.underline(target);
  });
  const edge = "(^|[\\s(\\[{>:,.;!?'\"-])";
  const end = "(?=$|[\\s)\\]}<:,.;!?'\"-])";
  s = s.replace(new RegExp(`${edge}\\*([^*\\n]+)\\*${end}`, "g"), (_m, pre: string, t: string) => pre + c.bold(t));
  s = s.replace(new RegExp(`${edge}_([^_\\n]+)_${end}`, "g"), (_m, pre: string, t: string) => pre + c.italic(t));
  s = s.replace(new RegExp(`${edge}~([^~\\n]+)~${end}`, "g"), (_m, pre: string, t: string) => pre + c.strikethrough(t));
  s = unescapeMrkdwn(s);
  return s.replace(/\u0000(\d+)\u0000/g, (_m, i: string) => codes[Number(i)] ?? "");
}

function textOf(t: TextObject | undefined, c: ChalkInstance): string {
  if (!t || typeof t.text !== "string") return "";
  return t.type === "mrkdwn" ? mrkdwnToTerminal(t.text, c) : t.text;
}

function indent(text: string, pad = "  "): string {
  return text
    .split("\n")
    .map((l) => (l ? pad + l : l))
    .join("\n");
}

export function renderPreview(message: PreviewMessage, c: ChalkInstance): string {
  const out: string[] = [];
  const blocks = (message.blocks ?? []) as AnyBlock[];
  if (blocks.length === 0) return indent(message.text);
  let prev = "";
  for (const b of blocks) {
    // Slack leaves air between sections; so does the preview.
    if (b.type === "section" && (prev === "section" || prev === "context")) out.push("");
    prev = b.type;
    switch (b.type) {
      case "header":
        out.push(c.bold(textOf(b.text, c)));
        break;
      case "section": {
        const parts: string[] = [];
        if (b.text) parts.push(textOf(b.text, c));
        if (b.fields?.length) parts.push(b.fields.map((f) => textOf(f, c)).join("\n"));
        out.push(indent(parts.join("\n")));
        break;
      }
      case "context": {
        const els = (b.elements ?? []).map((e) =>
          "text" in e && typeof e.text === "string" ? textOf(e as TextObject, c) : `[${e.type}]`,
        );
        out.push(indent(c.dim(els.join("  ·  "))));
        break;
      }
      case "divider":
        out.push(c.dim("─".repeat(RULE_WIDTH)));
        break;
      default:
        out.push(indent(c.dim(`[${b.type} block]`)));
    }
  }
  return out.join("\n");
}

/** A link that opens the payload in Slack's Block Kit Builder (only the blocks travel in it). */
export function blockKitBuilderUrl(message: PreviewMessage): string {
  return `https://app.slack.com/block-kit-builder/#${encodeURIComponent(JSON.stringify({ blocks: message.blocks ?? [] }))}`;
}
