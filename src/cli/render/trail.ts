// The human view of `trail recent`: one row per call, newest first, times in this machine's zone.
import { formatInZone } from "../../core/time/zoned-time.js";
import type { Ui } from "../output/output.js";
import type { TrailEvent } from "../../app/trail.js";
import { plural } from "../../core/text/text.js";
import { terminalField as field } from "../../core/text/terminal-text.js";

export function renderRecent(events: TrailEvent[], ui: Ui, q: { eventName: string; since: Date; until: Date }): string {
  if (events.length === 0) {
    return `No ${q.eventName} calls between ${q.since.toISOString()} and ${q.until.toISOString()}.\n${ui.c.dim(
      "CloudTrail can take about 5 minutes (not guaranteed) to show a call.",
    )}`;
  }
  const table = ui.table({
    head: ["time", "cluster/service", "kind", "desired", "caller", "result"],
    wrap: [5],
    rows: events.map((e) => [
      formatInZone(e.eventTime, undefined, { seconds: true }), // this machine's zone
      // Event fields are one line each, whatever they hold (docs/untrusted-text.md).
      e.service ? field(`${e.cluster ?? "default"}/${e.service}`) : "—",
      e.kind,
      e.desiredCount ?? "—",
      field(`${e.callerName} (${e.callerKind})`),
      e.errorCode ? ui.c.red(field(`${e.errorCode}${e.errorMessage ? `: ${e.errorMessage}` : ""}`)) : ui.c.green("ok"),
    ]),
    align: ["left", "left", "left", "right", "left", "left"],
  });
  const failed = events.filter((e) => e.errorCode).length;
  return `${table}\n${plural(events.length, "call")}${failed ? `, ${ui.c.red(`${failed} failed`)}` : ""}; newest first, times in ${Intl.DateTimeFormat().resolvedOptions().timeZone}.`;
}
