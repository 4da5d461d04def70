// The human view of `schedules audit`: the expected fires with their status, then the calls no schedule
// explains, deploys and Application Auto Scaling's calls, then one summary line.
import { formatInZone, formatUtcShort, isTimeZone } from "../../core/time/zoned-time.js";
import type { Ui } from "../output/output.js";
import type { AuditedFire, FireStatus } from "../../core/audit/audit.js";
import type { ApiCallEvent } from "../../core/events/events.js";
import type { AuditData } from "../../app/audit.js";
import { plural } from "../../core/text/text.js";
import { terminalField as field } from "../../core/text/terminal-text.js";

function inZone(iso: string, timeZone: string): string {
  return timeZone === "UTC" || !isTimeZone(timeZone) ? formatUtcShort(iso) : formatInZone(iso, timeZone);
}

function statusCell(s: FireStatus, ui: Ui): string {
  const c = ui.c;
  return {
    ok: c.green("ok"),
    failed: c.red.bold("FAILED"),
    missed: c.red.bold("MISSED"),
    pending: c.yellow("pending"),
  }[s];
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
          field(
            `${e.clusterDefaulted ? "(default cluster)" : (e.cluster ?? "default")}/${e.service ?? "?"}${e.desiredCount !== undefined ? ` → ${e.desiredCount}` : ""}${e.taskDefinition ? ` deploy ${e.taskDefinition}` : e.forceNewDeployment ? " forced redeploy" : ""}`,
          ),
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
  if (s.pending)
    out.push(
      c.dim("pending: CloudTrail usually shows a call within about 5 minutes (not guaranteed); run again later."),
    );
  return out.join("\n");
}
