// `traildigest notify`: preview (dry-run) and post (send) the Slack digests the Lambda would post,
// from the same digest code. Where the events come from lives in notify-input.ts.
import type { Command } from "commander";
import { action, intOption, type Ctx } from "./action.js";
import type { CommandResult, GlobalOptions, Ui } from "../lib/output.js";
import { addLiveInputOptions, registerForecast, type LiveInputOptions } from "./notify-live.js";
import type { Digests, SourcedInput } from "./notify-input.js";
import type { SlackMessage } from "../lib/digest.js";
import { plural } from "../lib/text.js";
import { CALLER_KIND_HELP, KIND_HELP, type ClassifyContext } from "../lib/call-kind.js";
import { setTimeout as delay } from "node:timers/promises";

export interface NotifyOptions extends LiveInputOptions {
  input?: string;
  sample?: boolean;
  batchSize: number;
  timezone?: string;
  blockKitUrl?: boolean;
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
    .option("--scope <scope>", "only the calls a rule of this scope would send: all or scale, with ,no-autoscaling / ,no-deploys (docs/call-kinds.md)")
    .option("--kind <kinds>", `only calls of this ${KIND_HELP}`)
    .option("--caller-kind <kinds>", `only calls by this ${CALLER_KIND_HELP}`);
  return addLiveInputOptions(withInputs); // --from-queue / --from-trail: notify-live.ts
}

async function prepare(opts: NotifyOptions, ui: Ui, global: GlobalOptions): Promise<{ input: SourcedInput; digests: Digests; timeZone: string }> {
  const [{ resolveInput, digestInput }, { resolveTimeZone }] = await Promise.all([
    import("./notify-input.js"),
    import("../lib/resolve.js"),
  ]);
  // Checked before any input is read: --timezone '' or a bad zone names the flag.
  const flagOrEnvTz = opts.timezone !== undefined || process.env.DIGEST_TIMEZONE ? await resolveTimeZone(opts.timezone) : undefined;
  // Live sources first (--from-queue / --from-trail, notify-live.ts); else --input / --sample.
  const input = (await (await import("./notify-live.js")).resolveLiveInput(opts, { opts: global, ui })) ?? (await resolveInput(opts));
  const timeZone = flagOrEnvTz ?? input.defaultTimeZone ?? "UTC";
  reportInvalid(input, ui);
  const classify = await narrow(input, opts, global, ui);
  const digests = await digestInput(input, { batchSize: opts.batchSize, timeZone, classify });
  if (digests.messages.length === 0) ui.warn(`no readable API-call events in ${input.label}: nothing to digest`);
  return { input, digests, timeZone };
}

/**
 * --scope / --kind / --caller-kind: keep only the events asked for (in place) and say how many were left out.
 * Returns what names scheduler calls (the config's schedules, when there is a config).
 */
async function narrow(input: SourcedInput, opts: NotifyOptions, global: GlobalOptions, ui: Ui): Promise<ClassifyContext> {
  const [{ kindFilter }, { parseScope, inScope, describeScope }, { loadConfig }, { classifyContextOf }] = await Promise.all([
    import("../lib/call-kind.js"),
    import("../lib/rule-scope.js"),
    import("../lib/config.js"),
    import("../lib/policies.js"),
  ]);
  const classify = classifyContextOf(global.config ? await loadConfig(global.config) : await loadConfig().catch(() => undefined));
  const scope = opts.scope !== undefined ? parseScope(opts.scope) : undefined;
  const byKind = kindFilter(opts.kind, opts.callerKind, classify);
  if (!scope && !byKind) return classify;
  const before = input.events.length;
  input.events = input.events.filter((e) => (!scope || inScope(e, scope)) && (!byKind || byKind(e)));
  const what = [scope && `scope ${describeScope(scope)}`, opts.kind && `kind ${opts.kind}`, opts.callerKind && `caller kind ${opts.callerKind}`].filter(Boolean).join(", ");
  ui.info(`${plural(input.events.length, "event")} of ${before} kept (${what})`);
  return classify;
}

function reportInvalid(input: SourcedInput, ui: Ui): void {
  const n = input.invalid.length;
  if (n === 0) return;
  const first = input.invalid
    .slice(0, 3)
    .map((r) => `#${r.index + 1}${r.messageId ? ` (${r.messageId})` : ""}: ${r.reason}`)
    .join("; ");
  const where = input.lambdaBatch ? "; the handler would return them in batchItemFailures" : "";
  ui.warn(`${plural(n, "unreadable record")} skipped${where}: ${first}${n > 3 ? "; …" : ""}`);
}


