// Where `notify dry-run` / `notify send` get their events from, and how events become digests.
// Each source (--input, --sample; later --from-queue, --from-trail) is one function returning a
// NormalizedInput; everything after that (batching, digests, stats) is shared.
import { createReadStream } from "node:fs";
import { resolve } from "node:path";
import { UsageError } from "../core/errors.js";
import type { ApiCallEvent, InvalidRecord, NormalizedInput } from "../core/events/events.js";
import type { InputBlock, ReadOptions } from "../core/events/event-stream.js";
import type { SlackMessage } from "../core/digest/digest.js";
import type { ClassifyContext } from "../core/events/call-kind.js";

export interface SourcedInput extends NormalizedInput {
  /** What a person reads: "./x.json", "stdin", "the bundled sample". */
  label: string;
  /** Zone to show when neither --timezone nor DIGEST_TIMEZONE is set (the sample's own). */
  defaultTimeZone?: string;
  /** The time event times are judged against when --now is not given (the sample's own; default now). */
  referenceTime?: number;
}

/** Where events come from, read block by block (docs/scale.md): a file or stdin streams, the rest is one block. */
export interface InputSource {
  label: string;
  defaultTimeZone?: string;
  /** The time event times are judged against when --now is not given (the sample's own; default now). */
  referenceTime?: number;
  blocks: AsyncIterable<InputBlock>;
}

export interface InputOptions {
  input?: string;
  sample?: boolean;
}

/** Why a read failed, in a few words; never a stack. */
function readFailure(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  switch (e.code) {
    case "ENOENT":
      return "file not found";
    case "EISDIR":
      return "is a directory, not a file";
    case "EACCES":
    case "EPERM":
      return "permission denied";
    default: {
      // The message without the path (already named) and without a newline.
      const what = (e.message ?? String(err))
        .replace(/,? (open|read) '.*'$/, "")
        .replace(/\s+/g, " ")
        .trim();
      return `cannot read it (${e.code ? `${e.code}: ` : ""}${what.slice(0, 120)})`;
    }
  }
}

/** Bytes read from a file at a time (a pipe gives 64 KB anyway). 1 MB reads made 1 MB strings per chunk and
 * nearly doubled peak memory (260 vs 150 MB at 300k events); the lines in flight, not the input, bound memory. */
const READ_CHUNK = 1 << 16;

/** --input as chunks (a file, or stdin for "-"). A read failure is one line naming the file and the cause. */
export async function* inputChunks(
  path: string,
  stdin: NodeJS.ReadableStream = process.stdin,
  cwd?: string,
): AsyncGenerator<Buffer | string> {
  // A relative path is read from the run's working directory (messages keep the path as given).
  const source =
    path === "-" ? stdin : createReadStream(cwd ? resolve(cwd, path) : path, { highWaterMark: READ_CHUNK });
  try {
    for await (const chunk of source) yield chunk as Buffer | string;
  } catch (err) {
    throw new UsageError(`${inputFlag(path)}: ${readFailure(err)}`);
  }
}

function inputFlag(path: string): string {
  return `--input ${path}`;
}

/** --input FILE (or - for stdin) read block by block; a malformed document is a UsageError naming the file. */
export function loadFromFile(
  path: string,
  opts: ReadOptions & { stdin?: NodeJS.ReadableStream; cwd?: string } = {},
): InputSource {
  const flag = inputFlag(path);
  async function* blocks(): AsyncGenerator<InputBlock> {
    const { readInputBlocks } = await import("../core/events/event-stream.js");
    try {
      yield* readInputBlocks(inputChunks(path, opts.stdin, opts.cwd), opts);
    } catch (err) {
      if (!(err instanceof UsageError) || err.message.startsWith(flag)) throw err;
      // Keep the reader's own description (line numbers); only add which file.
      throw new UsageError(`${flag}: ${err.message}`);
    }
  }
  return { label: path === "-" ? "stdin" : path, blocks: blocks() };
}

/** An input already in memory (the sample, a queue or trail read) as a source of one whole block. */
export function wholeSource(input: SourcedInput): InputSource {
  async function* blocks(): AsyncGenerator<InputBlock> {
    yield { events: input.events, invalid: input.invalid, lambdaBatch: input.lambdaBatch, whole: true };
  }
  return {
    label: input.label,
    ...(input.defaultTimeZone ? { defaultTimeZone: input.defaultTimeZone } : {}),
    ...(input.referenceTime !== undefined ? { referenceTime: input.referenceTime } : {}),
    blocks: blocks(),
  };
}

export async function loadSample(): Promise<SourcedInput> {
  const [{ sampleEvents, SAMPLE_TIMEZONE, SAMPLE_START_MS }, { normalizeValue }] = await Promise.all([
    import("../core/events/sample.js"),
    import("../core/events/events.js"),
  ]);
  return {
    ...normalizeValue(sampleEvents()),
    label: "the bundled sample",
    defaultTimeZone: SAMPLE_TIMEZONE,
    referenceTime: SAMPLE_START_MS,
  };
}

