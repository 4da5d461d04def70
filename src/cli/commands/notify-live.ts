// Live sources for `notify dry-run` / `notify send` (--from-queue: a safe peek of what waits in the
// queue; --from-trail: the calls of a past period) and `notify forecast` (upcoming waves of scheduled
// calls → digests). Registered from notify.ts; SDK clients and the digest code load inside actions.
import type { Command } from "commander";
import { action, intOption, type Ctx } from "./action.js";
import { UsageError } from "../../core/errors.js";
import type { CommandResult, GlobalOptions, Ui } from "../output/output.js";
import type { ApiCallEvent, InvalidRecord } from "../../core/events/events.js";
import type { SourcedInput } from "../../app/notify-input.js";
import { scheduleFromConfig, type Schedule } from "../../core/schedule/schedule.js";
import type { SlackMessage } from "../../core/digest/digest.js";
import type { SchedulerClient } from "@aws-sdk/client-scheduler";
import type { SQSClient } from "@aws-sdk/client-sqs";
import type { CloudTrailClient } from "@aws-sdk/client-cloudtrail";
import { plural } from "../../core/text/text.js";
import { formatUtcShort } from "../../core/time/zoned-time.js";

// ---------- --from-queue / --from-trail ----------

export interface LiveInputOptions {
  fromQueue?: boolean;
  queue?: string;
  max?: number;
  fromTrail?: boolean;
  since?: string;
  until?: string;
  /** Set by the preAction hook: --batch-size was given on the command line (else the config's BatchSize wins). */
  batchSizeGiven?: boolean;
  batchSize?: number;
}

/** Same shape as notify-input's SourcedInput, so the rest of dry-run / send is shared. */
export type LiveInput = SourcedInput;

/** The options notify dry-run / send grow for the live sources; call from notify.ts's addInputOptions. */
export function addLiveInputOptions(cmd: Command): Command {
  return cmd
    .option("--from-queue", "digest the messages now waiting in the queue (safe peek: nothing is deleted)")
    .option("--queue <name|url|arn>", "with --from-queue: the queue (default: the config file's queue)")
    .option("--max <n>", "with --from-queue: read at most this many messages", intOption("--max", { max: 10_000 }), 100)
    .option("--from-trail", "digest the UpdateService calls CloudTrail recorded in a past period (with --since)")
    .option("--since <when>", "with --from-trail: start of the period, a duration ago (2h) or an ISO time")
    .option("--until <when>", "with --from-trail: end of the period (default: now)")
    .hook("preAction", (thisCmd) => {
      thisCmd.setOptionValue("batchSizeGiven", thisCmd.getOptionValueSource("batchSize") === "cli");
    });
}

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
  ctx: { opts: GlobalOptions; ui: Pick<Ui, "info" | "warn" | "spinner"> },
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
  const { awsClient } = await import("../../adapters/aws/clients.js");
  if (o.fromQueue) {
    const { resolveQueueTarget } = await import("../../app/context.js");
    const t = await resolveQueueTarget(
      ctx.opts,
      o.queue,
      "--from-queue: say which queue with --queue NAME|URL|ARN (or set queue.name in the config file)",
    );
    if (!o.batchSizeGiven && t.cfg?.batching.batchSize) o.batchSize = t.cfg.batching.batchSize;
    const sqs = clients.sqs ?? (await awsClient("sqs", { ...ctx.opts, ...t.aws }));
    return peekQueueInput(sqs, t.queue, o.max ?? 100, ctx.ui);
  }
  if (o.since === undefined) throw new UsageError("--from-trail needs --since (e.g. --since 2h or an ISO time)");
  const cloudtrail = clients.cloudtrail ?? (await (await import("../../adapters/aws/cloudtrail.js")).trailClient(ctx.opts));
  return readTrailInput(cloudtrail, o.since, o.until, ctx.ui);
}

/** The same safe peek as `queue peek` (peekQueue, same arguments) → the events the handler would receive. */
export async function peekQueueInput(
  sqs: SQSClient,
  queue: string,
  max: number,
  ui: Pick<Ui, "info" | "warn" | "spinner">,
): Promise<LiveInput> {
  const { peekQueue } = await import("../../adapters/aws/sqs-peek.js");
  const { queue: ref, result, warnings } = await peekQueue(sqs, { queue, max }, (text) => ui.spinner(text));
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
  ui: Pick<Ui, "info" | "warn" | "spinner">,
  now: Date = new Date(),
): Promise<LiveInput> {
  const [{ parseTimeArg, withinTrailHistory }, trail] = await Promise.all([import("../../core/time/duration.js"), import("../../adapters/aws/cloudtrail.js")]);
  const since = withinTrailHistory(parseTimeArg(sinceArg, "--since", now), sinceArg, "--since", now);
  const until = untilArg !== undefined ? parseTimeArg(untilArg, "--until", now) : now;
  if (since >= until) throw new UsageError(`--since (${since.toISOString()}) must be before --until (${until.toISOString()})`);
  const spin = ui.spinner("reading UpdateService calls from CloudTrail…");
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
  return { events, invalid: [], lambdaBatch: false, label: `CloudTrail ${since.toISOString()} → ${until.toISOString()}` };
}

