// Quoting untrusted input in reasons and errors: short, one line, terminal-safe.
import { terminalField } from "../text/terminal-text.js";
import { truncateText } from "../text/text.js";

/** A short, one-line, terminal-safe quote of input text (for reasons and errors that name what they saw). */
export function inputExcerpt(text: string, max = 40): string {
  return terminalField(truncateText(text, max));
}

/**
 * A JSON.parse message without the raw input V8 quotes in it (`Unexpected token '…', "<input>" is not
 * valid JSON`): the parser's reason, the position as line and column (the text starting at `firstLine`),
 * and a short safe excerpt there.
 */
export function jsonErrorText(message: string, text: string, firstLine = 1): string {
  const at = /at position (\d+)/.exec(message);
  let why = message
    .replace(/, "[\s\S]*" is not valid JSON$/, "")
    .replace(/ in JSON at position \d+[\s\S]*$/, "")
    .replace(/ at position \d+[\s\S]*$/, "")
    .replace(/ \(line \d+ column \d+\)$/, "");
  why = inputExcerpt(why, 80);
  if (!at) return why;
  const pos = Number(at[1]);
  const before = text.slice(0, pos);
  const line = firstLine - 1 + before.split("\n").length;
  const column = pos - before.lastIndexOf("\n");
  return `${why} (line ${line}, column ${column}, near "${inputExcerpt(text.slice(Math.max(0, pos - 10), pos + 10), 20)}")`;
}
