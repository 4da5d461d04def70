// Posting one payload to a Slack incoming webhook, shared by the Lambda and `notify send`.
// Slack answers 200 "ok" or a status with a plain-text error string (docs/aws-slack-facts.md §6).
// 429 honours Retry-After when the deadline allows; 5xx, network errors and timeouts back off
// and retry while time remains; any other 4xx is final. The webhook URL is a secret: it never
// appears in an error or a log line.
import { ServiceError, UsageError } from "./errors.js";
import { plural } from "./text.js";
import { setTimeout as delay } from "node:timers/promises";

/** What Slack said to a request that succeeded. */
export interface SlackAnswer {
  status: number;
  body: string;
  attempts: number;
}

export interface PostOptions {
  /** Epoch ms by which we must have given up (the Lambda's remaining time minus a margin). */
  deadline: number;
  fetchImpl?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  log?: (line: string) => void;
  /** Upper bound for one request (default 10 s; never beyond the deadline). */
  attemptTimeoutMs?: number;
  /** Give up after this many requests (default 6). */
  maxAttempts?: number;
  /** 0..1, for jitter; tests pass a constant. */
  random?: () => number;
  now?: () => number;
}

/** A Slack or network failure after retries. `slackError` is Slack's own string when it sent one. */
export class SlackError extends ServiceError {
  constructor(
    message: string,
    readonly status: number | undefined,
    readonly slackError: string,
    readonly attempts: number,
  ) {
    super(message);
  }
}

const BASE_BACKOFF_MS = 500;
const MAX_BACKOFF_MS = 8_000;
/** Not worth starting a request with less time than this. */
const MIN_ATTEMPT_MS = 250;

/** https (any host), or http on loopback for local testing. Never echoes the value. */
export function validateWebhookUrl(url: string | undefined, label = "webhook URL"): string {
  if (!url) throw new UsageError(`${label}: missing (give --webhook-url or set SLACK_WEBHOOK_URL)`);
  let u: URL;
  try {
    u = new URL(url.trim());
  } catch {
    throw new UsageError(`${label}: not a valid URL`);
  }
  const loopback = ["127.0.0.1", "localhost", "[::1]"].includes(u.hostname);
  if (u.protocol !== "https:" && !(u.protocol === "http:" && loopback)) {
    throw new UsageError(`${label}: must be an https:// URL (http:// only on 127.0.0.1 for local testing)`);
  }
  return url.trim();
}

