// `traildigest trail`: CloudTrail API calls (LookupEvents).
import type { Command } from "commander";
import { action, intOption, type Ctx } from "./action.js";
import { UsageError } from "../../core/errors.js";
import { parseTimeArg, withinTrailHistory } from "../../core/time/duration.js";
import { formatInZone } from "../../core/time/zoned-time.js";
import type { CommandResult, Ui } from "../output/output.js";
import type { ApiCallEvent } from "../../core/events/events.js";
import { CALLER_KIND_HELP, KIND_HELP, callKind, callerInfo, kindFilter, type ClassifyContext } from "../../core/events/call-kind.js";
import { classifyContextOf } from "../../core/setup/policies.js";
import { plural } from "../../core/text/text.js";
import { terminalField as field } from "../../core/text/terminal-text.js";

interface RecentOpts {
  since: string;
  until?: string;
  cluster?: string;
  service?: string;
  caller?: string;
  kind?: string;
  callerKind?: string;
  max: number;
}

/** The contract's event shape (docs/design.md §4): every key present, null when unknown. */
export interface TrailEvent {
  eventId: string;
  eventTime: string;
  eventName: string;
  region: string;
  cluster: string | null;
  service: string | null;
  desiredCount: number | null;
  caller: { type: string; arn: string | null; name: string };
  /** call-kind.ts: scale, deploy, scale+deploy, config, other. */
  kind: string;
  /** call-kind.ts: scheduler, autoscaling, deploy-service, person, role, service, unknown; callerName is readable. */
  callerKind: string;
  callerName: string;
  errorCode: string | null;
  errorMessage: string | null;
}

export function register(program: Command): void {
  const trail = program
    .command("trail")
    .description("CloudTrail API calls (LookupEvents)")
    .addHelpText(
      "after",
      `
Examples:
  $ traildigest trail recent UpdateService --since 2h
  $ traildigest trail recent UpdateService --since 7d --cluster dev --service nestjs
  $ traildigest trail recent UpdateService --since 2026-11-26T12:00:00Z --until 2026-11-26T14:00:00Z --json`,
    );
  trail
    .command("recent <eventName>")
    .description("recent calls of one API (e.g. UpdateService): who, what, and whether it failed; newest first")
    .option("--since <when>", "a duration ago (30m, 2h, 7d) or an ISO time", "1h")
    .option("--until <when>", "a duration ago or an ISO time (default: now)")
    .option("--cluster <name>", "only calls on this ECS cluster (filtered here: LookupEvents takes one attribute)")
    .option("--service <name>", "only calls on this ECS service")
    .option("--caller <text>", "only calls whose caller (role, user, session, ARN) contains this")
    .option("--kind <kinds>", `only calls of this ${KIND_HELP}`)
    .option("--caller-kind <kinds>", `only calls by this ${CALLER_KIND_HELP}`)
    .option("--max <n>", "at most this many events", intOption("--max", { max: 10_000 }), 50)
    .addHelpText(
      "after",
      `
LookupEvents allows 2 requests per second per account and region: pages are paced to that and
throttling is retried. CloudTrail usually has a call about 5 minutes after it happened (not guaranteed).

Examples:
  $ traildigest trail recent UpdateService --since 2h
  $ traildigest trail recent UpdateService --since 7d --cluster dev --service nestjs --json`,
    )
    .action(action(recent));
}

export function toTrailEvent(e: ApiCallEvent, ctx: ClassifyContext = {}): TrailEvent {
  const who = callerInfo(e, ctx);
  return {
    eventId: e.eventId,
    eventTime: e.eventTime,
    eventName: e.eventName,
    region: e.region,
    cluster: e.cluster ?? null,
    service: e.service ?? null,
    desiredCount: e.desiredCount ?? null,
    caller: { type: e.caller.type, arn: e.caller.arn ?? null, name: e.caller.name },
    kind: callKind(e),
    callerKind: who.kind,
    callerName: who.name,
    errorCode: e.errorCode ?? null,
    errorMessage: e.errorMessage ?? null,
  };
}

async function recent({ opts, ui }: Ctx, eventName: string, o: RecentOpts): Promise<CommandResult> {
  if (!eventName.trim()) throw new UsageError("eventName: empty (give an API call name such as UpdateService)");
  if (!/^[A-Za-z]+$/.test(eventName)) throw new UsageError(`eventName: "${eventName}" is not an API call name such as UpdateService`);
  const now = new Date();
  const since = withinTrailHistory(parseTimeArg(o.since, "--since", now), o.since, "--since", now);
  const until = o.until !== undefined ? parseTimeArg(o.until, "--until", now) : now;
  if (since > until) throw new UsageError(`--since (${since.toISOString()}) is after --until (${until.toISOString()})`);
  const { scanTrail, trailClient, eventFilter } = await import("../../adapters/aws/cloudtrail.js");
  // Kinds are checked before any AWS call; the config's schedules (when there is a config) name scheduler calls.
  const { loadConfig } = await import("../../adapters/files/config-file.js");
  const classify = classifyContextOf(opts.config ? await loadConfig(opts.config) : await loadConfig().catch(() => undefined));
  const byKind = kindFilter(o.kind, o.callerKind, classify);
  const byWhere = eventFilter({ cluster: o.cluster, service: o.service, caller: o.caller });
  const filter = byKind && byWhere ? (e: ApiCallEvent) => byWhere(e) && byKind(e) : (byKind ?? byWhere);
  const client = await trailClient(opts);
  const spin = ui.spinner(`looking up ${eventName} calls…`);
  let result;
  try {
    result = await scanTrail(
      {
        eventName,
        since,
        until,
        max: o.max,
        filter,
        onPage: (page, total) => spin.update(`looking up ${eventName} calls… page ${page}, ${total} found`),
      },
      client,
    );
  } finally {
    spin.stop();
  }
  if (result.unreadable.length) {
    ui.warn(`${plural(result.unreadable.length, "event")} could not be read: ${result.unreadable[0]!.reason}`);
  }
  if (result.truncated) ui.info(`showing the newest ${o.max}; raise --max or narrow --since for more`);
  const events = result.events.map((e) => toTrailEvent(e, classify));
  return { data: { events }, render: (_d, u) => renderRecent(events, u, { eventName, since, until }) };
}

function renderRecent(events: TrailEvent[], ui: Ui, q: { eventName: string; since: Date; until: Date }): string {
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