/** The one place that picks the source; new sources (--from-queue, --from-trail) add a branch here. */
export async function resolveInput(
  opts: InputOptions,
  io: { stdin?: NodeJS.ReadableStream; cwd?: string } = {},
): Promise<InputSource> {
  const given = [opts.input !== undefined && "--input", opts.sample && "--sample"].filter(Boolean);
  if (given.length > 1) throw new UsageError(`give only one of ${given.join(", ")}`);
  if (opts.input !== undefined) return loadFromFile(opts.input, io);
  if (opts.sample) return wholeSource(await loadSample());
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

/** What is left of an input once its digests are made: counts, and the first unreadable records. */
export interface DigestSummary {
  stats: Digests["stats"];
  /** The first KEPT_INVALID unreadable records (stats.invalid counts them all). */
  invalid: InvalidRecord[];
  /** The input was one Lambda SQS event: one batch, as the handler receives it. */
  lambdaBatch: boolean;
  /** With a `keep` filter (--scope, --kind, --caller-kind): readable events seen, and kept. */
  filtered?: { seen: number; kept: number };
}

/** Unreadable records kept for the report; an input with millions of bad lines only counts the rest. */
export const KEPT_INVALID = 1_000;

export interface DigestOptions {
  batchSize: number;
  timeZone: string;
  classify?: ClassifyContext | undefined;
  /** Only these events are digested (--scope, --kind, --caller-kind). */
  keep?: ((e: ApiCallEvent) => boolean) | undefined;
  /** Event times more than a year from this (epoch ms) are unreadable records, as in the handler. */
  plausibleAt?: number | undefined;
}

export type OnDigest = (message: SlackMessage, stats: Digests["perMessage"][number]) => void | Promise<void>;
/** Each digested event (after dedupe), batch by batch. */
export type OnEvent = (event: DigestedEvent) => void | Promise<void>;

/**
 * Blocks → digests exactly as the handler would make them, handed out one by one as they are made: a Lambda SQS
 * event is ONE batch (with its unreadable records counted in it); a whole document is cut into --batch-size
 * batches in time order; a stream (NDJSON, JSON values one after another) in the order it arrives, as SQS would
 * deliver it. Duplicates are dropped across batches through a set of event IDs only.
 */
export async function digestBlocks(
  blocks: AsyncIterable<InputBlock>,
  opts: DigestOptions,
  onDigest: OnDigest,
  onEvent?: OnEvent,
): Promise<DigestSummary> {
  const [{ buildDigest, batchEvents, dedupeEvents }, { callKind, callerInfo }, { dropImplausibleTimes }] =
    await Promise.all([
      import("../core/digest/digest.js"),
      import("../core/events/call-kind.js"),
      import("../core/events/events.js"),
    ]);
  const { IdSet } = await import("../core/events/id-set.js");
  const seen = new IdSet(); // every event ID so far, compactly: the only state that grows with the input
  const summary: DigestSummary = {
    stats: { events: 0, duplicates: 0, invalid: 0, batches: 0 },
    invalid: [],
    lambdaBatch: false,
  };
  if (opts.keep) summary.filtered = { seen: 0, kept: 0 };
  const { stats } = summary;
  const digest = async (batch: ApiCallEvent[], invalidCount?: number) => {
    stats.batches++;
    const d = buildDigest(batch, { timeZone: opts.timeZone, classify: opts.classify, invalidCount });
    stats.events += d.stats.events;
    stats.duplicates += d.stats.duplicates;
    if (d.message) await onDigest(d.message, d.stats);
    if (!onEvent) return;
    for (const e of dedupeEvents(batch).unique) {
      const who = callerInfo(e, opts.classify);
      await onEvent({
        eventId: e.eventId,
        eventTime: e.eventTime,
        eventName: e.eventName,
        cluster: e.clusterDefaulted ? null : (e.cluster ?? null),
        service: e.service ?? null,
        kind: callKind(e),
        callerKind: who.kind,
        caller: who.name,
        failed: e.errorCode !== undefined,
      });
    }
  };
  const kept = (events: ApiCallEvent[]) => {
    if (!opts.keep || !summary.filtered) return events;
    const out = events.filter(opts.keep);
    summary.filtered.seen += events.length;
    summary.filtered.kept += out.length;
    return out;
  };
  // buildDigest only sees one batch, so a repeat in another batch would post twice: drop it here.
  const fresh = (events: ApiCallEvent[]) =>
    events.filter((e) => {
      if (seen.add(e.eventId)) return true;
      stats.duplicates++;
      return false;
    });
  let pending: ApiCallEvent[] = [];
  for await (const read of blocks) {
    const block = opts.plausibleAt === undefined ? read : { ...read, ...dropImplausibleTimes(read, opts.plausibleAt) };
    stats.invalid += block.invalid.length;
    for (const r of block.invalid) if (summary.invalid.length < KEPT_INVALID) summary.invalid.push(r);
    const events = kept(block.events);
    if (block.lambdaBatch) {
      summary.lambdaBatch = true;
      if (events.length) await digest(events, block.invalid.length);
    } else if (block.whole) {
      for (const batch of batchEvents(fresh(events), opts.batchSize)) await digest(batch);
    } else {
      for (const e of fresh(events)) {
        pending.push(e);
        if (pending.length === opts.batchSize) {
          await digest(pending);
          pending = [];
        }
      }
    }
  }
  if (pending.length) await digest(pending);
  return summary;
}

/** All digests of a source in memory (`send`, which posts them one per second anyway). */
export async function digestInput(source: InputSource, opts: DigestOptions): Promise<Digests & DigestSummary> {
  const messages: SlackMessage[] = [];
  const perMessage: Digests["perMessage"] = [];
  const events: DigestedEvent[] = [];
  const summary = await digestBlocks(
    source.blocks,
    opts,
    (m, st) => {
      messages.push(m);
      perMessage.push(st);
    },
    (e) => void events.push(e),
  );
  return { messages, perMessage, events, ...summary };
}
