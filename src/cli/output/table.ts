// Tables that fit the terminal: columns keep their natural width while the table fits `width`
// (process.stdout.columns, 80 when unknown); otherwise the widest columns shrink first and cut
// lines lose their middle ("arn:aws:sqs:…:traildigest-events"), since both ends of ARNs and
// names carry meaning. One pass over the cells to measure and one to draw: linear in the rows.

export type Align = "left" | "right" | "center";

export interface TableSpec {
  head: string[];
  /** Cells may hold several lines ("\n") and ANSI colour. */
  rows: (string | number)[][];
  align?: Align[];
  /** Columns never cut (names a person copies into the next command): they keep their natural width. */
  keep?: number[];
  /** Columns whose long lines wrap onto more lines instead of losing their middle (free text, change lists). */
  wrap?: number[];
  /** Total width to fit, borders included. */
  width: number;
  /** Styling hooks (chalk), identity when colour is off. */
  headStyle?: (s: string) => string;
  borderStyle?: (s: string) => string;
}

/** Narrowest a column is squeezed to before the table is allowed to overflow. */
const MIN_COL = 6;
const ANSI_RE = /\u001b\[[0-9;]*[A-Za-z]|\u001b\]8;;[^\u0007\u001b]*(?:\u0007|\u001b\\)/g;

export function stripAnsi(s: string): string {
  return s.replace(ANSI_RE, "");
}

/** Columns a string takes: ANSI codes take none, wide (CJK, emoji) characters two. */
export function displayWidth(s: string): number {
  const plain = stripAnsi(s);
  // Fast path: printable ASCII is one column per character.
  if (/^[\x20-\x7e]*$/.test(plain)) return plain.length;
  let w = 0;
  for (const ch of plain) {
    const cp = ch.codePointAt(0)!;
    if (cp < 0x20 || (cp >= 0x300 && cp <= 0x36f) || cp === 0x200d || (cp >= 0xfe00 && cp <= 0xfe0f)) continue;
    w += isWide(cp) ? 2 : 1;
  }
  return w;
}

function isWide(cp: number): boolean {
  return (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0xa4cf) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1faff) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  );
}

/** Lines of at most `width` columns, broken after the last space that fits, else hard. Colour is dropped from a broken line. */
export function wrapLine(s: string, width: number): string[] {
  if (displayWidth(s) <= width || width < 1) return [s];
  const out: string[] = [];
  let rest = [...stripAnsi(s)];
  while (rest.length) {
    let w = 0;
    let cut = 0;
    let lastSpace = -1;
    for (; cut < rest.length; cut++) {
      const cw = displayWidth(rest[cut]!);
      if (w + cw > width) break;
      if (rest[cut] === " ") lastSpace = cut;
      w += cw;
    }
    if (cut < rest.length && lastSpace > 0) cut = lastSpace + 1;
    out.push(rest.slice(0, Math.max(1, cut)).join("").trimEnd());
    rest = rest.slice(Math.max(1, cut));
  }
  return out;
}

/** Cut to `width` columns by dropping the middle: "arn:aws:lambda:…:function:digest". Colour is dropped from a cut line. */
export function ellipsizeMiddle(s: string, width: number): string {
  if (displayWidth(s) <= width) return s;
  const chars = [...stripAnsi(s)];
  if (width <= 1) return "…".slice(0, width);
  const keep = width - 1;
  const headLen = Math.ceil(keep / 2);
  const tailLen = keep - headLen;
  let head = "";
  let hw = 0;
  for (const ch of chars) {
    const cw = displayWidth(ch);
    if (hw + cw > headLen) break;
    head += ch;
    hw += cw;
  }
  let tail = "";
  let tw = 0;
  for (let i = chars.length - 1; i >= 0; i--) {
    const cw = displayWidth(chars[i]!);
    if (tw + cw > tailLen + (headLen - hw)) break;
    tail = chars[i] + tail;
    tw += cw;
  }
  return `${head}…${tail}`;
}

