// `traildigest notify`: preview (dry-run) and post (send) the Slack digests the Lambda would post,
// from the same digest code. Where the events come from lives in notify-input.ts.
import type { Command } from "commander";
import { action, intOption, type Ctx } from "./action.js";
import type { CommandResult, GlobalOptions, Ui } from "../output/output.js";
import { addLiveInputOptions, registerForecast, type LiveInputOptions } from "./notify-live.js";
import type { DigestOptions, Digests, DigestSummary, InputSource } from "../../app/notify-input.js";
import type { ApiCallEvent } from "../../core/events/events.js";
import type { SlackMessage } from "../../core/digest/digest.js";
import { plural } from "../../core/text/text.js";
import { CALLER_KIND_HELP, KIND_HELP, type ClassifyContext } from "../../core/events/call-kind.js";
import { setTimeout as delay } from "node:timers/promises";

export interface NotifyOptions extends LiveInputOptions {
  input?: string;
  sample?: boolean;
  batchSize: number;
  timezone?: string;
  blockKitUrl?: boolean;
  now?: string;
  scope?: string;
  kind?: string;
  callerKind?: string;
}

interface SendOptions extends NotifyOptions {
  webhookUrl?: string;
}

/** Pause between messages in `send`: Slack allows about one message per second per webhook. */
const SEND_PACE_MS = 1_100;

/** The input options dry-run and send share (new sources such as --from-queue are added here). */
export function addInputOptions(cmd: Command): Command {
  const withInputs = cmd
    .option("--input <file>", "events to digest: a file, or - for stdin (any shape: Lambda SQS event, EventBridge events, NDJSON, CloudTrail log, lookup-events output)")
    .option("--sample", "use a bundled, realistic wave of 32 scale-down events (shown in Asia/Seoul unless --timezone or DIGEST_TIMEZONE)")
    .option("--batch-size <n>", "events per digest for inputs that are not a Lambda SQS event", intOption("--batch-size", { max: 10_000 }), 10)
    .option("--timezone <tz>", "time zone of the digest's time range (default: DIGEST_TIMEZONE or UTC)")
    .option("--block-kit-url", "also print a Slack Block Kit Builder link per message")
    .option("--now <time>", "judge event times against this ISO time (default: now; the sample's own day for --sample): events more than a year away are unreadable")
    .option("--scope <scope>", "only the calls a rule of this scope would send: all or scale, with ,no-autoscaling / ,no-deploys (docs/call-kinds.md)")
    .option("--kind <kinds>", `only calls of this ${KIND_HELP}`)
    .option("--caller-kind <kinds>", `only calls by this ${CALLER_KIND_HELP}`);
  return addLiveInputOptions(withInputs); // --from-queue / --from-trail: notify-live.ts
}

interface Opened {
  source: InputSource;
  timeZone: string;
  digest: DigestOptions;
  /** What --scope / --kind / --caller-kind asked for, for the "N of M kept" line. */
  narrowed?: string;
}

/** The source (not yet read), the zone its digests are shown in, and which events to keep. */
async function openSource(opts: NotifyOptions, ui: Ui, global: GlobalOptions): Promise<Opened> {
  const [{ resolveInput, wholeSource }, { resolveZone }] = await Promise.all([
    import("../../app/notify-input.js"),
    import("../../app/context.js"),
  ]);
  // Checked before any input is read: --timezone '' or a bad zone names the flag.
  const flagOrEnvTz = (await resolveZone(opts.timezone)).timeZone;
  // Live sources first (--from-queue / --from-trail, notify-live.ts); else --input / --sample.
  const live = await (await import("./notify-live.js")).resolveLiveInput(opts, { opts: global, ui });
  const source = live ? wholeSource(live) : await resolveInput(opts);
  const timeZone = flagOrEnvTz ?? source.defaultTimeZone ?? "UTC";
  const { classify, keep, narrowed } = await narrow(opts, global);
  const plausibleAt = await judgeTimesAt(opts.now, source.referenceTime);
  return { source, timeZone, digest: { batchSize: opts.batchSize, timeZone, classify, keep, plausibleAt }, ...(narrowed ? { narrowed } : {}) };
}

/** Events more than a year from --now (default: now, or the sample's own time) are unreadable, as in the handler. */
async function judgeTimesAt(now: string | undefined, referenceTime: number | undefined): Promise<number> {
  if (now === undefined) return referenceTime ?? Date.now();
  const { parseTimeArg } = await import("../../core/time/duration.js");
  return parseTimeArg(now, "--now", new Date()).getTime();
}

/**
 * --scope / --kind / --caller-kind: a filter for the events asked for (applied block by block while reading), and
 * what names scheduler calls (the config's schedules, when there is a config).
 */
