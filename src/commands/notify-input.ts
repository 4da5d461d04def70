// Where `notify dry-run` / `notify send` get their events from, and how events become digests.
// Each source (--input, --sample; later --from-queue, --from-trail) is one function returning a
// NormalizedInput; everything after that (batching, digests, stats) is shared.
import { readFile } from "node:fs/promises";
import { CliError, UsageError } from "../lib/errors.js";
import type { ApiCallEvent, NormalizedInput } from "../lib/events.js";
import type { SlackMessage } from "../lib/digest.js";
import type { ClassifyContext } from "../lib/call-kind.js";

export interface SourcedInput extends NormalizedInput {
  /** What a person reads: "./x.json", "stdin", "the bundled sample". */
  label: string;
  /** Zone to show when neither --timezone nor DIGEST_TIMEZONE is set (the sample's own). */
  defaultTimeZone?: string;
  /** The time event times are judged against when --now is not given (the sample's own; default now). */
  referenceTime?: number;
}

export interface InputOptions {
  input?: string;
  sample?: boolean;
}

/** Reads --input (a file, or stdin for "-"). Errors name the file and the problem, never more. */
export async function readInputFile(path: string, stdin: NodeJS.ReadableStream = process.stdin): Promise<string> {
  const flag = `--input ${path}`;
  if (path === "-") {
    const chunks: Buffer[] = [];
    for await (const chunk of stdin) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer));
    return Buffer.concat(chunks).toString("utf8");
  }
  try {
    return await readFile(path, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === "ENOENT"
        ? "file not found"
        : code === "EISDIR"
          ? "is a directory, not a file"
          : code === "EACCES" || code === "EPERM"
            ? "permission denied"
            : `cannot read it (${code ?? "unknown error"})`;
    throw new UsageError(`${flag}: ${why}`);
  }
}

/** Text of any shape events.ts knows → events; a malformed document is a UsageError naming the file. */
export async function parseInput(text: string, label: string): Promise<SourcedInput> {
  const { parseInputText } = await import("../lib/events.js");
  const flag = label === "stdin" ? "--input -" : `--input ${label}`;
  if (!text.trim()) throw new UsageError(`${flag}: empty input`);
  let parsed: NormalizedInput;
  try {
    parsed = parseInputText(text);
  } catch (err) {
    const msg = withLineNumber(err instanceof Error ? err.message.split("\n", 1)[0]! : String(err), text);
    // Keep the parser's own description (line numbers); only add which file.
    throw new UsageError(`${flag}: ${msg.replace(/^--input[^:]*:\s*/, "")}`, {
      cause: err instanceof CliError ? undefined : err,
    });
  }
  return { ...parsed, label };
}

/** JSON.parse on Node 20 says "at position N"; people want the line. */
function withLineNumber(msg: string, text: string): string {
  const m = /at position (\d+)/.exec(msg);
  if (!m) return msg;
  const pos = Number(m[1]);
  const before = text.slice(0, pos).replace(/^\uFEFF/, "");
  const line = before.split("\n").length;
  const column = pos - before.lastIndexOf("\n");
  return `${msg.replace(/ in JSON at position \d+.*$/, "").replace(/ at position \d+.*$/, "")} (line ${line}, column ${column})`;
}

export async function loadFromFile(path: string): Promise<SourcedInput> {
  const text = await readInputFile(path);
  return parseInput(text, path === "-" ? "stdin" : path);
}

export async function loadSample(): Promise<SourcedInput> {
  const [{ sampleEvents, SAMPLE_TIMEZONE, SAMPLE_START_MS }, { normalizeValue }] = await Promise.all([
    import("../lib/sample.js"),
    import("../lib/events.js"),
  ]);
  return {
    ...normalizeValue(sampleEvents()),
    label: "the bundled sample",
    defaultTimeZone: SAMPLE_TIMEZONE,
    referenceTime: SAMPLE_START_MS,
  };
}

/** The one place that picks the source; new sources (--from-queue, --from-trail) add a branch here. */
export async function resolveInput(opts: InputOptions): Promise<SourcedInput> {
  const given = [opts.input !== undefined && "--input", opts.sample && "--sample"].filter(Boolean);
  if (given.length > 1) throw new UsageError(`give only one of ${given.join(", ")}`);
  if (opts.input !== undefined) return loadFromFile(opts.input);
  if (opts.sample) return loadSample();
  throw new UsageError(
    "say where the events come from: --input FILE (or - for stdin), --sample, --from-queue or --from-trail --since 2h",
  );
}

export interface Digests {
  messages: SlackMessage[];
  /** Events per message (after dedupe), for the preview's headings. */
  perMessage: { events: number; duplicates: number; failed: number }[];
  stats: { events: number; duplicates: number; invalid: number; batches: number };
  /** Every digested event with its kind and caller kind (the --json view). */
  events: DigestedEvent[];
}

export interface DigestedEvent {
  eventId: string;
  eventTime: string;
  eventName: string;
  cluster: string | null;
  service: string | null;
  kind: string;
  callerKind: string;
  caller: string;
  failed: boolean;
}

/**
 * Events → digests exactly as the handler would make them: a Lambda SQS event is ONE batch (with
 * its unreadable records counted in it); any other list is cut into --batch-size batches in time order.
 */
export async function digestInput(
  input: NormalizedInput,
  opts: { batchSize: number; timeZone: string; classify?: ClassifyContext },
): Promise<Digests> {
  const { buildDigest, batchEvents, dedupeEvents } = await import("../lib/digest.js");
  const { callKind, callerInfo } = await import("../lib/call-kind.js");
  let duplicates = 0;
  let batches: ApiCallEvent[][];
  if (input.lambdaBatch) batches = input.events.length ? [input.events] : [];
  else {
    // Dedupe the whole list first: buildDigest only sees one batch, so a repeat in another batch would post twice.
    const { unique, duplicates: across } = dedupeEvents(input.events);
    duplicates += across;
    batches = batchEvents(unique, opts.batchSize);
  }
  const messages: SlackMessage[] = [];
  const perMessage: Digests["perMessage"] = [];
  let events = 0;
  for (const batch of batches) {
    const d = buildDigest(batch, {
      timeZone: opts.timeZone,
      classify: opts.classify,
      invalidCount: input.lambdaBatch ? input.invalid.length : undefined,
    });
    events += d.stats.events;
    duplicates += d.stats.duplicates;
    if (d.message) {
      messages.push(d.message);
      perMessage.push(d.stats);
    }
  }
  const digested = dedupeEvents(batches.flat()).unique.map((e): DigestedEvent => {
    const who = callerInfo(e, opts.classify);
    return {
      eventId: e.eventId,
      eventTime: e.eventTime,
      eventName: e.eventName,
      cluster: e.clusterDefaulted ? null : (e.cluster ?? null),
      service: e.service ?? null,
      kind: callKind(e),
      callerKind: who.kind,
      caller: who.name,
      failed: e.errorCode !== undefined,
    };
  });
  return { messages, perMessage, stats: { events, duplicates, invalid: input.invalid.length, batches: batches.length }, events: digested };
}
