// `schedules audit`: did every scheduled scale really happen? Expected fires of every ECS UpdateService
// schedule vs ONE paced CloudTrail LookupEvents scan, shared by all schedules. Matching is core/audit/audit.ts;
// rendering is cli/render/audit.ts.
import { UsageError } from "../core/errors.js";
import type { AuditedFire, AuditResult } from "../core/audit/audit.js";
import type { Schedule } from "../core/schedule/schedule.js";
import type { ApiCallEvent } from "../core/events/events.js";
import type { SchedulerClient } from "@aws-sdk/client-scheduler";
import type { CloudTrailClient } from "@aws-sdk/client-cloudtrail";
import { plural } from "../core/text/text.js";
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
}

export interface AuditDeps {
  scheduler: Pick<SchedulerClient, "send">;
  cloudtrail: Pick<CloudTrailClient, "send">;
  report?: Reporter;
  now?: Date;
  /** The scan's pacing (tests: a pacer of their own instead of the process-wide one). */
  lookup?: import("../adapters/aws/cloudtrail.js").LookupDeps;
}

/** The whole command minus rendering: fetch schedules, one trail scan, match. Exported for tests. */
export async function runAudit(deps: AuditDeps, o: AuditOpts): Promise<AuditData> {
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
  const ui = say(deps.report ?? silentReporter);
  const now = deps.now ?? new Date();
  const from = withinTrailHistory(parseTimeArg(o.since, "--since", now), o.since, "--since", now);
  let to = o.until !== undefined ? parseTimeArg(o.until, "--until", now) : now;
  if (to > now) to = now; // fires after now are not due yet
  if (from >= to) throw new UsageError(`--since (${from.toISOString()}) must be before --until (${to.toISOString()})`);
  const pendingMarginMs = parseDuration(o.pendingMargin, "--pending-margin");
  const toleranceMs = parseDuration(o.tolerance, "--tolerance");

  const spin = ui.progress("reading schedules…");
  let schedules: Schedule[];
  let calls: ApiCallEvent[];
  let range: { since: Date; until: Date };
  // One spinner line for both reads while they run side by side.
  const progress = { schedules: "reading schedules…", trail: "" };
  const show = () => spin.update([progress.schedules, progress.trail].filter(Boolean).join(" · "));
  let stopScan = false;
  const scan = (r: { since: Date; until: Date }) =>
    trail.scanTrail(
      {
        eventName: "UpdateService",
        since: r.since,
        until: r.until,
        onPage: (page, total) => {
          if (stopScan) throw new Error("scan stopped: reading the schedules failed"); // never reported: the other error is
          progress.trail = `reading UpdateService calls from CloudTrail… page ${page}, ${total} calls`;
          show();
        },
      },
      deps.cloudtrail,
      deps.lookup,
    );
  try {
    // When the period reaches (nearly) now, the scan range does not depend on the schedules: read both at once,
    // so the audit costs its slower read, not their sum.
    const upfront = audit.scanRangeUpfront({ from, to, now, toleranceMs });
    const early = upfront ? scan(upfront) : undefined;
    let raws;
    try {
      // Every group: a call made by another group's schedule is explained, not unexpected.
      raws = await fetchSchedules(deps.scheduler, {
        ...(o.concurrency ? { concurrency: o.concurrency } : {}),
        onProgress: (done, total) => {
          progress.schedules = `reading schedules ${done}/${total}…`;
          show();
        },
      });
    } catch (err) {
      stopScan = true;
      early?.catch(() => {});
      throw err;
    }
    schedules = raws.map((r) => decodeScheduleDetail(r, { from, count: 0 }));
    range = upfront ?? audit.scanRange(schedules, { from, to, now, toleranceMs });
    progress.schedules = "";
    if (!early) progress.trail = "reading UpdateService calls from CloudTrail…";
    show();
    const scanned = await (early ?? scan(range));
    calls = scanned.events;
    // Never guessed at, but said: an unreadable record could be a scale that would change a status.
    if (scanned.unreadable.length) {
      ui.warn(
        `${plural(scanned.unreadable.length, "CloudTrail record")} could not be read and were left out: ${scanned.unreadable
          .slice(0, 3)
          .map((u) => `${u.eventId ?? "?"} (${u.reason})`)
          .join("; ")}`,
      );
    }
  } finally {
    spin.stop();
  }

  const auditable = audit.auditableSchedules(schedules);
  if (o.group !== undefined && !schedules.some((s) => s.group === o.group)) {
    ui.warn(`no schedule in group "${o.group}"`);
  }
  ui.info(
    `read ${plural(schedules.length, "schedule")} (${auditable.length} scaling ECS services) from EventBridge Scheduler ` +
      `and ${plural(calls.length, "UpdateService call")} from CloudTrail LookupEvents, ` +
      `${range.since.toISOString()} → ${range.until.toISOString()}`,
  );
  const result = audit.audit(schedules, calls, {
    from,
    to,
    now,
    toleranceMs,
    pendingMarginMs,
    ...(o.group !== undefined ? { group: o.group } : {}),
  });
  for (const k of result.skipped)
    ui.warn(`${k.group}/${k.schedule}: not audited, its fire times cannot be computed (${k.reason})`);
  for (const k of result.notExpected) {
    ui.info(`${k.group}/${k.schedule}: ${plural(k.fires, "fire")} before ${k.before} not expected (${k.reason})`);
  }
  return {
    fires: result.fires,
    unexpected: result.unexpected,
    deploys: result.deploys,
    autoScaling: result.autoScaling,
    skipped: result.skipped,
    notExpected: result.notExpected,
    summary: result.summary,
    period: { since: from.toISOString(), until: to.toISOString() },
    scanned: { since: range.since.toISOString(), until: range.until.toISOString(), calls: calls.length },
  };
}

/** The command: a Scheduler client and a CloudTrail client (SDK retries off: the scan paces and retries itself). */
export async function auditCommand(ctx: RunContext, o: AuditOpts): Promise<AuditData> {
  const [{ awsClient }, { trailClient }] = await Promise.all([
    import("../adapters/aws/clients.js"),
    import("../adapters/aws/cloudtrail.js"),
  ]);
  const [scheduler, cloudtrail] = await Promise.all([awsClient("scheduler", ctx.opts), trailClient(ctx.opts)]);
  return runAudit({ scheduler, cloudtrail, report: ctx.report, now: new Date(ctx.clock.now()) }, o);
}
