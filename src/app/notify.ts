// The use cases behind `notify dry-run` and `notify send`: open the event source (--input, --sample, or a
// live source), narrow it (--scope, --kind, --caller-kind), digest it, and post the digests (send).
// Rendering lives in cli/render/notify.ts; where the events come from, in notify-input.ts / notify-live.ts.
import type { DigestOptions, Digests, DigestSummary, InputSource, OnDigest, OnEvent } from "./notify-input.js";
import type { ApiCallEvent } from "../core/events/events.js";
import type { ClassifyContext } from "../core/events/call-kind.js";
import type { LiveInputOptions } from "./notify-live.js";
import { plural } from "../core/text/text.js";
import { say, type Reporter } from "./report.js";
import type { RunContext } from "./run-context.js";

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

export interface SendOptions extends NotifyOptions {
  webhookUrl?: string;
}

/** Pause between messages in `send`: Slack allows about one message per second per webhook. */
export const SEND_PACE_MS = 1_100;

export interface Opened {
  source: InputSource;
  timeZone: string;
  digest: DigestOptions;
  /** What --scope / --kind / --caller-kind asked for, for the "N of M kept" line. */
  narrowed?: string;
}

/** The source (not yet read), the zone its digests are shown in, and which events to keep. */
export async function openSource(ctx: RunContext, opts: NotifyOptions): Promise<Opened> {
  const [{ resolveInput, wholeSource }, { resolveZone }, { resolveLiveInput }] = await Promise.all([
    import("./notify-input.js"),
    import("./context.js"),
    import("./notify-live.js"),
  ]);
  // Checked before any input is read: --timezone '' or a bad zone names the flag.
  const flagOrEnvTz = (await resolveZone(opts.timezone, {}, ctx.env)).timeZone;
  // Live sources first (--from-queue / --from-trail); else --input / --sample.
  const live = await resolveLiveInput(opts, ctx);
  const source = live ? wholeSource(live) : await resolveInput(opts, { stdin: ctx.stdin, cwd: ctx.cwd });
  const timeZone = flagOrEnvTz ?? source.defaultTimeZone ?? "UTC";
  const { classify, keep, narrowed } = await narrow(ctx, opts);
  const plausibleAt = await judgeTimesAt(opts.now, source.referenceTime, ctx.clock.now());
  return {
    source,
    timeZone,
    digest: { batchSize: opts.batchSize, timeZone, classify, keep, plausibleAt },
    ...(narrowed ? { narrowed } : {}),
  };
}

/** Events more than a year from --now (default: now, or the sample's own time) are unreadable, as in the handler. */
async function judgeTimesAt(
  now: string | undefined,
  referenceTime: number | undefined,
  clockNow: number,
): Promise<number> {
  if (now === undefined) return referenceTime ?? clockNow;
  const { parseTimeArg } = await import("../core/time/duration.js");
  return parseTimeArg(now, "--now", new Date(clockNow)).getTime();
}

/**
 * --scope / --kind / --caller-kind: a filter for the events asked for (applied block by block while reading), and
 * what names scheduler calls (the config's schedules, when there is a config).
 */
async function narrow(
  ctx: RunContext,
  opts: NotifyOptions,
): Promise<{ classify: ClassifyContext; keep?: (e: ApiCallEvent) => boolean; narrowed?: string }> {
  const [{ kindFilter }, { parseScope, inScope, describeScope }, { loadConfig }, { classifyContextOf }] =
    await Promise.all([
      import("../core/events/call-kind.js"),
      import("../core/events/rule-scope.js"),
      import("../adapters/files/config-file.js"),
      import("../core/setup/policies.js"),
    ]);
  const config = ctx.opts.config
    ? await loadConfig(ctx.opts.config, ctx.cwd)
    : await loadConfig(undefined, ctx.cwd).catch(() => undefined);
  const classify = classifyContextOf(config);
  const scope = opts.scope !== undefined ? parseScope(opts.scope) : undefined;
  const byKind = kindFilter(opts.kind, opts.callerKind, classify);
  if (!scope && !byKind) return { classify };
  const narrowed = [
    scope && `scope ${describeScope(scope)}`,
    opts.kind && `kind ${opts.kind}`,
    opts.callerKind && `caller kind ${opts.callerKind}`,
  ]
    .filter(Boolean)
    .join(", ");
  return { classify, keep: (e) => (!scope || inScope(e, scope)) && (!byKind || byKind(e)), narrowed };
}

