// Input text → events, read record by record so memory follows the batch, not the input (docs/scale.md).
// Pure: text in, blocks out; the caller owns the file or stdin. Shapes (pages, SQS, lookup-events…) are
// events.ts's: this module only finds where each JSON value starts and ends.
import { UsageError } from "../errors.js";
import {
  flattenPage,
  isObj,
  jsonErrorText,
  normalizeItems,
  normalizeValue,
  SUPPORTED,
  type NormalizedInput,
} from "./events.js";

/**
 * Largest single JSON document (an array or a page) read whole, in characters (bytes for ASCII JSON). JSON.parse
 * needs the whole text plus its objects: measured peak memory is about 5× the document (65 MB → 320 MB). NDJSON
 * and JSON values one after another have no overall limit, only this one per line or value.
 */
export const DEFAULT_DOCUMENT_LIMIT = 64_000_000;

/** A piece of the input, ready to digest. */
export interface InputBlock extends NormalizedInput {
  /** The whole input was this one document (already in memory): it may be ordered as a whole. */
  whole: boolean;
}

export interface ReadOptions {
  /** Characters one JSON document (or one NDJSON line) may have; default DEFAULT_DOCUMENT_LIMIT. */
  maxDocument?: number;
}

const mb = (n: number) => (n < 1_000_000 ? `${Math.ceil(n / 1000)} kB` : `${Math.round(n / 1_000_000)} MB`);

function tooLarge(size: number, limit: number, line: number, complete: boolean): UsageError {
  const where = line > 1 ? ` (starting at line ${line})` : "";
  const what = complete ? `of ${mb(size)}` : `of more than ${mb(size)}`;
  return new UsageError(`input is a single JSON document ${what}${where}; use NDJSON for inputs over ${mb(limit)}`);
}

/** V8's "… at position N" (Node 20) or "(line L column C)" (Node 22) → one line naming the input's line and column. */
function jsonError(err: unknown, text: string, firstLine: number): string {
  return jsonErrorText(err instanceof Error ? err.message : String(err), text, firstLine);
}

type Mode = "detect" | "lines" | "values" | "whole";

/**
 * Incremental reader: feed() text as it arrives, end() once. Three shapes, chosen from the first line:
 * - NDJSON (the first line is a complete JSON object): line by line; a bad line is an unreadable record
 *   named by its line number, and a cut-off last line says so.
 * - JSON values one after another (`jq '.Events[]'`, pretty pages): split by nesting depth, each value parsed alone.
 * - anything else (`42`, text): read whole up to the limit, for JSON.parse's own error.
 * Only a lone value keeps its whole-document meaning (a Lambda SQS event is one batch): a second value or
 * line makes every value a page of records.
 */
export class InputReader {
  private readonly limit: number;
  private mode: Mode = "detect";
  private buf = "";
  /** Line number of buf[0]. */
  private line = 1;
  private index = 0;
  private out: NormalizedInput = { events: [], invalid: [], lambdaBatch: false };
  /** The first value, held until a second one shows whether it was the whole input. */
  private first: { value: unknown; line: number } | undefined;
  private count = 0;
  private started = false;
  // values mode: the value being scanned
  private pieces: string[] = [];
  private size = 0;
  private depth = 0;
  private inString = false;
  private escaped = false;
  private valueLine = 1;
  private over = false;

  constructor(opts: ReadOptions = {}) {
    this.limit = opts.maxDocument ?? DEFAULT_DOCUMENT_LIMIT;
  }

