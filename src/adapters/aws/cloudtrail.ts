// A paced CloudTrail LookupEvents scan: one EventName attribute (the API allows one), StartTime/EndTime,
// NextToken pages followed with the same parameters, at most 2 requests in any rolling second (the
// quota is 2 per second per account and region), throttling retried with backoff. Client, pacer and
// clock are injected, so `trail recent` and `schedules audit` share it and tests run on a fake clock.
import {
  LookupEventsCommand,
  type CloudTrailClient,
  type LookupEventsCommandInput,
  type LookupEventsCommandOutput,
} from "@aws-sdk/client-cloudtrail";
import { isUnreadable, normalizeLookupEvent, type ApiCallEvent } from "../../core/events/events.js";
import { createPacer, type Pacer } from "./pacer.js";
import { isArn } from "../../core/aws/arn.js";
import type { Clock } from "../../core/time/clock.js";
import { systemClock } from "../clock.js";
import type { AwsOptions } from "./clients.js";
import { isNotTheService } from "./errors.js";

export interface LookupParams {
  eventName: string;
  since: Date;
  until: Date;
  /** Stop once this many matching events are collected. */
  max?: number;
  /** Client-side filter (cluster, service, caller): LookupEvents takes only one attribute. */
  filter?: (event: ApiCallEvent) => boolean;
  /** After each page: page number (1-based) and matching events so far. */
  onPage?: (page: number, total: number) => void;
}

export interface LookupDeps {
  /** Shared across calls in one process by default, so two scans cannot double the rate. */
  pacer?: Pacer;
  clock?: Clock;
  /** Attempts per page when throttled or on a transient error (default 6). */
  maxAttempts?: number;
  /** Backoff before retry n (1-based): base × 2^(n-1), capped (default 500 ms, 8 s). */
  backoffBaseMs?: number;
  backoffCapMs?: number;
}

export interface LookupResult {
  events: ApiCallEvent[];
  /** Items whose CloudTrailEvent could not be read (never guessed at). */
  unreadable: { eventId?: string; reason: string }[];
  pages: number;
  /** Requests sent, retries included. */
  requests: number;
  /** True when --max stopped the scan before the last page. */
  truncated: boolean;
}

type Sender = Pick<CloudTrailClient, "send">;

/** 2 per rolling second; a request holds its slot until its answer (see pacer.ts), plus a small margin. */
export const LOOKUP_RATE = { max: 2, windowMs: 1000, marginMs: 20 };
let sharedPacer: Pacer | undefined;
export function defaultPacer(): Pacer {
  return (sharedPacer ??= createPacer({ ...LOOKUP_RATE, clock: systemClock }));
}
/** A new process starts with an empty window: for runs of the CLI inside one process (tests). */
export function forgetSharedPacer(): void {
  sharedPacer = undefined;
}

/**
 * A CloudTrail client for lookups: the SDK's own retries are turned off so every attempt goes
 * through the pacer (the SDK would retry a throttled call unpaced); lookupEvents retries instead.
 */
export async function trailClient(opts: AwsOptions): Promise<CloudTrailClient> {
  const { awsClient } = await import("./clients.js");
  return awsClient("cloudtrail", { ...opts, overrides: { ...opts.overrides, maxAttempts: 1 } });
}

const THROTTLE_NAMES = new Set([
  "ThrottlingException",
  "Throttling",
  "TooManyRequestsException",
  "RequestLimitExceeded",
]);
function isRetryable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const e = err as Error & {
    $metadata?: { httpStatusCode?: number };
    code?: string;
    $retryable?: unknown;
    $traildigestTimeoutMs?: number;
  };
  if (THROTTLE_NAMES.has(e.name)) return true;
  // --timeout ran out, or the endpoint does not speak CloudTrail at all: retrying cannot help.
  if (e.$traildigestTimeoutMs || isNotTheService(err)) return false;
  if ((e.$metadata?.httpStatusCode ?? 0) >= 500) return true;
  return e.code === "ECONNRESET" || e.code === "EPIPE" || e.name === "TimeoutError";
}

/** Thrown on the SDK's own second attempt so that every retry goes back through the pacer. */
class SdkRetryStopped extends Error {
  constructor(readonly failure: unknown) {
    super("retry left to the paced loop");
    this.name = "SdkRetryStopped";
  }
}

type Stackable = { middlewareStack: { add(mw: unknown, opts: Record<string, unknown>): void } };
/**
 * A client built with SDK retries (maxAttempts > 1) would retry a throttled call unpaced. A
 * per-command middleware inside the retry loop lets the first attempt through and stops any
 * second one, handing the original error back to our loop. (Mocked clients skip middleware and
 * have no SDK retries anyway.)
 */
