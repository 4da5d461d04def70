// The one output layer: commands return data, this renders it. JSON (and only JSON) goes to stdout
// with --output json; tables and previews go to stdout otherwise; warnings, progress and spinners
// always go to stderr, so `traildigest … --json | jq` stays clean.
import type { ChalkInstance } from "chalk";
import { rmSync } from "node:fs";
import { redactSecrets } from "../../core/text/secret-forms.js";
import { terminalText } from "../../core/text/terminal-text.js";
import { renderTable, terminalWidth } from "./table.js";

import type { GlobalOptions, OutputFormat } from "../../app/run-context.js";
export type { GlobalOptions, OutputFormat };

/** What every command action returns. `render` draws the human view of the same `data`. */
export interface CommandResult<T extends object = object> {
  data: T;
  render?: (data: T, ui: Ui) => string;
  /** 1 when the command ran and found problems (docs/architecture.md §4). */
  exitCode?: 0 | 1;
  /** The command already wrote its output piece by piece (outputWriter): nothing left to emit. */
  written?: boolean;
}

export interface Spinner {
  update(text: string): void;
  succeed(text?: string): void;
  fail(text?: string): void;
  stop(): void;
}

export interface TableOptions {
  head: string[];
  rows: (string | number)[][];
  /** Column alignment, e.g. ["left", "right"]. */
  align?: ("left" | "right" | "center")[];
  /** Column indexes never cut to fit the terminal (names to copy into the next command). */
  keep?: number[];
  /** Column indexes whose long lines wrap instead of being cut (free text, lists of changes). */
  wrap?: number[];
}

export interface Ui {
  readonly c: ChalkInstance;
  readonly format: OutputFormat;
  readonly verbose: boolean;
  /** Register a value (webhook URL, key) that must never reach a terminal or log. */
  registerSecret(secret: string | undefined): void;
  redact(text: string): string;
  /** Warnings and notes for people: stderr, never stdout. */
  warn(message: string): void;
  info(message: string): void;
  debug(message: string): void;
  /** A spinner on stderr when it is a TTY; a no-op otherwise. */
  spinner(text: string): Spinner;
  table(opts: TableOptions): string;
  /** Human text to stdout as it happens (e.g. `local run`'s digests), through the same sanitiser as results. */
  print(text: string): void;
}

export interface Streams {
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
}

/**
 * A spinner redraws in place, so it needs a real terminal of known width: never when stderr is not
 * a TTY, reports 0 or no columns (`script`, some CI wrappers: ora would redraw forever), TERM=dumb,
 * under CI, or with colour off (NO_COLOR / --no-color: its redraws are escape codes too).
 */
export function spinnerAllowed(stderr: Streams["stderr"], color: boolean, env: NodeJS.ProcessEnv): boolean {
  if (stderr.isTTY !== true) return false;
  if (!(typeof stderr.columns === "number" && stderr.columns > 0)) return false;
  if (env.TERM === "dumb" || env.CI || env.NO_COLOR || !color) return false;
  return true;
}

type OraFn = typeof import("ora").default;
type ChalkCtor = typeof import("chalk").Chalk;

/** Renderers (chalk included) are loaded once, before a command renders, so `--help` never pays for them. */
let ChalkClass: ChalkCtor | undefined;
let oraFn: OraFn | undefined;
export async function preloadRenderers(opts: { spinner?: boolean } = {}): Promise<void> {
  ChalkClass ??= (await import("chalk")).Chalk;
  if (opts.spinner) oraFn ??= (await import("ora")).default;
}

const noopSpinner: Spinner = { update() {}, succeed() {}, fail() {}, stop() {} };

/** Secrets are process-wide: once registered, no output path (result, warning, error) can print them. */
const secrets = new Set<string>();
export function registerSecret(secret: string | undefined): void {
  // Short values would redact ordinary words; real secrets are long.
  if (secret && secret.length >= 8) secrets.add(secret);
}
/** Every registered secret, also JSON-escaped, percent-encoded and (for a URL) its path and token. */
export function redact(text: string): string {
  return redactSecrets(text, secrets);
}

