// Live sources for `notify dry-run` / `notify send`: --from-queue (a safe peek of what waits in the
// queue) and --from-trail (the calls of a past period), read into the same shape as --input.
import { UsageError } from "../core/errors.js";
import type { ApiCallEvent, InvalidRecord } from "../core/events/events.js";
import type { SourcedInput } from "./notify-input.js";
import type { SQSClient } from "@aws-sdk/client-sqs";
import type { CloudTrailClient } from "@aws-sdk/client-cloudtrail";
import { plural } from "../core/text/text.js";
import { say, type Reporter } from "./report.js";
import type { RunContext } from "./run-context.js";

export interface LiveInputOptions {
  fromQueue?: boolean;
  queue?: string;
  max?: number;
  fromTrail?: boolean;
  since?: string;
  until?: string;
  /** --batch-size was given on the command line (else the config's BatchSize wins for --from-queue). */
  batchSizeGiven?: boolean;
  batchSize?: number;
}

/** Same shape as notify-input's SourcedInput, so the rest of dry-run / send is shared. */
export type LiveInput = SourcedInput;

/** How many live sources were asked for; notify-input's own check covers --input / --sample. */
export function liveSourcesGiven(o: LiveInputOptions): string[] {
  return [o.fromQueue && "--from-queue", o.fromTrail && "--from-trail"].filter((x): x is string => Boolean(x));
}

/**
 * The live source, when one was asked for; undefined otherwise (then --input / --sample apply).
 * May change `o.batchSize` to the config's BatchSize for --from-queue, so batches match the mapping's.
 */
export async function resolveLiveInput(
  o: LiveInputOptions & { input?: string; sample?: boolean },
  ctx: Pick<RunContext, "opts" | "report" | "cwd" | "clock">,
  clients: { sqs?: SQSClient; cloudtrail?: CloudTrailClient } = {},
): Promise<LiveInput | undefined> {
  const live = liveSourcesGiven(o);
  const others = [o.input !== undefined && "--input", o.sample && "--sample"].filter(Boolean);
  if (live.length === 0) {
    if (o.since !== undefined || o.until !== undefined) throw new UsageError("--since / --until go with --from-trail");
    if (o.queue !== undefined) throw new UsageError("--queue goes with --from-queue");
    return undefined;
  }
  if (live.length + others.length > 1) throw new UsageError(`give only one of ${[...others, ...live].join(", ")}`);
  const { awsClient } = await import("../adapters/aws/clients.js");
  if (o.fromQueue) {
    const { resolveQueueTarget } = await import("./context.js");
    const t = await resolveQueueTarget(ctx.opts, o.queue, {
      missing: "--from-queue: say which queue with --queue NAME|URL|ARN (or set queue.name in the config file)",
      cwd: ctx.cwd,
    });
    if (!o.batchSizeGiven && t.cfg?.batching.batchSize) o.batchSize = t.cfg.batching.batchSize;
    const sqs = clients.sqs ?? (await awsClient("sqs", { ...ctx.opts, ...t.aws }));
    return peekQueueInput(sqs, t.queue, o.max ?? 100, ctx.report);
  }
  if (o.since === undefined) throw new UsageError("--from-trail needs --since (e.g. --since 2h or an ISO time)");
  const cloudtrail =
    clients.cloudtrail ?? (await (await import("../adapters/aws/cloudtrail.js")).trailClient(ctx.opts));
  return readTrailInput(cloudtrail, o.since, o.until, ctx.report, new Date(ctx.clock.now()));
}

/** The same safe peek as `queue peek` (peekQueue, same arguments) → the events the handler would receive. */
export async function peekQueueInput(
  sqs: SQSClient,
  queue: string,
  max: number,
  reporter: Reporter,
): Promise<LiveInput> {
  const { peekQueue } = await import("../adapters/aws/sqs-peek.js");
  const ui = say(reporter);
  const { queue: ref, result, warnings } = await peekQueue(sqs, { queue, max }, (text) => ui.progress(text));
  const messages = result.messages;
  const events: ApiCallEvent[] = [];
  const invalid: InvalidRecord[] = [];
  messages.forEach((m, index) => {
    if (m.event) events.push(m.event);
    else invalid.push({ index, messageId: m.messageId, reason: m.unreadable ?? "not an API-call event" });
  });
  ui.info(
    `read ${plural(messages.length, "message")} from ${ref.url} ` +
      `(${plural(events.length, "API-call event")}, ${invalid.length} unreadable)`,
  );
  for (const w of warnings) ui.warn(w);
  return { events, invalid, lambdaBatch: false, label: `queue ${ref.name}` };
}

/** One paced LookupEvents scan of UpdateService calls in [since, until). */
export async function readTrailInput(
  cloudtrail: CloudTrailClient,
  sinceArg: string,
  untilArg: string | undefined,
  reporter: Reporter,
  now: Date = new Date(),
): Promise<LiveInput> {
  const [{ parseTimeArg, withinTrailHistory }, trail] = await Promise.all([
    import("../core/time/duration.js"),
    import("../adapters/aws/cloudtrail.js"),
  ]);
  const since = withinTrailHistory(parseTimeArg(sinceArg, "--since", now), sinceArg, "--since", now);
  const until = untilArg !== undefined ? parseTimeArg(untilArg, "--until", now) : now;
  if (since >= until)
    throw new UsageError(`--since (${since.toISOString()}) must be before --until (${until.toISOString()})`);
  const ui = say(reporter);
  const spin = ui.progress("reading UpdateService calls from CloudTrail…");
  let events: ApiCallEvent[];
  try {
    events = await trail.lookupEvents({ eventName: "UpdateService", since, until }, cloudtrail);
  } finally {
    spin.stop();
  }
  ui.info(
    `read ${plural(events.length, "UpdateService call")} from CloudTrail LookupEvents, ` +
      `${since.toISOString()} → ${until.toISOString()}`,
  );
  return {
    events,
    invalid: [],
    lambdaBatch: false,
    label: `CloudTrail ${since.toISOString()} → ${until.toISOString()}`,
  };
}
