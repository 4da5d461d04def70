// PURE: a small HCL (Terraform) writer. Values are data; references and function calls are `expr`;
// strings are quoted templates with `${`/`%{` escaped, so config text can never become an expression.

export class Expr {
  constructor(readonly text: string) {}
}
/** A string made of literal text and interpolated expressions ("arn:${data.x.y}:…"). */
export class Template {
  constructor(readonly parts: (string | Expr)[]) {}
}

/** A function call whose arguments are values: jsonencode({...}). */
export class Call {
  constructor(
    readonly fn: string,
    readonly args: Value[],
  ) {}
}

export type Value = string | number | boolean | Expr | Template | Call | Value[] | { [key: string]: Value };

export interface Block {
  type: string;
  labels: string[];
  body: (Attr | Block)[];
  /** A comment line written above the block. */
  comment?: string;
}
export interface Attr {
  name: string;
  value: Value;
}

export const expr = (text: string): Expr => new Expr(text);
export const attr = (name: string, value: Value | undefined): Attr[] => (value === undefined ? [] : [{ name, value }]);
export const block = (
  type: string,
  labels: string[],
  body: (Attr | Block | (Attr | Block)[])[],
  comment?: string,
): Block => ({
  type,
  labels,
  body: body.flat(),
  ...(comment ? { comment } : {}),
});

const IDENT = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** A literal piece of a quoted string: JSON-style escapes plus HCL's template escapes. */
function escapeLiteral(s: string): string {
  return s
    .replace(/\\/g, "\\\\")
    .replace(/"/g, '\\"')
    .replace(/\n/g, "\\n")
    .replace(/\r/g, "\\r")
    .replace(/\t/g, "\\t")
    .replace(/[\u0000-\u001f\u007f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)
    .replace(/\$\{/g, "$$$${") // "$$" is one "$" in a replacement string
    .replace(/%\{/g, "%%{");
}

export function quote(s: string): string {
  return `"${escapeLiteral(s)}"`;
}

/** An identifier for a resource label: letters, digits, _ and -, starting with a letter or _. */
export function identifier(s: string): string {
  const id = s.replace(/[^A-Za-z0-9_-]/g, "_");
  return /^[A-Za-z_]/.test(id) ? id : `_${id}`;
}

function isBlock(x: Attr | Block): x is Block {
  return "type" in x;
}

function value(v: Value, indent: string): string {
  if (v instanceof Expr) return v.text;
  if (v instanceof Call) return `${v.fn}(${v.args.map((a) => value(a, indent)).join(", ")})`;
  if (v instanceof Template)
    return `"${v.parts.map((p) => (p instanceof Expr ? `\${${p.text}}` : escapeLiteral(p))).join("")}"`;
  if (typeof v === "string") return quote(v);
  if (typeof v === "number") {
    if (!Number.isFinite(v)) throw new Error(`HCL cannot hold ${v}`);
    return String(v);
  }
  if (typeof v === "boolean") return String(v);
  const inner = indent + "  ";
  if (Array.isArray(v)) {
    if (v.length === 0) return "[]";
    const flat = v.map((x) => value(x, inner));
    const one = `[${flat.join(", ")}]`;
    if (one.length <= 80 && !one.includes("\n")) return one;
    return `[\n${flat.map((x) => `${inner}${x},`).join("\n")}\n${indent}]`;
  }
  const entries = Object.entries(v);
  if (entries.length === 0) return "{}";
  // Keys are always quoted: "detail-type" and "aws:SourceArn" are not identifiers.
  const keys = entries.map(([k]) => quote(k));
  const vals = entries.map(([, x]) => value(x, inner));
  const widths: number[] = [];
  let start = 0;
  const flush = (end: number) => {
    const w = Math.max(0, ...keys.slice(start, end).map((k) => k.length));
    for (let i = start; i < end; i++) widths[i] = w;
  };
  vals.forEach((v, i) => {
    if (v.includes("\n")) {
      flush(i);
      widths[i] = keys[i]!.length;
      start = i + 1;
    }
  });
  flush(vals.length);
  return `{\n${vals.map((x, i) => `${inner}${keys[i]!.padEnd(widths[i]!)} = ${x}`).join("\n")}\n${indent}}`;
}

function body(items: (Attr | Block)[], indent: string): string {
  const lines: string[] = [];
  const rendered = new Map<Attr, string>();
  for (const it of items) if (!isBlock(it)) rendered.set(it, value(it.value, indent));
  // Like terraform fmt: "=" aligned within each run of one-line attributes.
  const widths = new Map<Attr, number>();
  let run: Attr[] = [];
  const flush = () => {
    const w = Math.max(0, ...run.map((a) => a.name.length));
    for (const a of run) widths.set(a, w);
    run = [];
  };
  for (const it of items) {
    if (isBlock(it)) flush();
    else if (rendered.get(it)!.includes("\n")) {
      flush();
      widths.set(it, it.name.length);
    } else run.push(it);
  }
  flush();
  let prevBlock = false;
  for (const it of items) {
    if (isBlock(it)) {
      if (lines.length) lines.push("");
      lines.push(renderBlock(it, indent));
      prevBlock = true;
    } else {
      if (!IDENT.test(it.name)) throw new Error(`not an HCL attribute name: ${it.name}`);
      if (prevBlock) lines.push("");
      lines.push(`${indent}${it.name.padEnd(widths.get(it)!)} = ${rendered.get(it)}`);
      prevBlock = false;
    }
  }
  return lines.join("\n");
}

function renderBlock(b: Block, indent: string): string {
  if (!IDENT.test(b.type)) throw new Error(`not an HCL block type: ${b.type}`);
  const head = [b.type, ...b.labels.map(quote)].join(" ");
  const comment = b.comment
    ? b.comment
        .split("\n")
        .map((l) => `${indent}# ${l}`.trimEnd())
        .join("\n") + "\n"
    : "";
  const inner = body(b.body, indent + "  ");
  return `${comment}${indent}${head} {${inner ? `\n${inner}\n${indent}` : ""}}`;
}

/** A whole file: top-level blocks separated by blank lines. */
export function renderFile(blocks: Block[], header?: string): string {
  const head = header
    ? header
        .split("\n")
        .map((l) => `# ${l}`.trimEnd())
        .join("\n") + "\n\n"
    : "";
  return head + blocks.map((b) => renderBlock(b, "")).join("\n\n") + "\n";
}