/**
 * Every human-readable write passes here (docs/untrusted-text.md): redacted, then any control or
 * invisible character from event text becomes a visible escape. `line` is one line (warnings,
 * spinner text): a line break inside it is shown as `\n`; otherwise the program's own lines stay.
 */
function forTerminal(text: string, c: ChalkInstance, line = false): string {
  return terminalText(redact(text), { multiline: !line, keepOwnStyles: c.level > 0 });
}

export function createUi(
  opts: Pick<GlobalOptions, "output" | "color" | "verbose">,
  streams: Streams,
  env: NodeJS.ProcessEnv = {},
): Ui {
  if (!ChalkClass) throw new Error("preloadRenderers() was not awaited before createUi()");
  const colorWanted = opts.color && !env.NO_COLOR && streams.stdout.isTTY === true;
  const c = new ChalkClass({ level: colorWanted ? new ChalkClass().level || 1 : 0 });
  const err = (line: string) => streams.stderr.write(forTerminal(line, c, true) + "\n");
  const spin = (t: string) => forTerminal(t, c, true);
  return {
    c,
    format: opts.output,
    verbose: opts.verbose,
    registerSecret,
    redact,
    warn: (m) => err(`${c.yellow("warning:")} ${m}`),
    info: (m) => err(m),
    debug: (m) => opts.verbose && err(c.dim(m)),
    spinner(text) {
      if (!oraFn || !spinnerAllowed(streams.stderr, opts.color, env)) return noopSpinner;
      const s = oraFn({ text: spin(text), stream: streams.stderr, color: "cyan", isEnabled: true }).start();
      return {
        update: (t) => void (s.text = spin(t)),
        succeed: (t) => void s.succeed(t && spin(t)),
        fail: (t) => void s.fail(t && spin(t)),
        stop: () => void s.stop(),
      };
    },
    table({ head, rows, align, keep, wrap }) {
      return renderTable({
        head,
        rows,
        align,
        keep,
        wrap,
        width: terminalWidth(streams.stdout, env),
        headStyle: (h) => c.bold(h),
        borderStyle: (b) => (c.level > 0 ? c.grey(b) : b),
      });
    },
    print: (text) => void streams.stdout.write(forTerminal(text, c) + "\n"),
  };
}

/** Write a command's result: JSON on stdout, or the human view on stdout. */
export function emit<T extends object>(result: CommandResult<T>, ui: Ui, streams: Pick<Streams, "stdout">): void {
  if (result.written) return;
  if (ui.format === "json") {
    streams.stdout.write(ui.redact(JSON.stringify(result.data, null, 2)) + "\n");
    return;
  }
  const text = result.render ? result.render(result.data, ui) : JSON.stringify(result.data, null, 2);
  if (text) streams.stdout.write(forTerminal(text.endsWith("\n") ? text : text + "\n", ui.c));
}

/** For output too large to hold (docs/scale.md): written piece by piece, redacted, pausing while the reader is behind. */
export interface OutputWriter {
  write(text: string): Promise<void>;
}

export function outputWriter(ui: Pick<Ui, "redact">, streams: Pick<Streams, "stdout">): OutputWriter {
  const out = streams.stdout;
  return {
    write(text) {
      if (out.write(ui.redact(text))) return Promise.resolve();
      return new Promise((resolve) => out.once("drain", () => resolve()));
    },
  };
}

/**
 * `JSON.stringify(object, null, 2)` written member by member, so one array member (say "messages") can be written as
 * its items are made. Same bytes as the whole object stringified at once.
 */