/** Digest the opened source block by block: each message (and each event, for --json) as it is made. */
export async function digestOpened(opened: Opened, onMessage: OnDigest, onEvent?: OnEvent): Promise<DigestSummary> {
  const { digestBlocks } = await import("./notify-input.js");
  return digestBlocks(opened.source.blocks, opened.digest, onMessage, onEvent);
}

/** After the input is read: its unreadable records, how many events the filters kept, and when nothing was readable. */
export function reportRead(
  reporter: Reporter,
  summary: DigestSummary,
  messages: number,
  label: string,
  narrowed?: string,
): void {
  const ui = say(reporter);
  const n = summary.stats.invalid;
  if (n > 0) {
    const first = summary.invalid
      .slice(0, 3)
      .map(
        (r) =>
          `${r.index >= 0 ? `#${r.index + 1}` : (r.eventId ?? "?")}${r.messageId ? ` (${r.messageId})` : ""}: ${r.reason}`,
      )
      .join("; ");
    const where = summary.lambdaBatch ? "; the handler would return them in batchItemFailures" : "";
    ui.warn(`${plural(n, "unreadable record")} skipped${where}: ${first}${n > 3 ? "; …" : ""}`);
  }
  if (summary.filtered && narrowed)
    ui.info(`${plural(summary.filtered.kept, "event")} of ${summary.filtered.seen} kept (${narrowed})`);
  if (messages === 0) ui.warn(`no readable API-call events in ${label}: nothing to digest`);
}

export interface SlackResult {
  status: number;
  answer: string;
  attempts: number;
}

export interface Sent {
  opened: Opened;
  digests: Digests & DigestSummary;
  results: SlackResult[];
}

/**
 * `notify send`: every digest posted in order, paced for Slack; the first failure stops the run and says how
 * many earlier messages were sent. `registerSecret` keeps the webhook URL out of every output.
 */
export async function sendDigests(
  ctx: RunContext,
  opts: SendOptions,
  registerSecret: (s: string | undefined) => void,
): Promise<Sent> {
  const [{ webhookSource }, { DEFAULT_TIMEOUT_MS }, { validateWebhookUrl, postMessage, SlackError }, { digestInput }] =
    await Promise.all([
      import("./context.js"),
      import("../adapters/aws/env.js"),
      import("../adapters/slack.js"),
      import("./notify-input.js"),
    ]);
  const { raw, label } = webhookSource(opts.webhookUrl, ctx.env);
  registerSecret(raw);
  registerSecret(raw?.trim()); // validateWebhookUrl trims; the trimmed URL is what gets posted
  const url = validateWebhookUrl(raw, label);
  const timeoutMs = ctx.opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const opened = await openSource(ctx, opts);
  const digests = await digestInput(opened.source, opened.digest);
  reportRead(ctx.report, digests, digests.messages.length, opened.source.label, opened.narrowed);

  const ui = say(ctx.report);
  const results: SlackResult[] = [];
  const total = digests.messages.length;
  for (const [i, message] of digests.messages.entries()) {
    if (i > 0) await ctx.clock.sleep(SEND_PACE_MS);
    const spin = ui.progress(`posting message ${i + 1} of ${total}`);
    try {
      const answer = await postMessage(url, message, {
        // --timeout bounds each message, retries included; one request gets at most 10 s of it.
        deadline: Date.now() + timeoutMs,
        attemptTimeoutMs: Math.min(10_000, timeoutMs),
        log: (line) => ui.debug(line),
      });
      spin.stop();
      results.push({ status: answer.status, answer: answer.body, attempts: answer.attempts });
      if (ctx.opts.output === "table")
        ui.info(`message ${i + 1} of ${total}: Slack answered ${answer.status} ${answer.body}`);
    } catch (err) {
      spin.stop();
      if (err instanceof SlackError) {
        const sent = i > 0 ? ` (${plural(i, "earlier message")} ${i === 1 ? "was" : "were"} sent)` : "";
        throw new SlackError(
          `message ${i + 1} of ${total}: ${err.message}${sent}`,
          err.status,
          err.slackError,
          err.attempts,
        );
      }
      throw err;
    }
  }
  return { opened, digests, results };
}