  /** Text in; blocks of records read so far out. */
  feed(text: string): InputBlock[] {
    if (!this.started) {
      if (text.length === 0) return [];
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    this.buf += text;
    if (this.mode === "detect") this.detect(false);
    if (this.mode === "lines") this.lines(false);
    else if (this.mode === "values") this.values();
    else if (this.mode === "whole" && this.buf.length > this.limit)
      throw tooLarge(this.buf.length, this.limit, 1, false);
    return this.flush();
  }

  end(): InputBlock[] {
    if (this.mode === "detect") this.detect(true);
    if (this.mode === "detect") throw new UsageError(`input is empty: ${SUPPORTED}`);
    if (this.mode === "lines") this.lines(true);
    else if (this.mode === "values") {
      this.values();
      if (this.depth > 0 || this.inString) {
        // A syntax error before the end says more (and where) than "it ends too soon".
        const text = this.pieces.join("");
        try {
          if (!this.over) JSON.parse(text);
        } catch (err) {
          if (!/end of (JSON|data)/i.test(String(err)))
            throw new UsageError(`not valid JSON or NDJSON: ${jsonError(err, text, this.valueLine)}`);
        }
        throw new UsageError(
          `not valid JSON or NDJSON: the input ends inside the JSON value that starts at line ${this.valueLine}`,
        );
      }
    } else this.wholeDocument();
    if (this.first && this.count === 1) {
      // The input was one value: read it as a document (a Lambda SQS event is one batch).
      const doc = normalizeValue(this.first.value);
      this.first = undefined;
      return [...this.flush(), { ...doc, whole: true }];
    }
    this.releaseFirst();
    return this.flush();
  }

  private flush(): InputBlock[] {
    if (this.out.events.length === 0 && this.out.invalid.length === 0) return [];
    const block = { ...this.out, whole: false };
    this.out = { events: [], invalid: [], lambdaBatch: false };
    return [block];
  }

  private detect(atEnd: boolean): void {
    const start = this.buf.search(/\S/);
    if (start < 0) {
      if (!atEnd) this.countLines(this.buf.length);
      this.buf = atEnd ? "" : this.buf.slice(this.buf.length);
      return;
    }
    this.countLines(start);
    this.buf = this.buf.slice(start);
    const c = this.buf[0];
    if (c === "[") this.mode = "values";
    else if (c !== "{") this.mode = "whole";
    else {
      const nl = this.buf.indexOf("\n");
      if (nl < 0 && !atEnd) {
        if (this.buf.length > this.limit) this.mode = "values"; // one long line: its size decides
        return;
      }
      const firstLine = (nl < 0 ? this.buf : this.buf.slice(0, nl)).trim();
      let v: unknown;
      try {
        v = JSON.parse(firstLine);
      } catch {
        v = undefined;
      }
      this.mode = isObj(v) ? "lines" : "values";
    }
    this.valueLine = this.line;
  }

  private countLines(upTo: number): void {
    for (let i = this.buf.indexOf("\n"); i >= 0 && i < upTo; i = this.buf.indexOf("\n", i + 1)) this.line++;
  }

  // ---------- NDJSON ----------

  private lines(atEnd: boolean): void {
    let from = 0;
    for (let nl = this.buf.indexOf("\n"); nl >= 0; nl = this.buf.indexOf("\n", from)) {
      this.lineValue(this.buf.slice(from, nl), false);
      from = nl + 1;
    }
    this.buf = this.buf.slice(from);
    if (this.buf.length > this.limit) throw tooLarge(this.buf.length, this.limit, this.line, false);
    if (atEnd && this.buf.length) {
      this.lineValue(this.buf, true);
      this.buf = "";
    }
  }

  private lineValue(raw: string, last: boolean): void {
    const lineNo = this.line++;
    const text = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    if (text.trim() === "") return;
    let v: unknown;
    try {
      v = JSON.parse(text);
    } catch {
      // Without a newline after it, a bad last line is most likely a file cut off while being written or copied.
      const reason = last ? `line ${lineNo} is cut off: the input ends inside it` : `line ${lineNo} is not JSON`;
      this.releaseFirst();
      this.count++;
      this.out.invalid.push({ index: this.index++, reason });
      return;
    }
    this.value(v, lineNo, true);
  }

  // ---------- JSON values one after another ----------

  private values(): void {
    const buf = this.buf;
    let i = 0;
    let start = this.depth > 0 || this.inString ? 0 : -1;
    for (; i < buf.length; i++) {
      const c = buf.charCodeAt(i);
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === 92 /* \\ */) this.escaped = true;
        else if (c === 34 /* " */) this.inString = false;
        else if (c === 10) this.line++;
        continue;
      }
      if (c === 10) {
        this.line++;
        continue;
      }
      if (this.depth === 0) {
        if (c === 32 || c === 9 || c === 13) continue;
        if (c !== 123 && c !== 91 /* { [ */) {
          throw new UsageError(`not valid JSON or NDJSON: unexpected text between JSON values at line ${this.line}`);
        }
        start = i;
        this.valueLine = this.line;
        this.depth = 1;
        continue;
      }
      if (c === 34) this.inString = true;
      else if (c === 123 || c === 91) this.depth++;
      else if (c === 125 || c === 93) {
        if (--this.depth === 0) {
          this.endValue(buf.slice(start, i + 1));
          start = -1;
        }
      }
    }
    if (start >= 0) this.keepPiece(buf.slice(start));
    this.buf = "";
  }

  private keepPiece(piece: string): void {
    this.size += piece.length;
    if (this.size > this.limit) {
      this.over = true; // keep scanning, without keeping, to say how large it is
      this.pieces = [];
    } else this.pieces.push(piece);
  }

  private endValue(tail: string): void {
    const size = this.size + tail.length;
    const over = this.over || size > this.limit;
    const text = over ? "" : this.pieces.length ? this.pieces.join("") + tail : tail;
    this.pieces = [];
    this.size = 0;
    this.over = false;
    if (over) throw tooLarge(size, this.limit, this.valueLine, true);
    let v: unknown;
    try {
      v = JSON.parse(text);
    } catch (err) {
      throw new UsageError(`not valid JSON or NDJSON: ${jsonError(err, text, this.valueLine)}`);
    }
    this.value(v, this.valueLine, false);
  }

  // ---------- a scalar or text: JSON.parse's own answer ----------

  private wholeDocument(): void {
    const text = this.buf;
    this.buf = "";
    let v: unknown;
    try {
      v = JSON.parse(text);
    } catch (err) {
      throw new UsageError(`not valid JSON or NDJSON: ${jsonError(err, text, this.valueLine)}`);
    }
    this.out = { ...normalizeValue(v) }; // throws the shape error for 42, null, {"foo":1}
    this.count = 2; // already read as a document
  }

  // ---------- values → records ----------

  private value(v: unknown, line: number, ndjson: boolean): void {
    this.count++;
    if (this.count === 1) {
      this.first = { value: v, line: ndjson ? line : -1 };
      return;
    }
    this.releaseFirst();
    this.index = normalizeItems(flattenPage(v), this.out, this.index, ndjson ? line : undefined);
  }

  private releaseFirst(): void {
    if (!this.first) return;
    const { value, line } = this.first;
    this.first = undefined;
    this.index = normalizeItems(flattenPage(value), this.out, this.index, line >= 0 ? line : undefined);
  }
}

