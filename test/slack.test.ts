import { describe, expect, it } from "vitest";
import { postMessage, SlackError, validateWebhookUrl } from "../src/adapters/slack.js";
import { ServiceError, UsageError } from "../src/core/errors.js";
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
        return new Response("rate_limited", {
          status: 429,
          headers: header === undefined ? {} : { "retry-after": header },
        });
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
    const answer = await postMessage(slack.url, message, {
      deadline: start + 60_000,
      fetchImpl: answerWith(at(20)),
      ...clock,
    });
    expect(answer.attempts).toBe(2);
    expect(clock.waits).toEqual([20_000]);

    const late = fakeTime(start);
    const err = await postMessage(slack.url, message, {
      deadline: start + 10_000,
      fetchImpl: answerWith(at(20)),
      ...late,
    }).catch((e) => e);
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
    const answer = await postMessage(slack.url, message, {
      deadline: clock.now() + 60_000,
      random: () => 0.5,
      ...clock,
    });
    expect(answer.attempts).toBe(3);
    expect(clock.waits).toHaveLength(2);
    expect(clock.waits[1]!).toBeGreaterThan(clock.waits[0]!);
  });

  it("stops retrying persistent 5xx at the deadline and reports the last status", async () => {
    slack.setFallback({ status: 500, body: "rollup_error" });
    const clock = fakeTime(Date.now());
    const err = await postMessage(slack.url, message, {
      deadline: clock.now() + 3_000,
      random: () => 0,
      ...clock,
    }).catch((e) => e);
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

  it("times out a hanging request and retries it once (attemptTimeoutMs caps an attempt)", async () => {
    slack.script({ status: 200, delayMs: 2_000 });
    const answer = await postMessage(slack.url, message, {
      deadline: Date.now() + 10_000,
      attemptTimeoutMs: 300,
      sleep: async () => {},
    });
    expect(answer.attempts).toBe(2);
    expect(slack.requests).toHaveLength(2);
  });

  it("retries an attempt of unknown outcome (timeout, reset after the request was read) at most once", async () => {
    slack.script({ status: 200, hang: true }, { status: 200, reset: true });
    const err = await postMessage(slack.url, message, { deadline: Date.now() + 10_000, attemptTimeoutMs: 200 }).catch(
      (e) => e,
    );
    expect(err).toBeInstanceOf(SlackError);
    expect(err.ambiguous).toBe(2);
    expect(err.message).toMatch(
      /may or may not have posted the message: 2 attempts with unknown outcome \(.+\); not retrying again/,
    );
    expect(slack.requests).toHaveLength(2);
  });

  it("gives a slow Slack all the time that remains instead of cutting it off and re-sending (1.2 s Slack, 6 s left)", async () => {
    slack.script({ status: 200, body: "ok", delayMs: 1_200 });
    const answer = await postMessage(slack.url, message, { deadline: Date.now() + 6_000 });
    expect(answer).toEqual({ status: 200, body: "ok", attempts: 1 });
    expect(slack.requests).toHaveLength(1);
  });

  for (const status of [301, 302, 303, 307, 308]) {
    it(`never follows a ${status} redirect: a failure naming the status, the payload sent only to the configured URL`, async () => {
      const other = await startFakeSlack({ secretPath: "/elsewhere" });
      try {
        slack.script({ status, location: other.url, body: "moved" });
        const err = await postMessage(slack.url, message, { deadline: Date.now() + 10_000 }).catch((e) => e);
        expect(err).toBeInstanceOf(SlackError);
        expect(err.status).toBe(status);
        expect(err.message).toContain(`HTTP ${status} redirect (not followed`);
        expect(slack.requests).toHaveLength(1);
        expect(other.requests).toHaveLength(0);
      } finally {
        await other.close();
      }
    });
  }

  it("a 200 whose body is not `ok` (a proxy's HTML page) is not delivered, and its body is not quoted", async () => {
    const page = "<html><body>Sign in to the proxy</body></html>";
    slack.script({ status: 200, body: page });
    const err = await postMessage(slack.url, message, { deadline: Date.now() + 10_000 }).catch((e) => e);
    expect(err).toBeInstanceOf(SlackError);
    expect(err.message).toBe(
      `Slack did not take the message: HTTP 200 with unexpected answer (${page.length} bytes), not "ok"`,
    );
    expect(slack.requests).toHaveLength(1);
  });

  it("keeps retrying a sustained 429 until the deadline allows no more, not a fixed count, then succeeds", async () => {
    const clock = fakeTime();
    let calls = 0;
    const fetchImpl = (async () => {
      calls++;
      return calls <= 40
        ? new Response("rate_limited", { status: 429, headers: { "retry-after": "1" } })
        : new Response("ok");
    }) as unknown as typeof fetch;
    const answer = await postMessage(slack.url, message, { deadline: clock.now() + 54_000, fetchImpl, ...clock });
    expect(answer.attempts).toBe(41);
    expect(clock.now()).toBeLessThanOrEqual(1_000_000 + 54_000);
    // Sustained past the deadline: gives up with the deadline, not before.
    calls = -1000;
    const c2 = fakeTime();
    const err = await postMessage(slack.url, message, { deadline: c2.now() + 54_000, fetchImpl, ...c2 }).catch(
      (e) => e,
    );
    expect(err.status).toBe(429);
    expect(err.attempts).toBe(54);
    expect(c2.now()).toBeLessThanOrEqual(1_000_000 + 54_000);
  });

  it("never quotes a body that is not a bare Slack error string, whatever encoding echoes the URL", async () => {
    const token = new URL(slack.url).pathname.split("/").pop()!;
    const path = new URL(slack.url).pathname;
    for (const body of [
      JSON.stringify({ error: "bad", url: slack.url.replaceAll("/", "\\/") }),
      `bad%20hook%20${encodeURIComponent(slack.url)}`,
      `invalid token ${token}`,
      `invalid_token:${token}`,
    ]) {
      slack.script({ status: 400, body });
      const err = await postMessage(slack.url, message, { deadline: Date.now() + 10_000 }).catch((e) => e);
      expect(err.message).toBe(
        `Slack rejected the message: HTTP 400 unexpected answer (${Buffer.byteLength(body)} bytes)`,
      );
    }
    expect(path).toContain(token);
  });

  it("scrubs the URL from network errors in every encoding", async () => {
    const secretUrl = "https://hooks.slack.example/services/T1/B2/verysecrettoken";
    for (const form of [
      secretUrl,
      secretUrl.replaceAll("/", "\\/"),
      encodeURIComponent(secretUrl),
      "verysecrettoken",
    ]) {
      const fetchImpl = (async () => {
        throw new TypeError(`fetch failed for ${form}`);
      }) as unknown as typeof fetch;
      const clock = fakeTime();
      const err = await postMessage(secretUrl, message, { deadline: clock.now() + 2_000, fetchImpl, ...clock }).catch(
        (e) => e,
      );
      expect(err).toBeInstanceOf(SlackError);
      expect(err.message).not.toContain("verysecrettoken");
      expect(err.message).not.toContain("hooks.slack.example");
    }
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

describe("redact() (every CLI output path)", () => {
  it("hides a registered webhook as given, JSON-escaped, percent-encoded (either case), its path and its token", async () => {
    const { registerSecret, redact } = await import("../src/cli/output/output.js");
    const url = "https://hooks.slack.example/services/T0AAA1111/B0BBB2222/abcdEFGHijklMNOPqrstUVWX"; // reserved test domain
    registerSecret(url);
    const token = "abcdEFGHijklMNOPqrstUVWX";
    const forms = [
      url,
      url.replaceAll("/", "\\/"),
      JSON.stringify(JSON.stringify({ u: url.replaceAll("/", "\\/") })),
      encodeURIComponent(url),
      encodeURIComponent(url).replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()),
      "/services/T0AAA1111/B0BBB2222/" + token,
      token,
    ];
    for (const f of forms) {
      const out = redact(`answer: ${f} end`);
      expect(out).not.toContain(token);
      expect(out).toMatch(/^answer: .*\*\*\*.* end$/);
    }
    expect(redact("ordinary text")).toBe("ordinary text");
  });
});
