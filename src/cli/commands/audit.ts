// `traildigest schedules audit`: did every scheduled scale really happen? Expected fires of every
// ECS UpdateService schedule vs ONE paced CloudTrail LookupEvents scan, shared by all schedules.
// Registered on the `schedules` group by schedules.ts; the SDK and the matching load inside the action.
import type { Command } from "commander";
import { action, intOption, type Ctx } from "./action.js";
import { UsageError } from "../../core/errors.js";
import { formatInZone, formatUtcShort, isTimeZone } from "../../core/time/zoned-time.js";
import type { CommandResult, Ui } from "../output/output.js";
import type { AuditedFire, AuditResult, FireStatus } from "../../core/audit/audit.js";
import type { Schedule } from "../../core/schedule/schedule.js";
import type { ApiCallEvent } from "../../core/events/events.js";
import type { SchedulerClient } from "@aws-sdk/client-scheduler";
import type { CloudTrailClient } from "@aws-sdk/client-cloudtrail";
import { plural } from "../../core/text/text.js";
import { terminalField as field } from "../../core/text/terminal-text.js";

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

export function registerAudit(schedules: Command): void {
  schedules
    .command("audit")
    .description("did every scheduled scale happen? expected fires vs CloudTrail UpdateService calls")
    .option("--since <when>", "start of the period: a duration ago (24h, 7d) or an ISO time", "24h")
    .option("--until <when>", "end of the period: a duration ago or an ISO time (default: now)")
    .option("--group <name>", "report only this schedule group's fires (every group still explains calls)")
    .option("--pending-margin <duration>", "fires more recent than this may not be in CloudTrail yet: pending", "15m")
    .option("--tolerance <duration>", "slack after a fire's flexible window (the scheduler's 60 s precision)", "60s")
    .option("--concurrency <n>", "parallel GetSchedule calls", intOption("--concurrency", { max: 50 }), 8)
    .addHelpText(
      "after",
      `
A fire is ok when its role called UpdateService on that cluster/service with that desired count
within [fire, fire + flexible window + tolerance]; failed when that call has an errorCode; missed when
there is no such call; pending when it is too recent for CloudTrail (about 5 min, not guaranteed).
Calls no schedule explains (a person scaling by hand) are listed as unexpected; deploys and
Application Auto Scaling's calls are listed apart (docs/call-kinds.md).

Examples:
  $ traildigest schedules audit                      the last 24 hours
  $ traildigest schedules audit --since 7d --json    a week, for a script
  $ traildigest schedules audit --since 2026-11-25T00:00:00Z --until 2026-11-26T00:00:00Z

Exit codes: 0 every fire ok or pending · 1 a fire missed or failed · 2 usage · 3 AWS error`,
    )
    .action(action(auditCommand));
}

async function auditCommand({ opts, ui }: Ctx, o: AuditOpts): Promise<CommandResult> {
  const [{ awsClient }, { trailClient }] = await Promise.all([import("../../adapters/aws/clients.js"), import("../../adapters/aws/cloudtrail.js")]);
  // The trail client has SDK retries off: lookupEvents paces and retries every attempt itself.
  const [scheduler, cloudtrail] = await Promise.all([awsClient("scheduler", opts), trailClient(opts)]);
  const data = await runAudit({ scheduler, cloudtrail, ui }, o);
  const problems = data.summary.missed + data.summary.failed > 0;
  return { data, render: (d, u) => renderAudit(d as AuditData, u), exitCode: problems ? 1 : 0 };
}

export interface AuditDeps {
  scheduler: Pick<SchedulerClient, "send">;
  cloudtrail: Pick<CloudTrailClient, "send">;
  ui?: Pick<Ui, "info" | "warn" | "spinner">;
  now?: Date;
  /** The scan's pacing (tests: a pacer of their own instead of the process-wide one). */
  lookup?: import("../../adapters/aws/cloudtrail.js").LookupDeps;
}

