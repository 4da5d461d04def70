// `traildigest queue`: The SQS queue between EventBridge and the Lambda.
import type { Command } from "commander";
import { action, intOption, type Ctx } from "./action.js";
import { UsageError } from "../lib/errors.js";
import { formatDuration } from "../lib/duration.js";
import type { CommandResult, GlobalOptions, Ui } from "../lib/output.js";
import type { PeekedMessage, QueueCounts, QueueStats } from "../lib/queue.js";
import { plural } from "../lib/text.js";
import { terminalField } from "../lib/terminal-text.js";

interface StatsOpts {
  queue?: string;
}
interface PeekOpts {
  queue?: string;
  max: number;
  dlq?: boolean;
  wait: number;
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
    .description("look at messages without deleting them (each receive counts toward maxReceiveCount)")
    .option("--queue <name|url|arn>", "the queue (default: queue.name from the config file)")
    .option("--max <n>", "distinct messages to show", intOption("--max", { max: 1000 }), 10)
    .option("--dlq", "peek the dead-letter queue instead (found from the queue's redrive policy)")
    .option("--wait <seconds>", "long-poll seconds per receive (0-20)", intOption("--wait", { min: 0, max: 20 }), 2)
    .addHelpText(
      "after",
      `
SQS has no true peek: this receives with VisibilityTimeout 0 and never deletes, but every receive
raises ApproximateReceiveCount, and a message received more than maxReceiveCount times moves to the DLQ.
Prefer \`queue stats\`, or \`queue peek --dlq\` to read what already failed.`,
    )
    .action(action(peek));
}

/** --queue, else the config file's queue.name; region from the flags, else the config. */
async function target(opts: GlobalOptions, queueArg: string | undefined) {
  const { loadConfig, awsOptionsFor } = await import("../lib/config.js");
  const cfg = await loadConfig(opts.config);
  const queue = queueArg ?? cfg?.queue.name;
  if (!queue) {
    throw new UsageError("--queue is required (or a traildigest.config.json / .yaml with queue.name in this directory)");
  }
  const { parseQueueArg } = await import("../lib/queue.js");
  const parsed = parseQueueArg(queue);
  const aws = awsOptionsFor(opts, cfg);
  // An ARN or AWS URL names its region: use it unless --region says otherwise.
  if (!opts.region && parsed.region) aws.region = parsed.region;
  return { queue, aws, cfg };
}

async function stats({ opts, ui }: Ctx, o: StatsOpts): Promise<CommandResult> {
  const t = await target(opts, o.queue);
  const [{ awsClient }, q] = await Promise.all([import("../lib/aws.js"), import("../lib/queue.js")]);
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
  const t = await target(opts, o.queue);
  const [{ awsClient }, q] = await Promise.all([import("../lib/aws.js"), import("../lib/queue.js")]);
  const client = await awsClient("sqs", { ...opts, ...t.aws });
  const main = await q.resolveQueue(client, t.queue);
  const counts = await q.queueCounts(client, main.url);
  let url = main.url;
  if (o.dlq) {
    if (!counts.redrive) {
      throw new UsageError(`queue "${main.name}" has no redrive policy, so no dead-letter queue to peek`);
    }
    url = (await q.resolveQueue(client, counts.redrive.dlqArn)).url;
  }
  const maxReceiveCount = o.dlq ? null : (counts.redrive?.maxReceiveCount ?? null);
  const visibleBefore = o.dlq ? (await q.queueCounts(client, url)).visible : counts.visible;
  const spin = ui.spinner(`receiving from ${url.split("/").pop()} (VisibilityTimeout 0, nothing deleted)…`);
  let result;
  try {
    result = await q.peekMessages(client, url, { max: o.max, waitSeconds: o.wait, knownVisible: visibleBefore });
  } finally {
    spin.stop();
  }
  const warnings = q.peekWarnings(result.messages, maxReceiveCount, Boolean(o.dlq), result.receives);
  for (const w of warnings) ui.warn(w);
  const data = {
    queue: { url, dlq: Boolean(o.dlq), maxReceiveCount },
    messages: result.messages.map(({ unreadable: _u, ...m }) => m),
    warnings,
  };
  return { data, render: (_d, u) => renderPeek(result.messages, maxReceiveCount, u) };
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

function renderPeek(messages: PeekedMessage[], maxReceiveCount: number | null, ui: Ui): string {
  if (messages.length === 0) return "No messages received (the queue is empty, or every message is in flight).";
  const table = ui.table({
    head: ["message", "sent (UTC)", "received", "event"],
    rows: messages.map((m) => {
      const rc = m.receiveCount ?? 0;
      const recv = maxReceiveCount ? `${rc}/${maxReceiveCount}` : String(rc);
      const danger = maxReceiveCount !== null && maxReceiveCount - rc <= 1;
      const line = describeMessage(m);
      return [
        terminalField(m.messageId),
        m.sentAt ? m.sentAt.replace("T", " ").replace(/\.\d{3}Z$/, "Z") : "—",
        danger ? ui.c.red(recv) : recv,
        m.event?.errorCode ? ui.c.red(line) : line,
      ];
    }),
  });
  return `${table}\n${plural(messages.length, "message")}, each listed once; none deleted.`;
}