function summary(d: Digests, input: SourcedInput, timeZone: string, batchSize: number, verb: string): string {
  const s = d.stats;
  const extras = [
    s.duplicates ? `${plural(s.duplicates, "duplicate")} dropped` : "",
    s.invalid ? `${s.invalid} unreadable` : "",
  ].filter(Boolean);
  const batching = input.lambdaBatch ? "one Lambda SQS batch" : `batch size ${batchSize}`;
  return (
    `${plural(d.messages.length, "message")} ${verb} from ${plural(s.events, "event")}` +
    (extras.length ? ` (${extras.join(", ")})` : "") +
    ` · ${batching} · time zone ${timeZone} · input: ${input.label}`
  );
}

function heading(ui: Ui, i: number, total: number, st: Digests["perMessage"][number] | undefined): string {
  const bits = [`Message ${i + 1} of ${total}`];
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

/**
 * dry-run's and send's result: the messages (and, for send, Slack's answers) as JSON; as a table, per message its
 * heading, preview, Slack's answer and Block Kit link, then the summary line.
 */
function digestsResult(
  preview: typeof import("../lib/preview.js"),
  { input, digests, timeZone }: { input: SourcedInput; digests: Digests; timeZone: string },
  opts: NotifyOptions,
  results?: SlackResult[],
): CommandResult {
  const data = {
    messages: digests.messages,
    // Each event with its call kind and caller kind (call-kind.ts), in time order.
    events: digests.events,
    ...(results ? { results } : {}),
    stats: digests.stats,
    invalid: input.invalid,
    ...(opts.blockKitUrl ? { blockKitUrls: digests.messages.map(preview.blockKitBuilderUrl) } : {}),
  };
  const render = (_d: unknown, ui: Ui): string => {
    const parts = data.messages.map((m: SlackMessage, i: number) => {
      let body = `${heading(ui, i, data.messages.length, digests.perMessage[i])}\n${preview.renderPreview(m, ui.c)}`;
      const r = results?.[i];
      if (r) body += `\n\n${ui.c.green("→ Slack:")} ${r.status} ${r.answer}${r.attempts > 1 ? ` (after ${r.attempts} attempts)` : ""}`;
      if (opts.blockKitUrl) body += `${r ? "\n" : "\n\n"}${ui.c.dim("Block Kit Builder:")} ${preview.blockKitBuilderUrl(m)}`;
      return body;
    });
    parts.push(ui.c.bold(summary(digests, input, timeZone, opts.batchSize, results ? "sent" : "would be posted")));
    return parts.join("\n\n");
  };
  return { data, render };
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
list of events is cut into --batch-size batches in time order.
--output json prints {"messages":[<exact Slack webhook payloads>],"stats":{"events","duplicates","invalid","batches"}}.`,
      ),
  ).action(
    action(async (ctx: Ctx, opts: NotifyOptions) => {
      const preview = await import("../lib/preview.js");
      return digestsResult(preview, await prepare(opts, ctx.ui, ctx.opts), opts);
    }),
  );

  addInputOptions(
    notify
      .command("send")
      .description("post the digest(s) dry-run shows to a Slack incoming webhook")
      .option("--webhook-url <url>", "Slack incoming webhook (default: SLACK_WEBHOOK_URL); never printed"),
  ).action(
    action(async (ctx: Ctx, opts: SendOptions) => {
      const { webhookSource, DEFAULT_TIMEOUT_MS } = await import("../lib/resolve.js");
      const { raw, label } = webhookSource(opts.webhookUrl);
      ctx.ui.registerSecret(raw);
      ctx.ui.registerSecret(raw?.trim()); // validateWebhookUrl trims; the trimmed URL is what gets posted
      const { validateWebhookUrl, postMessage, SlackError } = await import("../lib/slack.js");
      const url = validateWebhookUrl(raw, label);
      const timeoutMs = ctx.opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
      const preview = await import("../lib/preview.js");
      const prepared = await prepare(opts, ctx.ui, ctx.opts);
      const { digests } = prepared;

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
      return digestsResult(preview, prepared, opts, results);
    }),
  );

  registerForecast(notify); // `notify forecast`: notify-live.ts
}
