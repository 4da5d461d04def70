// Slack mrkdwn helpers: untrusted text → text that says only what it says, within Slack's limits.
// Pure. Why and what exactly: docs/untrusted-text.md.
import { cutGraphemes, truncateText } from "./text.js";

const ENTITY: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;" };

/**
 * Escape text from an event for mrkdwn: only & < > (& first, which one regex pass guarantees),
 * so `<!channel>` or `<@U123>` in a service name renders literally and pings nobody.
 */
export function escapeMrkdwn(s: string): string {
  return s.replace(/[&<>]/g, (c) => ENTITY[c]!);
}

/** Runs of controls and line breaks (C0, DEL, C1, U+2028/2029): each run becomes one space. */
const BREAKS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g;
/** Invisible format characters (bidi overrides/isolates, zero-width spaces, BOM, tags) and unpaired surrogates. */
const INVISIBLE = /[\p{Cf}\ud800-\udfff]/gu;
const ZWJ_IN_EMOJI =
  /(?<=\p{Extended_Pictographic}(?:\u{fe0f}|[\u{1f3fb}-\u{1f3ff}])?)\u200d(?=\p{Extended_Pictographic})/gu;

/**
 * Untrusted text as one plain line: controls and line breaks folded to a space, bidi controls and
 * other invisible characters dropped (a joiner inside an emoji stays), unpaired surrogates dropped.
 */
export function slackPlain(s: string): string {
  return s
    .replace(BREAKS, " ")
    .replace(ZWJ_IN_EMOJI, "\u0000") // keep emoji joiners through the next step
    .replace(INVISIBLE, "")
    .replace(/\u0000/g, "\u200d");
}

/**
 * mrkdwn has no escape for its formatting characters, so in names they are swapped for look-alikes
 * that Slack does not format: * → ∗ (U+2217), ~ → ∼ (U+223C), ` → ˋ (U+02CB), and _ → ˍ (U+02CD)
 * where it could open or close italics (not inside a word: `my_service_name` stays as it is).
 */
export function neutralizeMrkdwn(s: string): string {
  return s
    .replace(/\*/g, "\u2217")
    .replace(/~/g, "\u223c")
    .replace(/`/g, "\u02cb")
    .replace(/(?<![\p{L}\p{N}])_|_(?![\p{L}\p{N}])/gu, "\u02cd");
}

const escapedLength = (g: string): number => escapeMrkdwn(g).length;

/**
 * THE helper for any untrusted field in mrkdwn: one line, no invisible characters, shown literally
 * (no formatting, mention or link), escaped, and at most `maxChars` characters AFTER escaping, cut
 * at a grapheme boundary ("…" marks a cut).
 */
export function slackField(text: string, maxChars: number): string {
  // Read no further than could be shown, so a 100 KB field costs about what a short one does.
  const limit = maxChars * 4 + 64;
  const sliced = text.length > limit;
  const plain = neutralizeMrkdwn(slackPlain(sliced ? text.slice(0, limit) : text));
  const escaped = escapeMrkdwn(plain);
  if (escaped.length <= maxChars && !sliced) return escaped;
  return `${escapeMrkdwn(cutGraphemes(plain, Math.max(0, maxChars - 1), escapedLength))}…`;
}

/** Untrusted text for a plain_text object (a header): one line, no invisible characters, at most `maxChars`. */
export function slackPlainText(text: string, maxChars: number): string {
  return truncateText(slackPlain(text), maxChars);
}

/**
 * Cut already-escaped mrkdwn to at most `max` chars, at a grapheme boundary and never inside an
 * entity (`&amp;`); adds "…".
 */
export function truncateMrkdwn(s: string, max: number): string {
  if (s.length <= max) return s;
  let cut = cutGraphemes(s, Math.max(0, max - 1));
  const amp = cut.lastIndexOf("&");
  if (amp >= 0 && cut.indexOf(";", amp) < 0) cut = cut.slice(0, amp);
  return `${cut}…`;
}

/** Cut plain text to at most `max` chars (before escaping), at a grapheme boundary. */
export function truncatePlain(s: string, max: number): string {
  return truncateText(s, max);
}
