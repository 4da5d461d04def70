// `schedules audit`: did every scheduled scale really happen? Expected fires of every ECS UpdateService
// schedule vs ONE paced CloudTrail LookupEvents scan, shared by all schedules. Matching is core/audit/audit.ts;
// rendering is cli/render/audit.ts.
import { UsageError } from "../core/errors.js";
import type { AuditedFire, AuditResult } from "../core/audit/audit.js";
import type { Schedule } from "../core/schedule/schedule.js";
import type { ApiCallEvent } from "../core/events/events.js";
import type { SchedulerClient } from "@aws-sdk/client-scheduler";
import type { CloudTrailClient } from "@aws-sdk/client-cloudtrail";
import { plural, type LookedIn } from "../core/text/text.js";
import { say, silentReporter, type Reporter } from "./report.js";
import type { RunContext } from "./run-context.js";

export interface AuditOpts {
  since: string;
  until?: string;
  group?: string;
  pendingMargin: string;
  tolerance: string;
  concurrency?: number;
}

export interface AuditData {
  fires: AuditedFire[];
  unexpected: ApiCallEvent[];
  deploys: ApiCallEvent[];
  autoScaling: ApiCallEvent[];
  skipped: AuditResult["skipped"];
  notExpected: AuditResult["notExpected"];
  summary: AuditResult["summary"];
  period: { since: string; until: string };
  scanned: { since: string; until: string; calls: number };
  /** Only when there is no schedule at all: the region and account searched (a wrong region is the usual reason). */
  lookedIn?: LookedIn;
}

export interface AuditDeps {
  scheduler: Pick<SchedulerClient, "send">;
  cloudtrail: Pick<CloudTrailClient, "send">;
  report?: Reporter;
  now?: Date;
  /** The scan's pacing (tests: a pacer of their own instead of the process-wide one). */
  lookup?: import("../adapters/aws/cloudtrail.js").LookupDeps;
  /** Where the schedules were read, asked only when there are none (an STS call). */
  whereLooked?: () => Promise<LookedIn>;
}

/** The modules the audit needs, loaded together (the help path loads none of them). */
async function loadModules() {
  const [
    { parseDuration, parseTimeArg, withinTrailHistory },
    audit,
    { fetchSchedules },
    { decodeScheduleDetail },
    trail,
  ] = await Promise.all([
    import("../core/time/duration.js"),
    import("../core/audit/audit.js"),
    import("../adapters/aws/scheduler.js"),
    import("../core/schedule/schedules.js"),
    import("../adapters/aws/cloudtrail.js"),
  ]);
  return { parseDuration, parseTimeArg, withinTrailHistory, audit, fetchSchedules, decodeScheduleDetail, trail };
}
type Modules = Awaited<ReturnType<typeof loadModules>>;
type Ui = ReturnType<typeof say>;

interface Period {
  from: Date;
  to: Date;
  now: Date;
  pendingMarginMs: number;
  toleranceMs: number;
}

interface Read {
  schedules: Schedule[];
  calls: ApiCallEvent[];
  range: { since: Date; until: Date };
}

/** The period and margins from the flags, checked before any AWS call. */
function resolvePeriod(m: Modules, o: AuditOpts, now: Date): Period {
  const from = m.withinTrailHistory(m.parseTimeArg(o.since, "--since", now), o.since, "--since", now);
  let to = o.until !== undefined ? m.parseTimeArg(o.until, "--until", now) : now;
  if (to > now) to = now; // fires after now are not due yet
  if (from >= to) throw new UsageError(`--since (${from.toISOString()}) must be before --until (${to.toISOString()})`);
  const pendingMarginMs = m.parseDuration(o.pendingMargin, "--pending-margin");
  const toleranceMs = m.parseDuration(o.tolerance, "--tolerance");
  return { from, to, now, pendingMarginMs, toleranceMs };
}

/** One spinner line for both reads while they run side by side. */
function sharedProgress(ui: Ui) {
  const spin = ui.progress("reading schedules…");
  const parts = { schedules: "reading schedules…", trail: "" };
  const show = () => spin.update([parts.schedules, parts.trail].filter(Boolean).join(" · "));
  return { spin, parts, show };
}

/** Never guessed at, but said: an unreadable record could be a scale that would change a status. */
function warnUnreadable(ui: Ui, unreadable: { eventId?: string; reason: string }[]): void {
  if (!unreadable.length) return;
  ui.warn(
    `${plural(unreadable.length, "CloudTrail record")} could not be read and were left out: ${unreadable
      .slice(0, 3)
      .map((u) => `${u.eventId ?? "?"} (${u.reason})`)
      .join("; ")}`,
  );
}

/**
 * Every schedule and the UpdateService calls of the scan range. When the period reaches (nearly) now, the
 * scan range does not depend on the schedules: both are read at once, so the audit costs its slower read,
 * not their sum.
 */
