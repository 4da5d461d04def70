// The one terminal sanitiser (docs/untrusted-text.md). Event fields are written by whoever made an
// API call, even a denied one: in a terminal, an ESC, a C1 CSI or an OSC could set the clipboard
// (OSC 52), hide a link (OSC 8), retitle the window or clear the screen; bidi overrides reorder what
// is read. Every such character becomes a visible escape (`\u001b`), so the operator sees that it
// was there and nothing acts on it. Pure: no I/O.

/**
 * C0 controls, DEL, C1 controls, line/paragraph separators, format characters (Cf: bidi
 * embeddings/overrides/isolates, zero-width spaces and joiners, BOM, invisible tag characters)
 * and unpaired surrogates (with the u flag a paired one is one code point and does not match).
 */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\p{Cf}\ud800-\udfff]/gu;

/**
 * The SGR (colour/weight) sequences this program's own styling emits (chalk's bold, dim, italic,
 * underline, strikethrough and the foreground colours it uses; the tables' grey border). Nothing
 * else: no conceal (8), no blink, no inverse, no background, no black-on-black.
 */
const OWN_SGR = /\u001b\[((?:\d{1,2};)*\d{1,2})m/y;
const OWN_SGR_CODES = new Set([
  1, 2, 3, 4, 9, 22, 23, 24, 29, 31, 32, 33, 34, 35, 36, 37, 39, 90, 91, 92, 93, 94, 95, 96, 97,
]);

const SHORT: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

/** A zero-width joiner between two pictographs is part of an emoji (👨‍👩‍👧), not a hiding place. */
const PICTO_BEFORE = /\p{Extended_Pictographic}(?:\u{fe0f}|[\u{1f3fb}-\u{1f3ff}])?$/u;
const PICTO_AFTER = /^\p{Extended_Pictographic}/u;

function visible(ch: string): string {
  const short = SHORT[ch];
  if (short) return short;
  const cp = ch.codePointAt(0)!;
  return cp > 0xffff ? `\\u{${cp.toString(16)}}` : `\\u${cp.toString(16).padStart(4, "0")}`;
}

export interface TerminalTextOptions {
  /** Keep newlines: for whole outputs whose lines the program itself wrote. Default false (one line). */
  multiline?: boolean;
  /** Keep this program's own SGR styling (only when colour is on). Default false. */
  keepOwnStyles?: boolean;
}

/**
 * Text fit for a terminal: every control, format or unpaired-surrogate character becomes a visible
 * escape (`\u001b`, `\u202e`, `\n`). With `multiline`, `\n` is kept (the program's own lines);
 * with `keepOwnStyles`, the SGR sequences listed above are kept.
 */
export function terminalText(s: string, opts: TerminalTextOptions = {}): string {
  return s.replace(UNSAFE, (ch, offset: number, whole: string) => {
    if (ch === "\n" && opts.multiline) return ch;
    if (ch === "\u001b" && opts.keepOwnStyles) {
      OWN_SGR.lastIndex = offset;
      const m = OWN_SGR.exec(whole);
      if (m && m[1]!.split(";").every((p) => OWN_SGR_CODES.has(Number(p)))) return ch;
    }
    if (
      ch === "\u200d" &&
      PICTO_BEFORE.test(whole.slice(Math.max(0, offset - 4), offset)) &&
      PICTO_AFTER.test(whole.slice(offset + 1, offset + 3))
    ) {
      return ch;
    }
    return visible(ch);
  });
}

/** One field (a name, an error message, a reason) on one line: line breaks inside it are shown as `\n`. */
export function terminalField(s: string): string {
  return terminalText(s);
}

/** True when `s` holds nothing a terminal would act on (the check the tests make of every output). */
export function isTerminalSafe(s: string, opts: TerminalTextOptions = {}): boolean {
  return terminalText(s, opts) === s;
}