/** Removes the webhook URL (and any URL at all) from text that may end up in a log. */
export function scrub(text: string, url?: string): string {
  let out = text;
  if (url) {
    out = out.split(url).join("<webhook>");
    let u: URL | undefined;
    try {
      u = new URL(url);
    } catch {
      u = undefined;
    }
    // A body may echo the URL without its scheme (host+path) or the path alone.
    if (u && u.pathname.length > 1) {
      out = out.split(u.host + u.pathname).join("<webhook>");
      out = out.split(u.pathname).join("<webhook>");
    }
  }
  out = out.replace(/https?:\/\/[^\s"'<>]+/gi, "<url>");
  // Any webhook-shaped path, whoever's it is.
  out = out.replace(/\/services\/[^\s"'<>]*/gi, "<webhook>");
  return out;
}

/** Slack's error strings look like `channel_not_found`; anything else is not echoed verbatim. */
const SLACK_ERROR_RE = /^[a-z0-9_]{1,60}$/;

/** Slack's error string from a response body, or `unexpected answer` with a short scrubbed excerpt. */
function slackErrorString(body: string, url: string): string {
  const trimmed = body.trim();
  if (!trimmed) return "(empty answer)";
  if (SLACK_ERROR_RE.test(trimmed)) return trimmed;
  const excerpt = scrub(trimmed.split("\n", 1)[0] ?? "", url).slice(0, 60);
  return excerpt ? `unexpected answer (${excerpt})` : "unexpected answer";
}

/** Slack's documented pace is one message per second: never retry a 429 sooner. */
const MIN_RETRY_AFTER_MS = 1000;

/** Retry-After as ms: delta-seconds or an HTTP date; missing, blank or odd → 1 s; floor 1 s. */
export function parseRetryAfter(value: string | null, now: number): number {
  const v = value?.trim() ?? "";
  if (!v) return MIN_RETRY_AFTER_MS;
  let ms: number;
  if (/^\d+(\.\d+)?$/.test(v)) ms = Number(v) * 1000;
  else {
    const at = Date.parse(v);
    ms = Number.isFinite(at) ? at - now : MIN_RETRY_AFTER_MS;
  }
  return Math.max(MIN_RETRY_AFTER_MS, Math.ceil(ms));
}

function networkReason(err: unknown, url: string): string {
  if (err instanceof Error && (err.name === "TimeoutError" || err.name === "AbortError")) return "timeout";
  const cause = (err as { cause?: { code?: string; message?: string } } | undefined)?.cause;
  if (cause?.code) return cause.code;
  const msg = err instanceof Error ? err.message : String(err);
  return scrub(msg, url).slice(0, 120) || "network error";
}

export async function postMessage(url: string, message: object, opts: PostOptions): Promise<SlackAnswer> {
  const fetchImpl = opts.fetchImpl ?? fetch;
  const sleep = opts.sleep ?? ((ms: number) => delay(ms));
  const now = opts.now ?? Date.now;
  const random = opts.random ?? Math.random;
  const log = opts.log ?? (() => {});
  const maxAttempts = opts.maxAttempts ?? 6;
  const attemptTimeout = opts.attemptTimeoutMs ?? 10_000;
  const body = JSON.stringify(message);

  let attempt = 0;
  let last: { status?: number; reason: string } = { reason: "no time left before the deadline" };
  for (;;) {
    const left = opts.deadline - now();
    if (left < MIN_ATTEMPT_MS || attempt >= maxAttempts) break;
    attempt++;
    let wait: number;
    try {
      const res = await fetchImpl(url, {
        method: "POST",
        headers: { "content-type": "application/json; charset=utf-8" },
        body,
        signal: AbortSignal.timeout(Math.min(attemptTimeout, left)),
      });
      const text = await res.text();
      if (res.status === 200) return { status: 200, body: text.trim(), attempts: attempt };
      last = { status: res.status, reason: slackErrorString(text, url) };
      if (res.status === 429) {
        wait = parseRetryAfter(res.headers.get("retry-after"), now());
      } else if (res.status >= 500) {
        wait = backoff(attempt, random);
      } else {
        // 4xx other than 429: the payload or the webhook is wrong; retrying changes nothing.
        throw new SlackError(
          `Slack rejected the message: HTTP ${res.status} ${last.reason}`,
          res.status,
          last.reason,
          attempt,
        );
      }
    } catch (err) {
      if (err instanceof SlackError) throw err;
      last = { reason: networkReason(err, url) };
      wait = backoff(attempt, random);
    }
    const fits = now() + wait + MIN_ATTEMPT_MS <= opts.deadline;
    log(
      JSON.stringify({
        level: "warn",
        msg: "slack retry",
        attempt,
        status: last.status ?? null,
        reason: last.reason,
        waitMs: fits ? wait : null,
      }),
    );
    if (!fits || attempt >= maxAttempts) break;
    await sleep(wait);
  }
  const what = last.status ? `HTTP ${last.status} ${last.reason}` : last.reason;
  throw new SlackError(
    `Slack did not accept the message after ${plural(attempt, "attempt")}: ${what}`,
    last.status,
    last.reason,
    attempt,
  );
}

/** Exponential backoff with jitter: half fixed, half random, capped. */
function backoff(attempt: number, random: () => number): number {
  const base = Math.min(MAX_BACKOFF_MS, BASE_BACKOFF_MS * 2 ** (attempt - 1));
  return Math.round(base / 2 + (random() * base) / 2);
}
