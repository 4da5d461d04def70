// Posting one payload to a Slack incoming webhook (docs/facts.md §6), shared by the Lambda and `notify send`.
// Slack answers 200 "ok" or a status with a plain-text error string. Only 200 + "ok" is delivered;
// redirects are never followed (the payload goes nowhere but the configured URL) and, like any other
// 4xx or a 200 with another body, are final. One deadline bounds everything: 429 waits Retry-After and
// 5xx backs off while time remains; an attempt whose outcome is unknown (timed out, or cut after the
// request went out: Slack may have posted it) is retried at most once, which bounds duplicates
// (docs/safety.md). The webhook URL is a secret: no form of it appears in an error or a log line.
import { ServiceError, UsageError } from "../core/errors.js";
import { plural } from "../core/text/text.js";
import { scrub } from "../core/text/secret-forms.js";
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
  /** Upper bound for one request (default: all the time left; never beyond the deadline). */
  attemptTimeoutMs?: number;
  /** Give up after this many requests (default: no count, the deadline bounds the retries). */
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
    /** Requests whose outcome is unknown (Slack may have posted them). */
    readonly ambiguous = 0,
  ) {
    super(message);
  }
}

/** An attempt that timed out or was cut after the request was sent is retried at most this often. */
export const MAX_AMBIGUOUS_RETRIES = 1;

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

/** Slack's error strings look like `channel_not_found`; anything else is not echoed verbatim. */
const SLACK_ERROR_RE = /^[a-z0-9_]{1,60}$/;

/** Slack's error string when the body is a bare one; anything else is never quoted, only measured. */
export function slackErrorString(body: string): string {
  const trimmed = body.trim();
  if (!trimmed) return "(empty answer)";
  if (SLACK_ERROR_RE.test(trimmed)) return trimmed;
  return `unexpected answer (${plural(Buffer.byteLength(body), "byte")})`;
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

/** Errors raised before the request could leave: nothing was sent, so a retry cannot duplicate. */
const NOT_SENT = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ENETUNREACH",
  "EHOSTUNREACH",
  "UND_ERR_CONNECT_TIMEOUT",
]);

/** A network failure's reason, and whether Slack may have received (and posted) the request. */
function networkFailure(err: unknown, url: string): { reason: string; ambiguous: boolean } {
  if (err instanceof Error && (err.name === "TimeoutError" || err.name === "AbortError"))
    return { reason: "timeout", ambiguous: true };
  const cause = (err as { cause?: { code?: string; message?: string } } | undefined)?.cause;
  if (cause?.code) return { reason: cause.code, ambiguous: !NOT_SENT.has(cause.code) };
  const msg = err instanceof Error ? err.message : String(err);
  return { reason: scrub(msg, { webhookUrl: url, urls: true }).slice(0, 120) || "network error", ambiguous: true };
}

function redirectReason(res: Response): string {
  return `HTTP ${res.status || "3xx"} redirect (not followed: the payload goes only to the configured URL)`;
}

/** Log the retry; false when waiting `wait` would leave no room for another attempt before the deadline. */
function logAndFit(
  o: { now: () => number; log: (line: string) => void; deadline: number },
  attempt: number,
  last: { status?: number; reason: string },
  wait: number,
): boolean {
  const fits = o.now() + wait + MIN_ATTEMPT_MS <= o.deadline;
  o.log(
    JSON.stringify({
      level: "warn",
      msg: "slack retry",
      attempt,
      status: last.status ?? null,
      reason: last.reason,
      waitMs: fits ? wait : null,
    }),
  );
  return fits;
}

/** What one request came to: delivered, refused for good, failed on the network, or an answer worth retrying. */
type Outcome =
  | { kind: "delivered" }
  | { kind: "final"; message: string; status: number | undefined; reason: string }
  | { kind: "network"; reason: string; ambiguous: boolean }
  | { kind: "retryable"; status: number; reason: string; retryAfter: string | null };