// ---------- notify forecast ----------

export interface ForecastOpts {
  from?: string;
  hours: number;
  batchSize?: number;
  window?: number;
  fromConfig?: boolean;
  timezone?: string;
  group?: string;
}

export interface ForecastWaveView {
  at: string;
  last: string;
  calls: number;
  digests: number;
  /** Calls with a flexible time window: they may come up to `maxFlexibleMinutes` later, possibly in another batch. */
  flexibleCalls: number;
  maxFlexibleMinutes: number;
  services: { schedule: string; group: string; cluster: string; service: string; desiredCount: number | null; at: string }[];
  preview: SlackMessage | null;
}

export interface ForecastData {
  waves: ForecastWaveView[];
  period: { from: string; to: string };
  batching: { batchSize: number; windowSeconds: number; source: string };
  schedules: { source: string; count: number };
  note: string;
}

const SPLIT_NOTE =
  "Best case: ceil(calls / BatchSize) digests per wave. Lambda polls SQS with several pollers in parallel, " +
  "so a wave can arrive as more, smaller batches (more Slack messages) than this.";

export function registerForecast(notify: Command): void {
  notify
    .command("forecast")
    .description("the waves of scheduled UpdateService calls coming up, and the digests each will produce")
    .option("--from <iso>", "start of the forecast (default: now)")
    .option("--hours <n>", "how far ahead to look", intOption("--hours", { max: 24 * 31 }), 24)
    .option("--batch-size <n>", "the mapping's BatchSize (default: the config's, else 10)", intOption("--batch-size", { max: 10_000 }))
    .option("--window <seconds>", "MaximumBatchingWindowInSeconds (default: the config's, else 300)", intOption("--window", { min: 0, max: 300 }))
    .option("--from-config", "use the config file's schedules instead of the live ones")
    .option("--group <name>", "only this schedule group")
    .option("--timezone <tz>", "time zone of the previews (default: DIGEST_TIMEZONE, the config's, or UTC)")
    .addHelpText(
      "after",
      `
Fires within the batching window of a wave's first fire form one wave.
${SPLIT_NOTE}

Examples:
  $ traildigest notify forecast                        the next 24 hours of live schedules
  $ traildigest notify forecast --from-config --hours 168 --json`,
    )
    .action(action(forecastCommand));
}

async function forecastCommand(ctx: Ctx, o: ForecastOpts): Promise<CommandResult> {
  let scheduler: SchedulerClient | undefined;
  if (!o.fromConfig) {
    const { awsClient } = await import("../../adapters/aws/clients.js");
    scheduler = await awsClient("scheduler", ctx.opts);
  }
  const data = await runForecast({ ...(scheduler ? { scheduler } : {}), opts: ctx.opts, ui: ctx.ui }, o);
  if (ctx.ui.format === "table") await preloadPreview();
  return { data, render: (d, u) => renderForecast(d as ForecastData, u) };
}

