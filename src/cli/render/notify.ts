// The human and JSON views of `notify dry-run` / `notify send`: each message as Slack shows it, under a heading,
// then one summary line. dry-run writes as the digests are made (docs/scale.md), so the view drives the digest.
import type { Ui } from "../output/output.js";
import { JsonObjectWriter, SpooledArray, type OutputWriter } from "../output/output.js";
import { blockKitBuilderUrl, renderPreview } from "../output/preview.js";
import type { Digests, DigestSummary } from "../../app/notify-input.js";
import type { NotifyOptions, Opened, Sent, SlackResult } from "../../app/notify.js";
import type { OnDigest, OnEvent } from "../../app/notify-input.js";
import type { SlackMessage } from "../../core/digest/digest.js";
import { plural } from "../../core/text/text.js";

type PerMessage = Digests["perMessage"][number];

export function summaryLine(
  s: DigestSummary,
  messages: number,
  label: string,
  timeZone: string,
  batchSize: number,
  verb: string,
): string {
  const st = s.stats;
  const extras = [
    st.duplicates ? `${plural(st.duplicates, "duplicate")} dropped` : "",
    st.invalid ? `${st.invalid} unreadable` : "",
  ].filter(Boolean);
  const batching = s.lambdaBatch ? "one Lambda SQS batch" : `batch size ${batchSize}`;
  return (
    `${plural(messages, "message")} ${verb} from ${plural(st.events, "event")}` +
    (extras.length ? ` (${extras.join(", ")})` : "") +
    ` · ${batching} · time zone ${timeZone} · input: ${label}`
  );
}

/** "Message 3 of 12 · 10 events"; without "of N" once the input is too long to wait for its end. */
function heading(ui: Ui, i: number, total: number | undefined, st: PerMessage | undefined): string {
  const bits = [total === undefined ? `Message ${i + 1}` : `Message ${i + 1} of ${total}`];
  if (st) bits.push(plural(st.events, "event"));
  if (st?.failed) bits.push(`${st.failed} failed`);
  const title = ` ${bits.join(" · ")} `;
  return ui.c.dim(`──${title}${"─".repeat(Math.max(4, 62 - title.length))}`);
}

/** Table view of one message: heading, preview, Slack's answer (send), Block Kit link. */
function messageView(
  ui: Ui,
  opts: NotifyOptions,
  m: SlackMessage,
  i: number,
  total: number | undefined,
  st: PerMessage | undefined,
  r?: SlackResult,
): string {
  let body = `${heading(ui, i, total, st)}\n${renderPreview(m, ui.c)}`;
  if (r)
    body += `\n\n${ui.c.green("→ Slack:")} ${r.status} ${r.answer}${r.attempts > 1 ? ` (after ${r.attempts} attempts)` : ""}`;
  if (opts.blockKitUrl) body += `${r ? "\n" : "\n\n"}${ui.c.dim("Block Kit Builder:")} ${blockKitBuilderUrl(m)}`;
  return body;
}

/** Messages held back so a short preview can say "Message 1 of 3"; past this many they are written as they come. */
const HOLD_MESSAGES = 20;

type Digest = (onMessage: OnDigest, onEvent?: OnEvent) => Promise<DigestSummary>;

/**
 * dry-run: digests written as they are made, so a million-event input never sits in memory (docs/scale.md).
 * JSON is `{"messages":[…],"events":[…],"stats":{…},"invalid":[…]}`, byte for byte what stringifying it whole would give.
 * Returns the summary and how many messages were written.
 */
export async function writeDryRun(
  ui: Ui,
  out: OutputWriter,
  opened: Opened,
  opts: NotifyOptions,
  digest: Digest,
): Promise<{ summary: DigestSummary; count: number }> {
  return ui.format === "json" ? writeJson(out, opts, digest) : writeTable(ui, out, opened, opts, digest);
}

async function writeJson(
  out: OutputWriter,
  opts: NotifyOptions,
  digest: Digest,
): Promise<{ summary: DigestSummary; count: number }> {
  let count = 0;
  let summary: DigestSummary;
  const json = new JsonObjectWriter(out);
  const urls: string[] = [];
  // "events" comes after "messages" but is made alongside it: kept in a temp file, not in memory.
  const events = await SpooledArray.open();
  try {
    await json.beginArray("messages");
    summary = await digest(
      async (m) => {
        count++;
        if (opts.blockKitUrl) urls.push(blockKitBuilderUrl(m));
        await json.item(m);
      },
      (e) => events.push(e),
    );
    await json.endArray();
    // Each event with its call kind and caller kind (call-kind.ts), in digest order.
    await events.writeTo(json, "events");
  } finally {
    await events.dispose();
  }
  await json.member("stats", summary.stats);
  await json.member("invalid", summary.invalid);
  if (opts.blockKitUrl) await json.member("blockKitUrls", urls);
  await json.end();
  return { summary, count };
}

async function writeTable(
  ui: Ui,
  out: OutputWriter,
  opened: Opened,
  opts: NotifyOptions,
  digest: Digest,
): Promise<{ summary: DigestSummary; count: number }> {
  let count = 0;
  let held: { m: SlackMessage; st: PerMessage }[] | undefined = [];
  const write = (text: string) => out.write(count > 1 ? `\n\n${text}` : text);
  const summary = await digest(async (m, st) => {
    if (held && held.length < HOLD_MESSAGES) {
      held.push({ m, st });
      return;
    }
    if (held) {
      for (const h of held) {
        count++;
        await write(messageView(ui, opts, h.m, count - 1, undefined, h.st));
      }
      held = undefined;
    }
    count++;
    await write(messageView(ui, opts, m, count - 1, undefined, st));
  });
  for (const h of held ?? []) {
    count++;
    await write(messageView(ui, opts, h.m, count - 1, held!.length, h.st));
  }
  await write(
    ui.c.bold(summaryLine(summary, count, opened.source.label, opened.timeZone, opts.batchSize, "would be posted")),
  );
  await out.write("\n");
  return { summary, count };
}

/** send's result: the payloads, Slack's answers, and the same views as dry-run with the answers under them. */
export function sendResult(sent: Sent, opts: NotifyOptions) {
  const { digests, results, opened } = sent;
  const data = {
    messages: digests.messages,
    // Each event with its call kind and caller kind (call-kind.ts), in digest order.
    events: digests.events,
    results,
    stats: digests.stats,
    invalid: digests.invalid,
    ...(opts.blockKitUrl ? { blockKitUrls: digests.messages.map(blockKitBuilderUrl) } : {}),
  };
  const total = digests.messages.length;
  const render = (_d: unknown, ui: Ui): string =>
    [
      ...digests.messages.map((m, i) => messageView(ui, opts, m, i, total, digests.perMessage[i], results[i])),
      ui.c.bold(summaryLine(digests, total, opened.source.label, opened.timeZone, opts.batchSize, "sent")),
    ].join("\n\n");
  return { data, render };
}