/** The whole command minus rendering: fetch schedules, one trail scan, match. Exported for tests. */
export async function runAudit(deps: AuditDeps, o: AuditOpts): Promise<AuditData> {
  const [{ parseDuration, parseTimeArg, withinTrailHistory }, audit, { fetchSchedules }, { decodeScheduleDetail }, trail] = await Promise.all([
    import("../../core/time/duration.js"),
    import("../../core/audit/audit.js"),
    import("../../adapters/aws/scheduler.js"),
    import("../../core/schedule/schedules.js"),
    import("../../adapters/aws/cloudtrail.js"),
  ]);
  const now = deps.now ?? new Date();
  const from = withinTrailHistory(parseTimeArg(o.since, "--since", now), o.since, "--since", now);
  let to = o.until !== undefined ? parseTimeArg(o.until, "--until", now) : now;
  if (to > now) to = now; // fires after now are not due yet
  if (from >= to) throw new UsageError(`--since (${from.toISOString()}) must be before --until (${to.toISOString()})`);
  const pendingMarginMs = parseDuration(o.pendingMargin, "--pending-margin");
  const toleranceMs = parseDuration(o.tolerance, "--tolerance");

  const spin = deps.ui?.spinner("reading schedules…");
  let schedules: Schedule[];
  let calls: ApiCallEvent[];
  let range: { since: Date; until: Date };
  // One spinner line for both reads while they run side by side.
  const progress = { schedules: "reading schedules…", trail: "" };
  const show = () => spin?.update([progress.schedules, progress.trail].filter(Boolean).join(" · "));
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
      deps.ui?.warn(
        `${plural(scanned.unreadable.length, "CloudTrail record")} could not be read and were left out: ${scanned.unreadable
          .slice(0, 3)
          .map((u) => `${u.eventId ?? "?"} (${u.reason})`)
          .join("; ")}`,
      );
    }
  } finally {
    spin?.stop();
  }

  const auditable = audit.auditableSchedules(schedules);
  if (o.group !== undefined && !schedules.some((s) => s.group === o.group)) {
    deps.ui?.warn(`no schedule in group "${o.group}"`);
  }
  deps.ui?.info(
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
  for (const k of result.skipped) deps.ui?.warn(`${k.group}/${k.schedule}: not audited, its fire times cannot be computed (${k.reason})`);
  for (const k of result.notExpected) {
    deps.ui?.info(`${k.group}/${k.schedule}: ${plural(k.fires, "fire")} before ${k.before} not expected (${k.reason})`);
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

// ---------- the human view ----------

function inZone(iso: string, timeZone: string): string {
  return timeZone === "UTC" || !isTimeZone(timeZone) ? formatUtcShort(iso) : formatInZone(iso, timeZone);
}

function statusCell(s: FireStatus, ui: Ui): string {
  const c = ui.c;
  return { ok: c.green("ok"), failed: c.red.bold("FAILED"), missed: c.red.bold("MISSED"), pending: c.yellow("pending") }[s];
}

function callCell(f: AuditedFire, ui: Ui): string {
  if (f.status === "missed") return ui.c.dim("no UpdateService call in the window");
  if (f.status === "pending") return ui.c.dim("not in CloudTrail yet");
  const d = f.delaySeconds;
  const delay = d === null ? "" : d < 120 ? `+${d}s` : `+${Math.floor(d / 60)}m ${d % 60}s`;
  const retries = f.attempts > 1 ? ` after ${f.attempts - 1} failed attempt${f.attempts > 2 ? "s" : ""}` : "";
  const err = f.errorCode ? ui.c.red(field(f.errorCode)) + " " : "";
  return `${err}${delay}${retries}\n${ui.c.dim(field(f.eventId ?? ""))}`;
}

function callerLabel(e: ApiCallEvent): string {
  const c = e.caller;
  if (c.role && c.session && c.name !== c.role) return field(`${c.name} (${c.role})`);
  return field(c.name || c.arn || c.type);
}

export function renderAudit(d: AuditData, ui: Ui): string {
  const out: string[] = [];
  const c = ui.c;
  out.push(c.dim(`period ${formatUtcShort(d.period.since)} → ${formatUtcShort(d.period.until)}`));
  if (d.fires.length === 0) out.push("No scheduled ECS scaling was due in this period.");
  else
    out.push(
      ui.table({
        head: ["expected at", "schedule", "target", "status", "call"],
        keep: [0, 1], // a cut time or schedule name is useless: `schedules show` takes the name as printed
        wrap: [4],
        rows: d.fires.map((f) => [
          `${inZone(f.expectedAt, f.timezone)}${f.timezone !== "UTC" ? `\n${c.dim(formatUtcShort(f.expectedAt))}` : ""}`,
          field(f.group === "default" ? f.schedule : `${f.group}/${f.schedule}`),
          field(`${f.cluster}/${f.service} → ${f.desiredCount ?? "?"}`),
          statusCell(f.status, ui),
          callCell(f, ui),
        ]),
      }),
    );
  const callTable = (title: string, list: ApiCallEvent[]) => {
    if (list.length === 0) return;
    out.push("");
    out.push(c.bold(`${title}: ${list.length}`));
    out.push(
      ui.table({
        head: ["time (UTC)", "target", "caller", "result"],
        keep: [0],
        wrap: [3],
        rows: list.map((e) => [
          formatUtcShort(new Date(e.eventTime).toISOString()),
          field(`${e.clusterDefaulted ? "(default cluster)" : (e.cluster ?? "default")}/${e.service ?? "?"}${e.desiredCount !== undefined ? ` → ${e.desiredCount}` : ""}${e.taskDefinition ? ` deploy ${e.taskDefinition}` : e.forceNewDeployment ? " forced redeploy" : ""}`),
          callerLabel(e),
          e.errorCode ? c.red(field(e.errorCode)) : c.green("ok"),
        ]),
      }),
    );
  };
  callTable("Unexpected UpdateService calls (no schedule explains them)", d.unexpected);
  callTable("Deploys (not scheduled scaling)", d.deploys);
  callTable("Application Auto Scaling", d.autoScaling);
  const s = d.summary;
  const parts = [
    c.green(`${s.ok} ok`),
    s.failed ? c.red(`${s.failed} failed`) : `${s.failed} failed`,
    s.missed ? c.red(`${s.missed} missed`) : `${s.missed} missed`,
    s.pending ? c.yellow(`${s.pending} pending`) : `${s.pending} pending`,
  ];
  out.push("");
  out.push(
    `${plural(d.fires.length, "expected fire")} of ${plural(s.schedules, "schedule")}: ${parts.join(", ")}` +
      ` · ${plural(s.unexpected, "unexpected call")}` +
      (s.deploys ? ` · ${plural(s.deploys, "deploy")}` : "") +
      (s.autoScaling ? ` · ${plural(s.autoScaling, "auto-scaling call")}` : ""),
  );
  if (s.pending) out.push(c.dim("pending: CloudTrail usually shows a call within about 5 minutes (not guaranteed); run again later."));
  return out.join("\n");
}