export class JsonObjectWriter {
  private members = 0;
  private items = -1;
  constructor(private readonly out: OutputWriter) {}
  private async key(name: string): Promise<void> {
    await this.out.write(`${this.members++ === 0 ? "{\n" : ",\n"}  ${JSON.stringify(name)}: `);
  }
  async member(name: string, value: unknown): Promise<void> {
    await this.key(name);
    await this.out.write(JSON.stringify(value, null, 2).replace(/\n/g, "\n  "));
  }
  async beginArray(name: string): Promise<void> {
    await this.key(name);
    await this.out.write("[");
    this.items = 0;
  }
  async item(value: unknown): Promise<void> {
    await this.out.write(JsonObjectWriter.itemText(value, this.items++ === 0));
  }
  /** One array item as it appears inside the object, for items formatted ahead of time (SpooledArray). */
  static itemText(value: unknown, first: boolean): string {
    return `${first ? "\n    " : ",\n    "}${JSON.stringify(value, null, 2).replace(/\n/g, "\n    ")}`;
  }
  /** An array member whose items were formatted with itemText and kept elsewhere. */
  async arrayFrom(name: string, itemsText: AsyncIterable<string>, empty: boolean): Promise<void> {
    await this.key(name);
    await this.out.write("[");
    for await (const text of itemsText) await this.out.write(text);
    await this.out.write(empty ? "]" : "\n  ]");
  }
  async endArray(): Promise<void> {
    await this.out.write(this.items > 0 ? "\n  ]" : "]");
    this.items = -1;
  }
  async end(): Promise<void> {
    await this.out.write(this.members === 0 ? "{}\n" : "\n}\n");
  }
}

/**
 * Items of a JSON array member that must be written after another streamed member (notify dry-run's "events" after
 * its "messages"): formatted as they come and kept in a temp file, so memory does not grow with the input.
 */
export class SpooledArray {
  private count = 0;
  private constructor(
    private readonly dir: string,
    private readonly file: string,
    private readonly out: import("node:fs").WriteStream,
  ) {}

  static async open(): Promise<SpooledArray> {
    const [{ mkdtemp }, { createWriteStream }, { tmpdir }, { join }] = await Promise.all([
      import("node:fs/promises"),
      import("node:fs"),
      import("node:os"),
      import("node:path"),
    ]);
    const dir = await mkdtemp(join(tmpdir(), "traildigest-"));
    const file = join(dir, "items.json");
    const spool = new SpooledArray(dir, file, createWriteStream(file, { mode: 0o600 }));
    // A closed pipe ends the process at once (main.ts): the temp file goes with it.
    process.once("exit", spool.removeNow);
    return spool;
  }

  private readonly removeNow = (): void => {
    try {
      rmSync(this.dir, { recursive: true, force: true });
    } catch {
      /* best effort at exit */
    }
  };

  /** Gathered into 64 KB writes: one write per item made the file stream's bookkeeping cost more than the JSON. */
  private pending = "";

  async push(value: unknown): Promise<void> {
    this.pending += JsonObjectWriter.itemText(value, this.count++ === 0);
    if (this.pending.length >= 1 << 16) await this.flush();
  }

  private async flush(): Promise<void> {
    const text = this.pending;
    this.pending = "";
    if (text && !this.out.write(text)) await new Promise<void>((resolve) => this.out.once("drain", () => resolve()));
  }

  async writeTo(json: JsonObjectWriter, name: string): Promise<void> {
    await this.flush();
    await new Promise<void>((resolve, reject) => this.out.end((err?: Error | null) => (err ? reject(err) : resolve())));
    const { createReadStream } = await import("node:fs");
    await json.arrayFrom(
      name,
      createReadStream(this.file, { encoding: "utf8", highWaterMark: 1 << 16 }),
      this.count === 0,
    );
  }

  async dispose(): Promise<void> {
    this.out.destroy();
    process.removeListener("exit", this.removeNow);
    const { rm } = await import("node:fs/promises");
    await rm(this.dir, { recursive: true, force: true });
  }
}