/**
 * Column widths that fit `available` content columns: every column gets its natural width if all
 * fit; otherwise the widest columns shrink first, down to one common cap (water-filling), so short
 * columns (a resource kind, a name, an action) stay whole and a wide "changes" column gives up the
 * room. No column goes below min(natural, MIN_COL); `keep` columns are never shrunk (the table may
 * then overflow).
 */
export function fitWidths(natural: number[], available: number, keep: number[] = []): number[] {
  const total = natural.reduce((a, b) => a + b, 0);
  if (total <= available) return natural.slice();
  const widths = natural.slice();
  let budget = available - natural.reduce((a, w, i) => a + (keep.includes(i) ? w : 0), 0);
  const free = natural.map((_, i) => i).filter((i) => !keep.includes(i));
  free.sort((a, b) => natural[a]! - natural[b]!);
  // Narrow columns that fit under an equal share keep their width; the rest share what is left.
  let k = 0;
  while (k < free.length && natural[free[k]!]! <= Math.floor(budget / (free.length - k)))
    budget -= natural[free[k++]!]!;
  const rest = free.slice(k);
  const share = Math.floor(budget / Math.max(1, rest.length));
  const extra = budget - share * rest.length;
  rest.forEach((i, j) => {
    // The rounding leftovers go to the widest columns (the end of the ascending order).
    const w = share + (j >= rest.length - extra ? 1 : 0);
    widths[i] = Math.max(Math.min(natural[i]!, MIN_COL), w);
  });
  return widths;
}

function pad(s: string, width: number, align: Align): string {
  const gap = width - displayWidth(s);
  if (gap <= 0) return s;
  if (align === "right") return " ".repeat(gap) + s;
  if (align === "center") return " ".repeat(gap >> 1) + s + " ".repeat(gap - (gap >> 1));
  return s + " ".repeat(gap);
}

export function renderTable(spec: TableSpec): string {
  const headStyle = spec.headStyle ?? ((s: string) => s);
  const border = spec.borderStyle ?? ((s: string) => s);
  const n = spec.head.length;
  const all = [spec.head, ...spec.rows.map((r) => r.map(String))];
  const cells = all.map((r) => Array.from({ length: n }, (_, i) => String(r[i] ?? "").split("\n")));
  const natural = new Array<number>(n).fill(0);
  for (const r of cells) {
    for (let i = 0; i < n; i++) for (const line of r[i]!) natural[i] = Math.max(natural[i]!, displayWidth(line));
  }
  // Borders: "│ " before each column, " " after it, and the closing "│".
  const widths = fitWidths(natural, Math.max(n * MIN_COL, spec.width - (3 * n + 1)), spec.keep);
  // Wrapped columns: their lines become several lines of the column's width, so nothing is cut.
  for (const i of spec.wrap ?? [])
    for (const r of cells.slice(1)) if (r[i]) r[i] = r[i]!.flatMap((line) => wrapLine(line, widths[i]!));
  const rule = (l: string, m: string, r: string) => border(l + widths.map((w) => "─".repeat(w + 2)).join(m) + r);
  const bar = border("│");
  const out: string[] = [rule("┌", "┬", "┐")];
  cells.forEach((r, rowIndex) => {
    // No rule under the head or between rows: multi-line cells read as one block.
    const height = Math.max(...r.map((c) => c.length));
    for (let line = 0; line < height; line++) {
      let text = bar;
      for (let i = 0; i < n; i++) {
        let cell = ellipsizeMiddle(r[i]![line] ?? "", widths[i]!);
        if (rowIndex === 0 && cell) cell = headStyle(cell);
        text += ` ${pad(cell, widths[i]!, spec.align?.[i] ?? "left")} ${bar}`;
      }
      out.push(text);
    }
  });
  out.push(rule("└", "┴", "┘"));
  return out.join("\n");
}

/** The width tables are fitted to: the terminal's, else COLUMNS, else 80 (a pipe, a file, a 0-column pty). */
export function terminalWidth(stream: { columns?: number }, env: NodeJS.ProcessEnv): number {
  const c = stream.columns;
  if (typeof c === "number" && c > 0) return c;
  const fromEnv = Number(env.COLUMNS);
  return Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : 80;
}