function oneAttempt<C>(command: C): C {
  let failure: { err: unknown } | undefined;
  (command as unknown as Stackable).middlewareStack.add(
    (next: (a: unknown) => Promise<unknown>) => async (args: unknown) => {
      if (failure) throw new SdkRetryStopped(failure.err);
      try {
        return await next(args);
      } catch (err) {
        failure = { err };
        throw err;
      }
    },
    { step: "finalizeRequest", priority: "low", name: "traildigestOneAttempt" },
  );
  return command;
}

async function sendPaced(
  client: Sender,
  input: LookupEventsCommandInput,
  pacer: Pacer,
  clock: Clock,
  deps: LookupDeps,
  count: () => void,
): Promise<LookupEventsCommandOutput> {
  const maxAttempts = deps.maxAttempts ?? 6;
  for (let attempt = 1; ; attempt++) {
    const done = await pacer.take();
    count();
    try {
      return await client.send(oneAttempt(new LookupEventsCommand(input)));
    } catch (caught) {
      let err = caught;
      if (caught instanceof SdkRetryStopped) {
        err = caught.failure;
        // The operation tags (clients.ts) were put on the wrapper on its way out: carry them over.
        if (err && typeof err === "object") {
          for (const [k, v] of Object.entries(caught))
            if (k.startsWith("$traildigest")) (err as Record<string, unknown>)[k] ??= v;
        }
      }
      done();
      if (!isRetryable(err) || attempt >= maxAttempts) {
        if (err && typeof err === "object") {
          const e = err as { $metadata?: Record<string, unknown> };
          e.$metadata = { ...e.$metadata, attempts: attempt };
        }
        throw err;
      }
      const backoff = Math.min((deps.backoffBaseMs ?? 500) * 2 ** (attempt - 1), deps.backoffCapMs ?? 8000);
      await clock.sleep(backoff);
    } finally {
      done();
    }
  }
}

/** The scan with its bookkeeping. Events newest first. */
export async function scanTrail(params: LookupParams, client: Sender, deps: LookupDeps = {}): Promise<LookupResult> {
  if (params.since.getTime() > params.until.getTime()) {
    throw new RangeError(`start ${params.since.toISOString()} is after end ${params.until.toISOString()}`);
  }
  const clock = deps.clock ?? systemClock;
  const pacer = deps.pacer ?? (deps.clock ? createPacer({ ...LOOKUP_RATE, clock }) : defaultPacer());
  const out: LookupResult = { events: [], unreadable: [], pages: 0, requests: 0, truncated: false };
  const base = {
    LookupAttributes: [{ AttributeKey: "EventName" as const, AttributeValue: params.eventName }],
    StartTime: params.since,
    EndTime: params.until,
    MaxResults: 50,
  };
  let token: string | undefined;
  do {
    const page = await sendPaced(client, { ...base, NextToken: token }, pacer, clock, deps, () => out.requests++);
    out.pages++;
    for (const item of page.Events ?? []) {
      const ev = normalizeLookupEvent(item);
      if (isUnreadable(ev)) {
        out.unreadable.push({ eventId: item.EventId, reason: ev.reason });
        continue;
      }
      if (params.filter && !params.filter(ev)) continue;
      out.events.push(ev);
    }
    token = page.NextToken || undefined;
    params.onPage?.(out.pages, out.events.length);
    if (params.max !== undefined && out.events.length >= params.max) {
      out.truncated = Boolean(token) || out.events.length > params.max;
      break;
    }
  } while (token);
  out.events.sort((a, b) => (a.eventTime < b.eventTime ? 1 : a.eventTime > b.eventTime ? -1 : 0));
  if (params.max !== undefined) out.events = out.events.slice(0, params.max);
  return out;
}

/** Normalised events for one EventName in [since, until], newest first. */
export async function lookupEvents(
  params: LookupParams,
  client: Sender,
  deps: LookupDeps = {},
): Promise<ApiCallEvent[]> {
  return (await scanTrail(params, client, deps)).events;
}

export interface EventFilter {
  cluster?: string;
  service?: string;
  /** Substring of the caller's name, role, session or ARN (case-insensitive). */
  caller?: string;
}

/** --cluster / --service / --caller as one predicate. Cluster and service accept names or ARNs. */
export function eventFilter(f: EventFilter): ((e: ApiCallEvent) => boolean) | undefined {
  if (!f.cluster && !f.service && !f.caller) return undefined;
  const tail = (v: string) => (isArn(v) ? v.split("/").pop()! : v);
  const cluster = f.cluster && tail(f.cluster);
  const service = f.service && tail(f.service);
  const caller = f.caller?.toLowerCase();
  return (e) =>
    (!cluster || e.cluster === cluster) &&
    (!service || e.service === service) &&
    (!caller ||
      [e.caller.name, e.caller.role, e.caller.session, e.caller.arn].some((v) => v?.toLowerCase().includes(caller)));
}