async function narrow(
  opts: NotifyOptions,
  global: GlobalOptions,
): Promise<{ classify: ClassifyContext; keep?: (e: ApiCallEvent) => boolean; narrowed?: string }> {
  const [{ kindFilter }, { parseScope, inScope, describeScope }, { loadConfig }, { classifyContextOf }] = await Promise.all([
    import("../../core/events/call-kind.js"),
    import("../../core/events/rule-scope.js"),
    import("../../adapters/files/config-file.js"),
    import("../../core/setup/policies.js"),
  ]);
  const classify = classifyContextOf(global.config ? await loadConfig(global.config) : await loadConfig().catch(() => undefined));
  const scope = opts.scope !== undefined ? parseScope(opts.scope) : undefined;
  const byKind = kindFilter(opts.kind, opts.callerKind, classify);
  if (!scope && !byKind) return { classify };
  const narrowed = [scope && `scope ${describeScope(scope)}`, opts.kind && `kind ${opts.kind}`, opts.callerKind && `caller kind ${opts.callerKind}`]
    .filter(Boolean)
    .join(", ");
  return { classify, keep: (e) => (!scope || inScope(e, scope)) && (!byKind || byKind(e)), narrowed };
}

/** After the input is read: its unreadable records, how many events the filters kept, and when nothing was readable. */
function reportRead(summary: DigestSummary, messages: number, label: string, ui: Ui, narrowed?: string): void {
  const n = summary.stats.invalid;
  if (n > 0) {
    const first = summary.invalid
      .slice(0, 3)
      .map((r) => `${r.index >= 0 ? `#${r.index + 1}` : (r.eventId ?? "?")}${r.messageId ? ` (${r.messageId})` : ""}: ${r.reason}`)
      .join("; ");
    const where = summary.lambdaBatch ? "; the handler would return them in batchItemFailures" : "";
    ui.warn(`${plural(n, "unreadable record")} skipped${where}: ${first}${n > 3 ? "; …" : ""}`);
  }
  if (summary.filtered && narrowed) ui.info(`${plural(summary.filtered.kept, "event")} of ${summary.filtered.seen} kept (${narrowed})`);
  if (messages === 0) ui.warn(`no readable API-call events in ${label}: nothing to digest`);
}

function summaryLine(s: DigestSummary, messages: number, label: string, timeZone: string, batchSize: number, verb: string): string {
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
function heading(ui: Ui, i: number, total: number | undefined, st: Digests["perMessage"][number] | undefined): string {
  const bits = [total === undefined ? `Message ${i + 1}` : `Message ${i + 1} of ${total}`];
  if (st) bits.push(plural(st.events, "event"));
  if (st?.failed) bits.push(`${st.failed} failed`);
  const title = ` ${bits.join(" · ")} `;
  return ui.c.dim(`──${title}${"─".repeat(Math.max(4, 62 - title.length))}`);
}

interface SlackResult {
  status: number;
  answer: string;
  attempts: number;
}

type Preview = typeof import("../output/preview.js");

/** Table view of one message: heading, preview, Slack's answer (send), Block Kit link. */
function messageView(preview: Preview, ui: Ui, opts: NotifyOptions, m: SlackMessage, i: number, total: number | undefined, st: Digests["perMessage"][number] | undefined, r?: SlackResult): string {
  let body = `${heading(ui, i, total, st)}\n${preview.renderPreview(m, ui.c)}`;
  if (r) body += `\n\n${ui.c.green("→ Slack:")} ${r.status} ${r.answer}${r.attempts > 1 ? ` (after ${r.attempts} attempts)` : ""}`;
  if (opts.blockKitUrl) body += `${r ? "\n" : "\n\n"}${ui.c.dim("Block Kit Builder:")} ${preview.blockKitBuilderUrl(m)}`;
  return body;
}

/** Messages held back so a short preview can say "Message 1 of 3"; past this many they are written as they come. */
const HOLD_MESSAGES = 20;

/**
 * dry-run: digests written as they are made, so a million-event input never sits in memory (docs/scale.md).
 * JSON is `{"messages":[…],"stats":{…},"invalid":[…]}`, byte for byte what stringifying it whole would give.
 */
async function streamDryRun(preview: Preview, ctx: Ctx, opts: NotifyOptions): Promise<CommandResult> {
  const [{ digestBlocks }, { outputWriter, JsonObjectWriter, SpooledArray }] = await Promise.all([
    import("../../app/notify-input.js"),
    import("../output/output.js"),
  ]);
  const { source, timeZone, digest, narrowed } = await openSource(opts, ctx.ui, ctx.opts);
  const ui = ctx.ui;
  const out = outputWriter(ui);
  let count = 0;
  let summary: DigestSummary;
  if (ui.format === "json") {
    const json = new JsonObjectWriter(out);
    const urls: string[] = [];
    // "events" comes after "messages" but is made alongside it: kept in a temp file, not in memory.
    const events = await SpooledArray.open();
    try {
      await json.beginArray("messages");
      summary = await digestBlocks(
        source.blocks,
        digest,
        async (m) => {
          count++;
          if (opts.blockKitUrl) urls.push(preview.blockKitBuilderUrl(m));
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
  } else {
    let held: { m: SlackMessage; st: Digests["perMessage"][number] }[] | undefined = [];
    const write = (text: string) => out.write(count > 1 ? `\n\n${text}` : text);
    summary = await digestBlocks(source.blocks, digest, async (m, st) => {
      if (held && held.length < HOLD_MESSAGES) {
        held.push({ m, st });
        return;
      }
      if (held) {
        for (const h of held) {
          count++;
          await write(messageView(preview, ui, opts, h.m, count - 1, undefined, h.st));
        }
        held = undefined;
      }
      count++;
      await write(messageView(preview, ui, opts, m, count - 1, undefined, st));
    });
    for (const h of held ?? []) {
      count++;
      await write(messageView(preview, ui, opts, h.m, count - 1, held!.length, h.st));
    }
    await write(ui.c.bold(summaryLine(summary, count, source.label, timeZone, opts.batchSize, "would be posted")));
    await out.write("\n");
  }
  reportRead(summary, count, source.label, ui, narrowed);
  return { data: {}, written: true };
}

export function register(program: Command): void {
  const notify = program
    .command("notify")
    .description("Preview and send Slack digests (the same code the Lambda runs)")
    .addHelpText(
      "after",
      `
Examples:
  $ traildigest notify dry-run --sample                     preview the digests for a bundled wave of events
  $ traildigest notify dry-run --input event.json --json    the exact webhook payload(s) the Lambda would post
  $ aws sqs receive-message … | traildigest notify dry-run --input -
  $ SLACK_WEBHOOK_URL=… traildigest notify send --sample    post them to Slack`,
    );

  addInputOptions(
    notify
      .command("dry-run")
      .description("render the digest(s) exactly as the handler would, without posting")
      .addHelpText(
        "after",
        `
A Lambda SQS event ({"Records":[SQS records]}) is one batch, as the handler receives it; any other
document is cut into --batch-size batches in time order. NDJSON is streamed: batches in the order it arrives.
--output json prints {"messages":[<exact Slack webhook payloads>],"stats":{"events","duplicates","invalid","batches"}}.`,
      ),
  ).action(
    action(async (ctx: Ctx, opts: NotifyOptions) => {
      return streamDryRun(await import("../output/preview.js"), ctx, opts);
    }),
  );

  addInputOptions(
    notify
      .command("send")
      .description("post the digest(s) dry-run shows to a Slack incoming webhook")
      .option("--webhook-url <url>", "Slack incoming webhook (default: SLACK_WEBHOOK_URL); never printed"),
  ).action(
    action(async (ctx: Ctx, opts: SendOptions) => {
      const { webhookSource, DEFAULT_TIMEOUT_MS } = await import("../../app/context.js");
      const { raw, label } = webhookSource(opts.webhookUrl);
      ctx.ui.registerSecret(raw);
      ctx.ui.registerSecret(raw?.trim()); // validateWebhookUrl trims; the trimmed URL is what gets posted
      const { validateWebhookUrl, postMessage, SlackError } = await import("../../adapters/slack.js");
      const url = validateWebhookUrl(raw, label);
      const timeoutMs = ctx.opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
      const [preview, { digestInput }] = await Promise.all([import("../output/preview.js"), import("../../app/notify-input.js")]);
      const { source, timeZone, digest, narrowed } = await openSource(opts, ctx.ui, ctx.opts);
      const digests = await digestInput(source, digest);
      reportRead(digests, digests.messages.length, source.label, ctx.ui, narrowed);

      const results: SlackResult[] = [];
      const total = digests.messages.length;
      for (const [i, message] of digests.messages.entries()) {
        if (i > 0) await delay(SEND_PACE_MS);
        const spin = ctx.ui.spinner(`posting message ${i + 1} of ${total}`);
        try {
          const answer = await postMessage(url, message, {
            // --timeout bounds each message, retries included; one request gets at most 10 s of it.
            deadline: Date.now() + timeoutMs,
            attemptTimeoutMs: Math.min(10_000, timeoutMs),
            log: (line) => ctx.ui.debug(line),
          });
          spin.stop();
          results.push({ status: answer.status, answer: answer.body, attempts: answer.attempts });
          if (ctx.ui.format === "table") ctx.ui.info(`message ${i + 1} of ${total}: Slack answered ${answer.status} ${answer.body}`);
        } catch (err) {
          spin.stop();
          if (err instanceof SlackError) {
            const sent = i > 0 ? ` (${plural(i, "earlier message")} ${i === 1 ? "was" : "were"} sent)` : "";
            throw new SlackError(`message ${i + 1} of ${total}: ${err.message}${sent}`, err.status, err.slackError, err.attempts);
          }
          throw err;
        }
      }
      const data = {
        messages: digests.messages,
        // Each event with its call kind and caller kind (call-kind.ts), in digest order.
        events: digests.events,
        results,
        stats: digests.stats,
        invalid: digests.invalid,
        ...(opts.blockKitUrl ? { blockKitUrls: digests.messages.map(preview.blockKitBuilderUrl) } : {}),
      };
      const render = (_d: unknown, ui: Ui): string =>
        [
          ...digests.messages.map((m, i) => messageView(preview, ui, opts, m, i, total, digests.perMessage[i], results[i])),
          ui.c.bold(summaryLine(digests, total, source.label, timeZone, opts.batchSize, "sent")),
        ].join("\n\n");
      return { data, render };
    }),
  );

  registerForecast(notify); // `notify forecast`: notify-live.ts
}
