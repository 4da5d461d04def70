// `notify forecast`: the waves of scheduled UpdateService calls coming up (live schedules or the config's),
// and the digest each wave's first batch would produce. Pure forecasting is core/audit/forecast.ts.
import { UsageError } from "../core/errors.js";
import { scheduleFromConfig, type Schedule } from "../core/schedule/schedule.js";
import type { SlackMessage } from "../core/digest/digest.js";
import type { SchedulerClient } from "@aws-sdk/client-scheduler";
import type { Config } from "../core/setup/config-schema.js";
import { plural } from "../core/text/text.js";
import { say, silentReporter, type Reporter } from "./report.js";
import type { GlobalOptions, RunContext } from "./run-context.js";
import { SPLIT_NOTE } from "./forecast-note.js";

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
  services: {
    schedule: string;
    group: string;
    cluster: string;
    service: string;
    desiredCount: number | null;
    at: string;
  }[];
  preview: SlackMessage | null;
}

export interface ForecastData {
  waves: ForecastWaveView[];
  period: { from: string; to: string };
  batching: { batchSize: number; windowSeconds: number; source: string };
  schedules: { source: string; count: number };
  note: string;
}

export interface ForecastDeps {
  scheduler?: Pick<SchedulerClient, "send">;
  opts: GlobalOptions;
  report?: Reporter;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  now?: Date;
}

type Ui = ReturnType<typeof say>;

interface Inputs {
  from: Date;
  to: Date;
  config: Config | undefined;
  batchSize: number;
  windowSeconds: number;
  batchingSource: string;
  timeZone: string;
  region: string;
}

/** The period, the config file, batching, time zone and region: flags first, then the config, then defaults. */
async function resolveInputs(deps: ForecastDeps, o: ForecastOpts): Promise<Inputs> {
  const [{ loadConfig }, { parseFromArg }, { resolveZone }, { resolveAwsEnv }] = await Promise.all([
    import("../adapters/files/config-file.js"),
    import("../core/time/duration.js"),
    import("./context.js"),
    import("../adapters/aws/env.js"),
  ]);
  const env = deps.env ?? process.env;
  const now = deps.now ?? new Date();
  const from = parseFromArg(o.from, now);
  const to = new Date(from.getTime() + o.hours * 3_600_000);
  const config = await loadConfig(deps.opts.config, deps.cwd);
  if (o.fromConfig && !config)
    throw new UsageError("--from-config: no config file (create one with `traildigest init` or pass --config)");
  const batchSize = o.batchSize ?? config?.batching.batchSize ?? 10;
  const windowSeconds = o.window ?? config?.batching.windowSeconds ?? 300;
  const batchingSource =
    o.batchSize !== undefined || o.window !== undefined ? "flags" : config ? "config file" : "defaults";
  const timeZone = (await resolveZone(o.timezone, { configTz: config?.function.digestTimezone, fallback: "UTC" }, env))
    .timeZone!;
  // The region the synthesized events name: the same chain as every AWS command (app/context.ts).
  const region =
    (await resolveAwsEnv({ region: deps.opts.region, configRegion: config?.region }, env)).region ?? "us-east-1";
  return { from, to, config, batchSize, windowSeconds, batchingSource, timeZone, region };
}

/** The config's schedules (--from-config) or the live ones, then only --group's. */
async function readSchedules(
  deps: ForecastDeps,
  o: ForecastOpts,
  inputs: Inputs,
  ui: Ui,
): Promise<{ schedules: Schedule[]; source: string }> {
  let schedules: Schedule[];
  let source: string;
  if (o.fromConfig) {
    schedules = inputs.config!.schedules.map(scheduleFromConfig);
    source = "config file";
  } else {
    if (!deps.scheduler) throw new Error("runForecast: a Scheduler client is needed for live schedules");
    const [{ fetchSchedules }, { decodeScheduleDetail }] = await Promise.all([
      import("../adapters/aws/scheduler.js"),
      import("../core/schedule/schedules.js"),
    ]);
    const spin = ui.progress("reading schedules…");
    try {
      const raws = await fetchSchedules(deps.scheduler, {
        ...(o.group ? { group: o.group } : {}),
        onProgress: (d, t) => spin.update(`reading schedules ${d}/${t}…`),
      });
      schedules = raws.map((r) => decodeScheduleDetail(r, { from: inputs.from, count: 0 }));
    } finally {
      spin.stop();
    }
    source = "EventBridge Scheduler";
  }
  if (o.group !== undefined) schedules = schedules.filter((s) => (s.group ?? "default") === o.group);
  return { schedules, source };
}

/** The waves and, for each, the digest its first batch would produce. */
async function forecastViews(schedules: Schedule[], inputs: Inputs, ui: Ui): Promise<ForecastWaveView[]> {
  const [forecast, { buildDigest }] = await Promise.all([
    import("../core/audit/forecast.js"),
    import("../core/digest/digest.js"),
  ]);
  const { from, to, batchSize, windowSeconds, region, timeZone } = inputs;
  const skipped: { schedule: string; group: string; reason: string }[] = [];
  const waves = forecast.forecastWaves(schedules, { from, to, batchSize, windowSeconds, skipped });
  for (const k of skipped)
    ui.warn(`${k.group}/${k.schedule}: left out, its fire times cannot be computed (${k.reason})`);
  return waves.map((w) => {
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
}

export async function runForecast(deps: ForecastDeps, o: ForecastOpts): Promise<ForecastData> {
  const ui = say(deps.report ?? silentReporter);
  const inputs = await resolveInputs(deps, o);
  const { from, to, batchSize, windowSeconds, batchingSource } = inputs;
  const { schedules, source } = await readSchedules(deps, o, inputs, ui);
  ui.info(
    `forecast from ${plural(schedules.length, "schedule")} (${source}), ` +
      `${from.toISOString()} → ${to.toISOString()}, BatchSize ${batchSize}, window ${windowSeconds} s (${batchingSource})`,
  );
  return {
    waves: await forecastViews(schedules, inputs, ui),
    period: { from: from.toISOString(), to: to.toISOString() },
    batching: { batchSize, windowSeconds, source: batchingSource },
    schedules: { source, count: schedules.length },
    note: SPLIT_NOTE,
  };
}

/** The command: live schedules need a Scheduler client (made here), the config's do not. */
export async function forecastCommand(ctx: RunContext, o: ForecastOpts): Promise<ForecastData> {
  let scheduler: SchedulerClient | undefined;
  if (!o.fromConfig) {
    const { awsClient } = await import("../adapters/aws/clients.js");
    scheduler = await awsClient("scheduler", ctx.opts);
  }
  return runForecast(
    {
      ...(scheduler ? { scheduler } : {}),
      opts: ctx.opts,
      report: ctx.report,
      env: ctx.env,
      cwd: ctx.cwd,
      now: new Date(ctx.clock.now()),
    },
    o,
  );
}