/** One POST, redirects not followed, cut off after `timeoutMs`; classifies the answer and decides nothing about retrying. */
async function attemptOnce(fetchImpl: typeof fetch, url: string, body: string, timeoutMs: number): Promise<Outcome> {
  let res: Response;
  let text: string;
  try {
    res = await fetchImpl(url, {
      method: "POST",
      headers: { "content-type": "application/json; charset=utf-8" },
      body,
      redirect: "manual",
      signal: AbortSignal.timeout(timeoutMs),
    });
    text = await res.text();
  } catch (err) {
    return { kind: "network", ...networkFailure(err, url) };
  }
  if (res.status === 200 && text.trim() === "ok") return { kind: "delivered" };
  if (res.type === "opaqueredirect" || (res.status >= 300 && res.status < 400)) {
    const reason = redirectReason(res);
    return {
      kind: "final",
      message: `Slack did not take the message: ${reason}`,
      status: res.status || undefined,
      reason,
    };
  }
  const reason = slackErrorString(text);
  if (res.status === 200) {
    // A proxy's page, a captive portal…: not Slack's "ok", so not delivered.
    return {
      kind: "final",
      message: `Slack did not take the message: HTTP 200 with ${reason}, not "ok"`,
      status: 200,
      reason,
    };
  }
  if (res.status === 429 || res.status >= 500) {
    return { kind: "retryable", status: res.status, reason, retryAfter: res.headers.get("retry-after") };
  }
  // 4xx other than 429: the payload or the webhook is wrong; retrying changes nothing.
  return {
    kind: "final",
    message: `Slack rejected the message: HTTP ${res.status} ${reason}`,
    status: res.status,
    reason,
  };
}

/**
 * The retry policy around attemptOnce: 429 waits Retry-After, 5xx and unsent requests back off, an
 * unknown outcome is retried at once but at most MAX_AMBIGUOUS_RETRIES times, all within the deadline.
 */
export async function postMessage(url: string, message: object, opts: PostOptions): Promise<SlackAnswer> {
  const fetchImpl = opts.fetchImpl ?? fetch;
  const sleep = opts.sleep ?? ((ms: number) => delay(ms));
  const now = opts.now ?? Date.now;
  const random = opts.random ?? Math.random;
  const log = opts.log ?? (() => {});
  const maxAttempts = opts.maxAttempts ?? Infinity;
  const body = JSON.stringify(message);

  let attempt = 0;
  let ambiguous = 0;
  let last: { status?: number; reason: string } = { reason: "no time left before the deadline" };
  for (;;) {
    const left = opts.deadline - now();
    if (left < MIN_ATTEMPT_MS || attempt >= maxAttempts) break;
    attempt++;
    // The attempt gets all the time left (a slow Slack that will answer is not cut off and re-sent).
    const out = await attemptOnce(fetchImpl, url, body, Math.min(opts.attemptTimeoutMs ?? left, left));
    if (out.kind === "delivered") return { status: 200, body: "ok", attempts: attempt };
    if (out.kind === "final") throw new SlackError(out.message, out.status, out.reason, attempt, ambiguous);
    let wait: number;
    if (out.kind === "network") {
      last = { reason: out.reason };
      if (out.ambiguous) ambiguous++;
      if (ambiguous > MAX_AMBIGUOUS_RETRIES) {
        log(
          JSON.stringify({
            level: "warn",
            msg: "slack retry",
            attempt,
            status: null,
            reason: out.reason,
            waitMs: null,
            ambiguous,
          }),
        );
        throw new SlackError(
          `Slack may or may not have posted the message: ${plural(ambiguous, "attempt")} with unknown outcome (${out.reason}); not retrying again, to bound duplicates`,
          undefined,
          out.reason,
          attempt,
          ambiguous,
        );
      }
      wait = out.ambiguous ? 0 : backoff(attempt, random);
    } else {
      last = { status: out.status, reason: out.reason };
      wait = out.status === 429 ? parseRetryAfter(out.retryAfter, now()) : backoff(attempt, random);
    }
    if (!logAndFit({ now, log, deadline: opts.deadline }, attempt, last, wait)) break;
    await sleep(wait);
  }
  const what = last.status ? `HTTP ${last.status} ${last.reason}` : last.reason;
  throw new SlackError(
    `Slack did not accept the message after ${plural(attempt, "attempt")}: ${what}`,
    last.status,
    last.reason,
    attempt,
    ambiguous,
  );
}

/** Exponential backoff with jitter: half fixed, half random, capped. */
function backoff(attempt: number, random: () => number): number {
  const base = Math.min(MAX_BACKOFF_MS, BASE_BACKOFF_MS * 2 ** (attempt - 1));
  return Math.round(base / 2 + (random() * base) / 2);
}
