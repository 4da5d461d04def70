// `trail recent`: recent calls of one API from CloudTrail LookupEvents, paced and filtered, in the
// contract's event shape. Rendering is cli/render/trail.ts.
import { UsageError } from "../core/errors.js";
import { parseTimeArg, withinTrailHistory } from "../core/time/duration.js";
import type { ApiCallEvent } from "../core/events/events.js";
import { callKind, callerInfo, kindFilter, type ClassifyContext } from "../core/events/call-kind.js";
import { classifyContextOf } from "../core/setup/policies.js";
import { plural, type LookedIn } from "../core/text/text.js";
import { say } from "./report.js";
import type { RunContext } from "./run-context.js";

export interface RecentOpts {
  since: string;
  until?: string;
  cluster?: string;
  service?: string;
  caller?: string;
  kind?: string;
  callerKind?: string;
  max: number;
}

export interface Recent {
  events: TrailEvent[];
  query: { eventName: string; since: Date; until: Date };
  /** Only when no call came back: the region and account searched (a wrong region is the usual reason). */
  lookedIn?: LookedIn;
}

/** The contract's event shape (docs/architecture.md §4): every key present, null when unknown. */
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

export async function recentCalls(ctx: RunContext, eventName: string, o: RecentOpts): Promise<Recent> {
  const { opts } = ctx;
  const ui = say(ctx.report);
  if (!eventName.trim()) throw new UsageError("eventName: empty (give an API call name such as UpdateService)");
  if (!/^[A-Za-z]+$/.test(eventName))
    throw new UsageError(`eventName: "${eventName}" is not an API call name such as UpdateService`);
  const now = new Date(ctx.clock.now());
  const since = withinTrailHistory(parseTimeArg(o.since, "--since", now), o.since, "--since", now);
  const until = o.until !== undefined ? parseTimeArg(o.until, "--until", now) : now;
  if (since > until) throw new UsageError(`--since (${since.toISOString()}) is after --until (${until.toISOString()})`);
  const [{ scanTrail, trailClient, eventFilter }, { whereLooked }] = await Promise.all([
    import("../adapters/aws/cloudtrail.js"),
    import("../adapters/aws/clients.js"),
  ]);
  // Kinds are checked before any AWS call; the config's schedules (when there is a config) name scheduler calls.
  const { loadConfig } = await import("../adapters/files/config-file.js");
  const classify = classifyContextOf(
    opts.config ? await loadConfig(opts.config, ctx.cwd) : await loadConfig(undefined, ctx.cwd).catch(() => undefined),
  );
  const byKind = kindFilter(o.kind, o.callerKind, classify);
  const byWhere = eventFilter({ cluster: o.cluster, service: o.service, caller: o.caller });
  const filter = byKind && byWhere ? (e: ApiCallEvent) => byWhere(e) && byKind(e) : (byKind ?? byWhere);
  const client = await trailClient(opts);
  const spin = ui.progress(`looking up ${eventName} calls…`);
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
  const query = { eventName, since, until };
  // Nothing found is most often the wrong region or account: say which were searched (STS only then).
  if (events.length === 0) return { events, query, lookedIn: await whereLooked(opts) };
  return { events, query };
}
