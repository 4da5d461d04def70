// Small wording helpers shared by every human-facing line.

/** "1 message", "3 messages"; `format` renders the count (e.g. with thousands separators). */
export function plural(n: number, one: string, many = `${one}s`, format: (n: number) => string = String): string {
  return `${format(n)} ${n === 1 ? one : many}`;
}

// Made on first use: building a Segmenter loads ICU data (about 7 ms), which `--help` must not pay for.
let segmenter: Intl.Segmenter | undefined;
const graphemes = (): Intl.Segmenter => (segmenter ??= new Intl.Segmenter("en", { granularity: "grapheme" }));

/**
 * The longest prefix of `s` made of whole graphemes (an emoji with its joiners and modifiers, a letter
 * with its accents) whose `cost` adds up to at most `max`; `cost` defaults to UTF-16 length.
 * Never splits a surrogate pair. Reads only as far as it keeps, so a 100 KB string costs what the cut does.
 */
export function cutGraphemes(s: string, max: number, cost: (g: string) => number = (g) => g.length): string {
  let used = 0;
  let end = 0;
  for (const { segment } of graphemes().segment(s)) {
    const c = cost(segment);
    if (used + c > max) break;
    used += c;
    end += segment.length;
  }
  return s.slice(0, end);
}

/** `s` cut to at most `max` UTF-16 units at a grapheme boundary, "…" marking a cut. */
export function truncateText(s: string, max: number): string {
  if (s.length <= max) return s;
  return `${cutGraphemes(s, Math.max(0, max - 1))}…`;
}

/** The region and account a command looked in, for "found nothing" messages (unknown parts absent). */
export interface LookedIn {
  region?: string;
  account?: string;
}

/** "region us-east-1, account 123456789012"; unknown parts left out, "" when both are. */
export function lookedInText(w: LookedIn): string {
  return [w.region && `region ${w.region}`, w.account && `account ${w.account}`].filter(Boolean).join(", ");
}