async function readSchedulesAndCalls(m: Modules, deps: AuditDeps, o: AuditOpts, p: Period, ui: Ui): Promise<Read> {
  const { spin, parts, show } = sharedProgress(ui);
  let stopScan = false;
  const scan = (r: { since: Date; until: Date }) =>
    m.trail.scanTrail(
      {
        eventName: "UpdateService",
        since: r.since,
        until: r.until,
        onPage: (page, total) => {
          if (stopScan) throw new Error("scan stopped: reading the schedules failed"); // never reported: the other error is
          parts.trail = `reading UpdateService calls from CloudTrail… page ${page}, ${total} calls`;
          show();
        },
      },
      deps.cloudtrail,
      deps.lookup,
    );
  try {
    const upfront = m.audit.scanRangeUpfront({ from: p.from, to: p.to, now: p.now, toleranceMs: p.toleranceMs });
    const early = upfront ? scan(upfront) : undefined;
    let raws;
    try {
      // Every group: a call made by another group's schedule is explained, not unexpected.
      raws = await m.fetchSchedules(deps.scheduler, {
        ...(o.concurrency ? { concurrency: o.concurrency } : {}),
        onProgress: (done, total) => {
          parts.schedules = `reading schedules ${done}/${total}…`;
          show();
        },
      });
    } catch (err) {
      stopScan = true;
      early?.catch(() => {});
      throw err;
    }
    const schedules = raws.map((r) => m.decodeScheduleDetail(r, { from: p.from, count: 0 }));
    const range =
      upfront ?? m.audit.scanRange(schedules, { from: p.from, to: p.to, now: p.now, toleranceMs: p.toleranceMs });
    parts.schedules = "";
    if (!early) parts.trail = "reading UpdateService calls from CloudTrail…";
    show();
    const scanned = await (early ?? scan(range));
    warnUnreadable(ui, scanned.unreadable);
    return { schedules, calls: scanned.events, range };
  } finally {
    spin.stop();
  }
}

/** Match fires to calls, with the notes that go with the result. */
function matchAndReport(m: Modules, read: Read, o: AuditOpts, p: Period, ui: Ui): AuditResult {
  const { schedules, calls, range } = read;
  const auditable = m.audit.auditableSchedules(schedules);
  if (o.group !== undefined && !schedules.some((s) => s.group === o.group)) {
    ui.warn(`no schedule in group "${o.group}"`);
  }
  ui.info(
    `read ${plural(schedules.length, "schedule")} (${auditable.length} scaling ECS services) from EventBridge Scheduler ` +
      `and ${plural(calls.length, "UpdateService call")} from CloudTrail LookupEvents, ` +
      `${range.since.toISOString()} → ${range.until.toISOString()}`,
  );
  const result = m.audit.audit(schedules, calls, {
    from: p.from,
    to: p.to,
    now: p.now,
    toleranceMs: p.toleranceMs,
    pendingMarginMs: p.pendingMarginMs,
    ...(o.group !== undefined ? { group: o.group } : {}),
  });
  for (const k of result.skipped)
    ui.warn(`${k.group}/${k.schedule}: not audited, its fire times cannot be computed (${k.reason})`);
  for (const k of result.notExpected) {
    ui.info(`${k.group}/${k.schedule}: ${plural(k.fires, "fire")} before ${k.before} not expected (${k.reason})`);
  }
  return result;
}

/** The whole command minus rendering: fetch schedules, one trail scan, match. Exported for tests. */
export async function runAudit(deps: AuditDeps, o: AuditOpts): Promise<AuditData> {
  const m = await loadModules();
  const ui = say(deps.report ?? silentReporter);
  const period = resolvePeriod(m, o, deps.now ?? new Date());
  const read = await readSchedulesAndCalls(m, deps, o, period, ui);
  const result = matchAndReport(m, read, o, period, ui);
  const lookedIn = read.schedules.length === 0 && deps.whereLooked ? await deps.whereLooked() : undefined;
  return {
    fires: result.fires,
    unexpected: result.unexpected,
    deploys: result.deploys,
    autoScaling: result.autoScaling,
    skipped: result.skipped,
    notExpected: result.notExpected,
    summary: result.summary,
    period: { since: period.from.toISOString(), until: period.to.toISOString() },
    scanned: { since: read.range.since.toISOString(), until: read.range.until.toISOString(), calls: read.calls.length },
    ...(lookedIn ? { lookedIn } : {}),
  };
}

/** The command: a Scheduler client and a CloudTrail client (SDK retries off: the scan paces and retries itself). */
export async function auditCommand(ctx: RunContext, o: AuditOpts): Promise<AuditData> {
  const [{ awsClient, whereLooked }, { trailClient }] = await Promise.all([
    import("../adapters/aws/clients.js"),
    import("../adapters/aws/cloudtrail.js"),
  ]);
  const [scheduler, cloudtrail] = await Promise.all([awsClient("scheduler", ctx.opts), trailClient(ctx.opts)]);
  return runAudit(
    {
      scheduler,
      cloudtrail,
      report: ctx.report,
      now: new Date(ctx.clock.now()),
      whereLooked: () => whereLooked(ctx.opts),
    },
    o,
  );
}