/** Chunks (a file or stdin, as Buffers or strings) → blocks of records, decoded as UTF-8 across chunk edges. */
export async function* readInputBlocks(
  chunks: AsyncIterable<Buffer | Uint8Array | string>,
  opts: ReadOptions = {},
): AsyncGenerator<InputBlock> {
  const reader = new InputReader(opts);
  const decoder = new TextDecoder("utf-8");
  for await (const chunk of chunks) {
    const text = typeof chunk === "string" ? chunk : decoder.decode(chunk, { stream: true });
    yield* reader.feed(text);
  }
  const rest = decoder.decode();
  if (rest) yield* reader.feed(rest);
  yield* reader.end();
}

/** Text of any supported shape, all at once (tests, small inputs): the same reader, merged into one result. */
export function parseInputText(text: string, opts: ReadOptions = {}): NormalizedInput {
  const reader = new InputReader(opts);
  const blocks = [...reader.feed(text), ...reader.end()];
  if (blocks.length === 1)
    return { events: blocks[0]!.events, invalid: blocks[0]!.invalid, lambdaBatch: blocks[0]!.lambdaBatch };
  const out: NormalizedInput = { events: [], invalid: [], lambdaBatch: false };
  for (const b of blocks) {
    for (const e of b.events) out.events.push(e);
    for (const r of b.invalid) out.invalid.push(r);
  }
  return out;
}