export async function runForecast(
  deps: { scheduler?: Pick<SchedulerClient, "send">; opts: GlobalOptions; ui: Pick<Ui, "info" | "warn" | "spinner">; now?: Date },
  o: ForecastOpts,
): Promise<ForecastData> {
  const [{ loadConfig }, forecast, { buildDigest }, { parseFromArg }] = await Promise.all([
    import("../../adapters/files/config-file.js"),
    import("../../core/audit/forecast.js"),
    import("../../core/digest/digest.js"),
    import("../../core/time/duration.js"),
  ]);
  const now = deps.now ?? new Date();
  const from = parseFromArg(o.from, now);
  const to = new Date(from.getTime() + o.hours * 3_600_000);
  const config = await loadConfig(deps.opts.config);
  if (o.fromConfig && !config) throw new UsageError("--from-config: no config file (create one with `traildigest init` or pass --config)");
  const batchSize = o.batchSize ?? config?.batching.batchSize ?? 10;
  const windowSeconds = o.window ?? config?.batching.windowSeconds ?? 300;
  const batchingSource = o.batchSize !== undefined || o.window !== undefined ? "flags" : config ? "config file" : "defaults";
  const { resolveZone, resolveAwsEnv } = await import("../../app/context.js");
  const timeZone = (await resolveZone(o.timezone, { configTz: config?.function.digestTimezone, fallback: "UTC" })).timeZone!;
  // The region the synthesized events name: the same chain as every AWS command (app/context.ts).
  const region = (await resolveAwsEnv({ region: deps.opts.region, configRegion: config?.region })).region ?? "us-east-1";

  let schedules: Schedule[];
  let source: string;
  if (o.fromConfig) {
    schedules = config!.schedules.map(scheduleFromConfig);
    source = "config file";
  } else {
    if (!deps.scheduler) throw new Error("runForecast: a Scheduler client is needed for live schedules");
    const [{ fetchSchedules }, { decodeScheduleDetail }] = await Promise.all([
      import("../../adapters/aws/scheduler.js"),
      import("../../core/schedule/schedules.js"),
    ]);
    const spin = deps.ui.spinner("reading schedules…");
    try {
      const raws = await fetchSchedules(deps.scheduler, {
        ...(o.group ? { group: o.group } : {}),
        onProgress: (d, t) => spin.update(`reading schedules ${d}/${t}…`),
      });
      schedules = raws.map((r) => decodeScheduleDetail(r, { from, count: 0 }));
    } finally {
      spin.stop();
    }
    source = "EventBridge Scheduler";
  }
  if (o.group !== undefined) schedules = schedules.filter((s) => (s.group ?? "default") === o.group);
  deps.ui.info(
    `forecast from ${plural(schedules.length, "schedule")} (${source}), ` +
      `${from.toISOString()} → ${to.toISOString()}, BatchSize ${batchSize}, window ${windowSeconds} s (${batchingSource})`,
  );

  const skipped: { schedule: string; group: string; reason: string }[] = [];
  const waves = forecast.forecastWaves(schedules, { from, to, batchSize, windowSeconds, skipped });
  for (const k of skipped) deps.ui.warn(`${k.group}/${k.schedule}: left out, its fire times cannot be computed (${k.reason})`);
  const views: ForecastWaveView[] = waves.map((w) => {
    const events = forecast.synthesizeEvents(forecast.firstBatch(w, batchSize), { region });
    return {
      at: w.at.toISOString(),
      last: w.last.toISOString(),
      calls: w.calls.length,
      digests: w.digests,
      flexibleCalls: w.calls.filter((c) => c.flexibleWindowMinutes > 0).length,
      maxFlexibleMinutes: Math.max(0, ...w.calls.map((c) => c.flexibleWindowMinutes)),
      services: w.calls.map((c) => ({
        schedule: c.schedule,
        group: c.group,
        cluster: c.cluster,
        service: c.service,
        desiredCount: c.desiredCount,
        at: c.at.toISOString(),
      })),
      preview: buildDigest(events, { timeZone }).message,
    };
  });
  return {
    waves: views,
    period: { from: from.toISOString(), to: to.toISOString() },
    batching: { batchSize, windowSeconds, source: batchingSource },
    schedules: { source, count: schedules.length },
    note: SPLIT_NOTE,
  };
}

let previewMod: typeof import("../output/preview.js") | undefined;

export function renderForecast(d: ForecastData, ui: Ui): string {
  const c = ui.c;
  if (d.waves.length === 0) {
    return `No scheduled UpdateService calls between ${formatUtcShort(d.period.from)} and ${formatUtcShort(d.period.to)} (${d.schedules.count} schedules read).`;
  }
  const out: string[] = [];
  out.push(
    ui.table({
      head: ["wave (UTC)", "calls", "digests (best case)", "services"],
      wrap: [3],
      align: ["left", "right", "right", "left"],
      rows: d.waves.map((w) => {
        const names = w.services.map((s) => `${s.cluster}/${s.service} → ${s.desiredCount ?? "?"}`);
        const shown = names.length > 6 ? [...names.slice(0, 6), c.dim(`…and ${names.length - 6} more`)] : names;
        const span = w.last !== w.at ? `\n${c.dim(`to ${formatUtcShort(w.last)}`)}` : "";
        const flex = w.flexibleCalls
          ? `\n${c.dim(`${w.flexibleCalls} flexible: up to +${w.maxFlexibleMinutes} min`)}`
          : "";
        return [`${formatUtcShort(w.at)}${span}${flex}`, w.calls, w.digests, shown.join("\n")];
      }),
    }),
  );
  for (const [i, w] of d.waves.entries()) {
    if (!w.preview || !previewMod) continue;
    const title = ` Wave ${i + 1} at ${formatUtcShort(w.at)}: ${w.digests === 1 ? "its digest" : `first of ${w.digests} digests`} (best case) `;
    out.push("");
    out.push(c.dim(`──${title}${"─".repeat(Math.max(4, 62 - title.length))}`));
    out.push(previewMod.renderPreview(w.preview, c));
  }
  const totalCalls = d.waves.reduce((n, w) => n + w.calls, 0);
  const totalDigests = d.waves.reduce((n, w) => n + w.digests, 0);
  out.push("");
  out.push(
    c.bold(
      `${plural(d.waves.length, "wave")}, ${plural(totalCalls, "call")}, ` +
        `at least ${plural(totalDigests, "digest")} · BatchSize ${d.batching.batchSize}, window ${d.batching.windowSeconds} s (${d.batching.source})`,
    ),
  );
  out.push(c.dim(d.note));
  return out.join("\n");
}

/** Load the terminal preview renderer before render (renderers are synchronous). */
export async function preloadPreview(): Promise<void> {
  previewMod ??= await import("../output/preview.js");
}
