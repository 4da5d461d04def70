// The human views of `schedules list` and `schedules show`.
import type { Ui } from "../output/output.js";
import { formatRelative } from "../../core/time/duration.js";
import { formatInZone } from "../../core/time/zoned-time.js";
import { describeTarget, type ScheduleDetail, type ScheduleView } from "../../core/schedule/schedules.js";
import { plural } from "../../core/text/text.js";
import type { Listed } from "../../app/schedules.js";

/** No schedules found is most often the wrong region or account: say which were searched. */
export function renderNoneFound(listed: Listed, group: string | undefined): string {
  const lookedIn = listed.lookedIn ?? {};
  const where = [lookedIn.region && `region ${lookedIn.region}`, lookedIn.account && `account ${lookedIn.account}`]
    .filter(Boolean)
    .join(", ");
  return `No schedules found${where ? ` in ${where}` : ""}${group ? ` (group ${group})` : ""}; check --region / AWS_REGION and the profile.`;
}

function nextCell(v: ScheduleView, now: Date, ui: Ui): string {
  const first = v.nextFires[0];
  if (!first) {
    if (v.state !== "ENABLED") return ui.c.dim("— (disabled)");
    return ui.c.dim(v.nextFiresError ? "— (unreadable expression)" : "— (no more fires)");
  }
  return `${formatInZone(first, v.timezone)} ${ui.c.dim(`(${formatRelative(new Date(first), now)})`)}`;
}

export function renderList(schedules: ScheduleView[], ui: Ui, now: Date): string {
  if (schedules.length === 0) return "No schedules found.";
  const table = ui.table({
    head: ["schedule", "state", "expression (zone)", "next fire", "target"],
    keep: [0], // `schedules show` takes this name back
    rows: schedules.map((v) => [
      v.group === "default" ? v.name : `${v.group}/${v.name}`,
      v.state === "ENABLED" ? ui.c.green(v.state) : ui.c.yellow(v.state),
      `${v.expression} ${ui.c.dim(v.timezone)}${v.flexibleWindowMinutes ? ui.c.dim(` +${v.flexibleWindowMinutes}m window`) : ""}`,
      nextCell(v, now, ui),
      describeTarget(v.target),
    ]),
  });
  const enabled = schedules.filter((s) => s.state === "ENABLED").length;
  return `${table}\n${plural(schedules.length, "schedule")} (${enabled} enabled); times in each schedule's zone.`;
}

export function renderShow(s: ScheduleDetail, ui: Ui, now: Date): string {
  const t = s.target;
  const rows: [string, string][] = [
    ["name", s.group === "default" ? s.name : `${s.group}/${s.name}`],
    ["state", s.state],
    ["expression", `${s.expression} (${s.timezone})`],
    ["flexible window", s.flexibleWindowMinutes ? `${s.flexibleWindowMinutes} min` : "off"],
    ["start / end", `${s.startDate ?? "—"} / ${s.endDate ?? "—"}`],
    ["target", `${t.kind}  ${t.arn}`],
  ];
  if (t.service) rows.push(["scales", describeTarget(t)]);
  rows.push(["input", s.input ?? "—"]);
  rows.push(["role", s.roleArn ?? "—"]);
  rows.push([
    "retry policy",
    s.retryPolicy
      ? `${s.retryPolicy.maximumRetryAttempts ?? "?"} attempts, max event age ${s.retryPolicy.maximumEventAgeInSeconds ?? "?"} s`
      : "—",
  ]);
  rows.push(["dead-letter queue", s.deadLetterArn ?? ui.c.yellow("none (failed invocations are dropped)")]);
  if (s.description) rows.push(["description", s.description]);
  const fires = s.nextFires.length
    ? s.nextFires.map((f) => `${formatInZone(f, s.timezone)}  (${formatRelative(new Date(f), now)})`).join("\n")
    : s.state !== "ENABLED"
      ? "— (disabled)"
      : "— (no more fires)";
  rows.push(["next fires", fires]);
  return ui.table({ head: ["field", "value"], rows, wrap: [1] });
}
