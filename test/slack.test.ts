import { describe, expect, it } from "vitest";
import { postMessage, SlackError, validateWebhookUrl } from "../src/lib/slack.js";
import { ServiceError, UsageError } from "../src/lib/errors.js";
import { startFakeSlack, useFakeSlack } from "./support/fake-slack.js";

const message = { text: "2 services scaled", blocks: [{ type: "section", text: { type: "mrkdwn", text: "*dev*" } }] };

const slack = useFakeSlack();

/** Records the waits instead of sleeping, and advances a fake clock by them. */
function fakeTime(start = 1_000_000) {
  let t = start;
  const waits: number[] = [];
  return {
    waits,
    now: () => t,
    sleep: async (ms: number) => {
      waits.push(ms);
      t += ms;
    },
  };
}

describe("postMessage", () => {
  it("posts the exact JSON payload once and returns Slack's answer", async () => {
    const answer = await postMessage(slack.url, message, { deadline: Date.now() + 10_000 });
    expect(answer).toEqual({ status: 200, body: "ok", attempts: 1 });
    expect(slack.requests).toHaveLength(1);
    expect(slack.requests[0]!.method).toBe("POST");
    expect(slack.requests[0]!.headers["content-type"]).toMatch(/application\/json/);
    expect(slack.requests[0]!.json).toEqual(message);
  });

  it("waits Retry-After on 429 and then succeeds", async () => {
    slack.script({ status: 429, retryAfter: 3, body: "rate_limited" });
    const clock = fakeTime(Date.now());
    const answer = await postMessage(slack.url, message, { deadline: clock.now() + 30_000, ...clock });
    expect(answer.attempts).toBe(2);
    expect(clock.waits).toEqual([3000]);
    expect(slack.requests).toHaveLength(2);
  });

  it("waits 1 s on a 429 with no, blank or zero Retry-After", async () => {
    for (const header of [undefined, "", "  ", "0"]) {
      let calls = 0;
      const fetchImpl = (async () => {
        calls++;
        if (calls > 1) return new Response("ok", { status: 200 });
        return new Response("rate_limited", { status: 429, headers: header === undefined ? {} : { "retry-after": header } });
      }) as unknown as typeof fetch;
      const clock = fakeTime();
      const answer = await postMessage(slack.url, message, { deadline: clock.now() + 30_000, fetchImpl, ...clock });
      expect(answer.attempts).toBe(2);
      expect(clock.waits).toEqual([1000]);
    }
  });

  it("waits until an HTTP-date Retry-After, and gives up when that is past the deadline", async () => {
    const start = Date.parse("2026-11-27T00:00:00Z");
    const at = (s: number) => new Date(start + s * 1000).toUTCString();
    const answerWith = (header: string) => {
      let calls = 0;
      return (async () => {
        calls++;
        if (calls > 1) return new Response("ok", { status: 200 });
        return new Response("rate_limited", { status: 429, headers: { "retry-after": header } });
      }) as unknown as typeof fetch;
    };
    const clock = fakeTime(start);
    const answer = await postMessage(slack.url, message, { deadline: start + 60_000, fetchImpl: answerWith(at(20)), ...clock });
    expect(answer.attempts).toBe(2);
    expect(clock.waits).toEqual([20_000]);

    const late = fakeTime(start);
    const err = await postMessage(slack.url, message, { deadline: start + 10_000, fetchImpl: answerWith(at(20)), ...late }).catch(
      (e) => e,
    );
    expect(err).toBeInstanceOf(SlackError);
    expect(late.waits).toEqual([]);

    // A date already past still waits the 1 s floor.
    const past = fakeTime(start);
    await postMessage(slack.url, message, { deadline: start + 60_000, fetchImpl: answerWith(at(-30)), ...past });
    expect(past.waits).toEqual([1000]);
  });

  it("gives up on 429 when Retry-After does not fit before the deadline", async () => {
    slack.script({ status: 429, retryAfter: 30, body: "rate_limited" });
    const clock = fakeTime(Date.now());
    const err = await postMessage(slack.url, message, { deadline: clock.now() + 5_000, ...clock }).catch((e) => e);
    expect(err).toBeInstanceOf(SlackError);
    expect(err.status).toBe(429);
    expect(err.slackError).toBe("rate_limited");
    expect(clock.waits).toEqual([]);
    expect(slack.requests).toHaveLength(1);
  });

  it("retries 5xx with growing backoff until it succeeds", async () => {
    slack.script({ status: 500, body: "rollup_error" }, { status: 503, body: "" });
    const clock = fakeTime(Date.now());
    const answer = await postMessage(slack.url, message, { deadline: clock.now() + 60_000, random: () => 0.5, ...clock });
    expect(answer.attempts).toBe(3);
    expect(clock.waits).toHaveLength(2);
    expect(clock.waits[1]!).toBeGreaterThan(clock.waits[0]!);
  });

  it("stops retrying persistent 5xx at the deadline and reports the last status", async () => {
    slack.setFallback({ status: 500, body: "rollup_error" });
    const clock = fakeTime(Date.now());
    const err = await postMessage(slack.url, message, { deadline: clock.now() + 3_000, random: () => 0, ...clock }).catch(
      (e) => e,
    );
    expect(err).toBeInstanceOf(SlackError);
    expect(err).toBeInstanceOf(ServiceError);
    expect(err.status).toBe(500);
    expect(err.message).toContain("rollup_error");
    // Every wait plus the attempts fits inside the 3 s budget.
    expect(clock.waits.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(3_000);
    expect(slack.requests.length).toBeGreaterThan(1);
  });

  it("does not retry other 4xx and carries Slack's error string, never the URL", async () => {
    slack.script({ status: 404, body: "channel_not_found" });
    const err = await postMessage(slack.url, message, { deadline: Date.now() + 10_000 }).catch((e) => e);
    expect(err).toBeInstanceOf(SlackError);
    expect(err.status).toBe(404);
    expect(err.slackError).toBe("channel_not_found");
    expect(err.message).toContain("channel_not_found");
    expect(err.message).not.toContain(slack.url);
    expect(err.message).not.toContain("s3cr3t");
    expect(slack.requests).toHaveLength(1);
  });

  it("never echoes a body that repeats the webhook's host and path", async () => {
    const path = new URL(slack.url).pathname;
    const host = new URL(slack.url).host;
    slack.script({ status: 404, body: `no_service: ${host}${path}` });
    const err = await postMessage(slack.url, message, { deadline: Date.now() + 10_000 }).catch((e) => e);
    expect(err).toBeInstanceOf(SlackError);
    expect(err.slackError).toMatch(/^unexpected answer/);
    expect(err.message).toContain("unexpected answer");
    const secret = path.split("/").pop()!;
    expect(err.message).not.toContain(secret);
    expect(err.slackError).not.toContain(secret);
    expect(err.message).not.toContain(path);
  });

  it("never echoes someone else's /services/ path or a long odd answer", async () => {
    slack.script({ status: 400, body: "bad hook /services/T9/B9/OTHERSECRET1234 here" });
    const err = await postMessage(slack.url, message, { deadline: Date.now() + 10_000 }).catch((e) => e);
    expect(err.slackError).toMatch(/^unexpected answer/);
    expect(err.message).not.toContain("OTHERSECRET1234");
    slack.script({ status: 400, body: "x".repeat(500) });
    const err2 = await postMessage(slack.url, message, { deadline: Date.now() + 10_000 }).catch((e) => e);
    expect(err2.slackError.length).toBeLessThanOrEqual(90);
  });

  it("times out a hanging request and retries it", async () => {
    slack.script({ status: 200, delayMs: 2_000 });
    const answer = await postMessage(slack.url, message, {
      deadline: Date.now() + 10_000,
      attemptTimeoutMs: 300,
      sleep: async () => {},
    });
    expect(answer.attempts).toBe(2);
    expect(slack.requests).toHaveLength(2);
  });

  it("scrubs the URL from network errors", async () => {
    const secretUrl = "https://hooks.slack.example/services/T1/B2/verysecrettoken";
    const fetchImpl = (async () => {
      throw new TypeError(`fetch failed for ${secretUrl}`);
    }) as unknown as typeof fetch;
    const clock = fakeTime();
    const err = await postMessage(secretUrl, message, { deadline: clock.now() + 2_000, fetchImpl, ...clock }).catch(
      (e) => e,
    );
    expect(err).toBeInstanceOf(SlackError);
    expect(err.message).not.toContain("verysecrettoken");
    expect(err.message).not.toContain("hooks.slack.example");
  });

  it("reports a refused connection by its code", async () => {
    const closed = await startFakeSlack();
    const url = closed.url;
    await closed.close();
    const clock = fakeTime(Date.now());
    const err = await postMessage(url, message, { deadline: clock.now() + 1_000, ...clock }).catch((e) => e);
    expect(err).toBeInstanceOf(SlackError);
    expect(err.message).toContain("ECONNREFUSED");
    expect(err.message).not.toContain(url);
  });
});

describe("validateWebhookUrl", () => {
  it("accepts https and loopback http", () => {
    expect(validateWebhookUrl("https://hooks.slack.com/services/T/B/x")).toBe("https://hooks.slack.com/services/T/B/x");
    expect(validateWebhookUrl(slack.url)).toBe(slack.url);
  });

  it("rejects other values without echoing them", () => {
    for (const bad of ["http://hooks.slack.com/services/T/B/secretvalue", "not a url secretvalue", ""]) {
      let err: unknown;
      try {
        validateWebhookUrl(bad);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(UsageError);
      expect((err as Error).message).not.toContain("secretvalue");
    }
  });
});
