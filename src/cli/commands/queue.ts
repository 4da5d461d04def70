// `traildigest queue`: The SQS queue between EventBridge and the Lambda.
import type { Command } from "commander";
import { action, intOption, type Ctx } from "./action.js";
import { resolveQueueTarget } from "../../app/context.js";
import { formatDuration } from "../../core/time/duration.js";
import type { CommandResult, Ui } from "../output/output.js";
import type { QueueCounts, QueueStats } from "../../adapters/aws/sqs.js";
import type { PeekedMessage, PeekResult } from "../../adapters/aws/sqs-peek.js";
import { plural } from "../../core/text/text.js";
import { terminalField } from "../../core/text/terminal-text.js";

interface StatsOpts {
  queue?: string;
}
interface PeekOpts {
  queue?: string;
  max: number;
  dlq?: boolean;
  wait: number;
  /** --no-requeue sets this false. */
  requeue: boolean;
}

export function register(program: Command): void {
  const queue = program
    .command("queue")
    .description("The SQS queue between EventBridge and the Lambda")
    .addHelpText(
      "after",
      `
Examples:
  $ traildigest queue stats                                 the config file's queue and its DLQ
  $ traildigest queue stats --queue traildigest-events --json
  $ traildigest queue peek --dlq --max 5                    what ended up in the dead-letter queue (never deletes)`,
    );
  queue
    .command("stats")
    .description("message counts, visibility timeout, retention, redrive policy and the DLQ's counts")
    .option("--queue <name|url|arn>", "the queue (default: queue.name from the config file)")
    .action(action(stats));
  queue
    .command("peek")
    .description("look at messages without deleting them or moving any to the DLQ (each is received once, then released)")
    .option("--queue <name|url|arn>", "the queue (default: queue.name from the config file)")
    .option("--max <n>", "distinct messages to show", intOption("--max", { max: 1000 }), 10)
    .option("--dlq", "peek the dead-letter queue instead (found from the queue's redrive policy)")
    .option("--wait <seconds>", "long-poll seconds per receive (0-20)", intOption("--wait", { min: 0, max: 20 }), 2)
    .option("--no-requeue", "never re-queue a message the peek brought near the DLQ (report it instead)")
    .addHelpText(
      "after",
      `
SQS has no true peek. This receives each message once, holding it hidden for up to 15 s, then makes
every held message visible again at once (also on Ctrl-C and errors). Each peek spends one receive per
message; a message left with fewer than 2 receives before maxReceiveCount is replaced by a fresh copy
(receive count 0, new message ID), so no number of peeks moves a message to the DLQ. See docs/safety.md.`,
    )
    .action(action(peek));
}

async function stats({ opts, ui }: Ctx, o: StatsOpts): Promise<CommandResult> {
  const t = await resolveQueueTarget(opts, o.queue);
  const [{ awsClient }, q] = await Promise.all([import("../../adapters/aws/clients.js"), import("../../adapters/aws/sqs.js")]);
  const client = await awsClient("sqs", { ...opts, ...t.aws });
  const ref = await q.resolveQueue(client, t.queue);
  const data: QueueStats = await q.queueStats(client, ref);
  if (data.dlq && data.dlq.visible + data.dlq.inFlight + data.dlq.delayed > 0) {
    const n = data.dlq.visible + data.dlq.inFlight + data.dlq.delayed;
    ui.warn(
      `the dead-letter queue holds ${plural(n, "message")}: messages received more than ${data.queue.redrive?.maxReceiveCount ?? "maxReceiveCount"} times without being deleted (the Lambda failed them); read them with \`traildigest queue peek --dlq\``,
    );
  }
  if (!data.queue.redrive) ui.warn("the queue has no redrive policy: a message the Lambda cannot process retries until retention expires");
  return { data, render: (_d, u) => renderStats(data, u) };
}

function countsRows(c: QueueCounts, ui: Ui): [string, string][] {
  return [
    ["visible", String(c.visible)],
    ["in flight", c.inFlight ? ui.c.cyan(String(c.inFlight)) : "0"],
    ["delayed", String(c.delayed)],
  ];
}

const ref = (url: string) => url.split("/").pop() ?? url;

function renderStats(d: QueueStats, ui: Ui): string {
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
      q.redrive ? `after ${q.redrive.maxReceiveCount} receives → ${q.redrive.dlqArn.split(":").pop()}` : ui.c.yellow("none"),
    ],
  ];
  if (d.dlq) {
    const n = d.dlq.visible + d.dlq.inFlight + d.dlq.delayed;
    rows.push(["DLQ", d.dlq.url]);
    rows.push(["DLQ messages", n ? ui.c.red(`${n} (visible ${d.dlq.visible}, in flight ${d.dlq.inFlight}, delayed ${d.dlq.delayed})`) : ui.c.green("0")]);
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

async function peek({ opts, ui }: Ctx, o: PeekOpts): Promise<CommandResult> {
  const t = await resolveQueueTarget(opts, o.queue);
  const [{ awsClient }, q] = await Promise.all([import("../../adapters/aws/clients.js"), import("../../adapters/aws/sqs-peek.js")]);
  const client = await awsClient("sqs", { ...opts, ...t.aws });
  const { url, maxReceiveCount, result, warnings } = await q.peekQueue(
    client,
    { queue: t.queue, max: o.max, dlq: Boolean(o.dlq), waitSeconds: o.wait, requeue: o.requeue },
    (text) => ui.spinner(text),
  );
  for (const w of warnings) ui.warn(w);
  const { messages, ...peek } = result;
  const data = {
    queue: { url, dlq: Boolean(o.dlq), maxReceiveCount },
    messages: messages.map(({ unreadable: _u, ...m }) => m),
    peek,
    warnings,
  };
  return { data, render: (_d, u) => renderPeek(result, maxReceiveCount, u) };
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

function renderPeek(r: PeekResult, maxReceiveCount: number | null, ui: Ui): string {
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
