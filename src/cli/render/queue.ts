// The human views of `queue stats` and `queue peek`.
import { formatDuration } from "../../core/time/duration.js";
import type { Ui } from "../output/output.js";
import type { QueueCounts, QueueStats } from "../../adapters/aws/sqs.js";
import type { PeekedMessage, PeekResult } from "../../adapters/aws/sqs-peek.js";
import { plural } from "../../core/text/text.js";
import { terminalField } from "../../core/text/terminal-text.js";

function countsRows(c: QueueCounts, ui: Ui): [string, string][] {
  return [
    ["visible", String(c.visible)],
    ["in flight", c.inFlight ? ui.c.cyan(String(c.inFlight)) : "0"],
    ["delayed", String(c.delayed)],
  ];
}

const ref = (url: string) => url.split("/").pop() ?? url;

export function renderStats(d: QueueStats, ui: Ui): string {
  const q = d.queue;
  const rows: [string, string][] = [
    ["queue", q.url],
    ["url", q.url],
    ["arn", q.arn ?? "—"],
    ...countsRows(q, ui),
    ["visibility timeout", q.visibilityTimeout === null ? "—" : `${q.visibilityTimeout} s`],
    ["retention", q.retentionSeconds === null ? "—" : formatDuration(q.retentionSeconds * 1000)],
    [
      "redrive",
      q.redrive
        ? `after ${q.redrive.maxReceiveCount} receives → ${q.redrive.dlqArn.split(":").pop()}`
        : ui.c.yellow("none"),
    ],
  ];
  if (d.dlq) {
    const n = d.dlq.visible + d.dlq.inFlight + d.dlq.delayed;
    rows.push(["DLQ", d.dlq.url]);
    rows.push([
      "DLQ messages",
      n
        ? ui.c.red(`${n} (visible ${d.dlq.visible}, in flight ${d.dlq.inFlight}, delayed ${d.dlq.delayed})`)
        : ui.c.green("0"),
    ]);
  }
  const notes: string[] = [];
  if (q.inFlight > 0) {
    notes.push(
      `In flight = received by a consumer and not yet deleted. With a batching window (up to 300 s) the Lambda's pollers hold messages invisible while a batch fills, so in-flight messages for a few minutes are normal; they stay in flight for up to the visibility timeout${q.visibilityTimeout ? ` (${q.visibilityTimeout} s)` : ""} if the function fails.`,
    );
  } else if (q.visible > 0) {
    notes.push("Visible messages and none in flight: no consumer is receiving. Is the event source mapping enabled?");
  }
  return [ui.table({ head: ["queue", ref(q.url)], rows: rows.slice(1) }), ...notes.map((n) => ui.c.dim(n))].join("\n");
}

/** One line per message; every part of it came from the message, so line breaks in it are shown as `\n`. */
function describeMessage(m: PeekedMessage): string {
  return terminalField(describeParts(m));
}

function describeParts(m: PeekedMessage): string {
  const e = m.event;
  if (!e) return `(not an API-call event: ${m.unreadable ?? "unreadable"}) ${m.body.slice(0, 80)}`;
  const where = e.service ? `${e.cluster ?? "default"}/${e.service}` : e.eventSource;
  const desired = e.desiredCount !== undefined ? ` → ${e.desiredCount}` : "";
  return `${e.eventName} ${where}${desired} by ${e.caller.name}${e.errorCode ? ` ✗ ${e.errorCode}` : ""}`;
}

export function renderPeek(r: PeekResult, maxReceiveCount: number | null, ui: Ui): string {
  const messages = r.messages;
  if (messages.length === 0) return "No messages received (the queue is empty, or every message is in flight).";
  const requeued = new Set(r.requeued.map((x) => x.messageId));
  const table = ui.table({
    head: ["message", "sent (UTC)", "received", "event"],
    wrap: [3],
    rows: messages.map((m) => {
      const rc = m.receiveCount ?? 0;
      const recv = maxReceiveCount ? `${rc}/${maxReceiveCount}` : String(rc);
      const danger = maxReceiveCount !== null && maxReceiveCount - rc <= 1 && !requeued.has(m.messageId);
      const line = describeMessage(m);
      return [
        terminalField(m.messageId),
        m.sentAt ? m.sentAt.replace("T", " ").replace(/\.\d{3}Z$/, "Z") : "—",
        requeued.has(m.messageId) ? `${recv} ${ui.c.dim("→ re-queued")}` : danger ? ui.c.red(recv) : recv,
        m.event?.errorCode ? ui.c.red(line) : line,
      ];
    }),
  });
  const requeueNote = r.requeued.length ? `; ${plural(r.requeued.length, "message")} re-queued as a fresh copy` : "";
  return `${table}\n${plural(messages.length, "message")}, each listed once and released${requeueNote}; none lost.`;
}
