// The Lambda handler against a real local HTTP server standing in for Slack.
import { readFileSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Context, SQSEvent, SQSRecord } from "aws-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { GetParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { handler } from "../src/handler/index.js";
import { resetWebhookCache, urlFromSecretString } from "../src/handler/webhook.js";
import { processBatch } from "../src/handler/process.js";
import { normalizeValue } from "../src/core/events/events.js";
import { buildDigest } from "../src/core/digest/digest.js";
import { useFakeSlack } from "./support/fake-slack.js";

// Waits (Retry-After, backoff) advance a fake clock instead of sleeping, as in handler-delivery.test.ts.
let offset = 0;
const sleeps: number[] = [];
vi.mock("node:timers/promises", async (orig) => ({
  ...(await orig<typeof import("node:timers/promises")>()),
  setTimeout: async (ms: number) => {
    sleeps.push(ms);
    offset += ms;
  },
}));
const realNow = Date.now.bind(Date);

const fixture = JSON.parse(
  readFileSync(new URL("./fixtures/sqs-lambda-event.json", import.meta.url), "utf8"),
) as SQSEvent;
const ids = fixture.Records.map((r) => r.messageId);

function context(remainingMs = 30_000): Context {
  const end = Date.now() + remainingMs;
  return { getRemainingTimeInMillis: () => end - Date.now() } as unknown as Context;
}

function record(messageId: string, body: string): SQSRecord {
  return { ...fixture.Records[0]!, messageId, body };
}

const WEBHOOK_ENV = ["SLACK_WEBHOOK_URL", "SLACK_WEBHOOK_SECRET_ID", "SLACK_WEBHOOK_PARAMETER", "DIGEST_TIMEZONE"];

const slack = useFakeSlack();
let captured: string[] = [];
const secretToken = "s3cr3tW3bh00kT0k3nXYZ";

beforeEach(() => {
  offset = 0;
  sleeps.length = 0;
  vi.spyOn(Date, "now").mockImplementation(() => realNow() + offset);
  for (const k of WEBHOOK_ENV) delete process.env[k];
  process.env.SLACK_WEBHOOK_URL = slack.url;
  resetWebhookCache();
  // Capture every way the handler could print: console.* and the raw streams.
  captured = [];
  const grab =
    (..._: unknown[]) =>
    (...args: unknown[]) => {
      captured.push(args.map((a) => (a instanceof Error ? `${a.message}\n${a.stack}` : String(a))).join(" "));
      return true;
    };
  for (const m of ["log", "info", "warn", "error", "debug"] as const) vi.spyOn(console, m).mockImplementation(grab());
  vi.spyOn(process.stdout, "write").mockImplementation(grab() as never);
  vi.spyOn(process.stderr, "write").mockImplementation(grab() as never);
});

afterEach(() => {
  vi.restoreAllMocks();
  const all = captured.join("\n");
  // The webhook URL (or its secret path) must never reach a log line.
  expect(all).not.toContain(slack.url);
  expect(all).not.toContain(secretToken);
  for (const k of WEBHOOK_ENV) delete process.env[k];
});

describe("handler", () => {
  it("posts ONE digest per batch, exactly the digest dry-run builds, and reports no failures", async () => {
    process.env.DIGEST_TIMEZONE = "Asia/Seoul";
    const res = await handler(fixture, context());
    expect(res).toEqual({ batchItemFailures: [] });
    expect(slack.requests).toHaveLength(1);
    const expected = buildDigest(normalizeValue(fixture).events, { timeZone: "Asia/Seoul", invalidCount: 0 }).message;
    expect(slack.requests[0]!.json).toEqual(expected);
    // One structured log line per batch, with counts.
    const line = captured.find((l) => l.includes('"traildigest batch"'));
    expect(line).toBeDefined();
    const parsed = JSON.parse(line!);
    expect(parsed).toMatchObject({
      records: 5,
      duplicates: 1,
      invalid: 0,
      failed: 1,
      posted: true,
      batchItemFailures: 0,
    });
  });

  it("honours 429 Retry-After: 1, then posts one digest with no failures", async () => {
    slack.script({ status: 429, retryAfter: 1, body: "rate_limited" });
    const res = await handler(fixture, context(20_000));
    expect(res.batchItemFailures).toEqual([]);
    expect(slack.requests).toHaveLength(2);
    expect(slack.requests[1]!.body).toBe(slack.requests[0]!.body);
    // Slack was asked again only after the second it asked for.
    expect(sleeps).toEqual([1000]);
    expect(slack.requests[1]!.at - slack.requests[0]!.at).toBeGreaterThanOrEqual(1000);
  });

  it("returns every record in batchItemFailures when Slack keeps failing, before the invocation's deadline", async () => {
    slack.setFallback({ status: 500, body: "rollup_error" });
    const remaining = 4_000;
    const started = Date.now();
    const res = await handler(fixture, context(remaining));
    const elapsed = Date.now() - started;
    expect(res.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(ids);
    expect(slack.requests.length).toBeGreaterThan(1);
    expect(sleeps.length).toBe(slack.requests.length - 1); // backed off between attempts
    expect(elapsed).toBeLessThan(remaining);
    const line = JSON.parse(captured.find((l) => l.includes('"traildigest batch"'))!);
    expect(line).toMatchObject({ posted: false, level: "error" });
    expect(line.error).toContain("rollup_error");
  });

  it("returns every record when Slack rejects the payload (no retry on 4xx)", async () => {
    slack.script({ status: 404, body: "channel_not_found" });
    const res = await handler(fixture, context());
    expect(res.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(ids);
    expect(slack.requests).toHaveLength(1);
    expect(captured.join("\n")).toContain("channel_not_found");
  });

  it("logs each Slack retry as a JSON line without the URL", async () => {
    slack.script({ status: 503, body: "" });
    const res = await handler(fixture, context(20_000));
    expect(res.batchItemFailures).toEqual([]);
    const retry = captured.map((l) => l.trim()).filter((l) => l.includes('"slack retry"'));
    expect(retry).toHaveLength(1);
    expect(JSON.parse(retry[0]!)).toMatchObject({ level: "warn", attempt: 1, status: 503 });
  });

  it("falls back to UTC (and says so) when DIGEST_TIMEZONE is not a zone", async () => {
    process.env.DIGEST_TIMEZONE = "Mars/Olympus_Mons";
    const res = await handler(fixture, context());
    expect(res.batchItemFailures).toEqual([]);
    expect((slack.requests[0]!.json as { text: string }).text).toContain("UTC");
    expect(captured.join("\n")).toContain("DIGEST_TIMEZONE is not an IANA time zone");
  });

  it("returns exactly the unreadable records and posts the rest as one digest", async () => {
    const event: SQSEvent = {
      Records: [
        ...fixture.Records.slice(0, 2),
        record("bad-not-json", "this is not json"),
        record("bad-not-event", JSON.stringify({ hello: "world" })),
        ...fixture.Records.slice(2),
      ],
    };
    const res = await handler(event, context());
    expect(res.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(["bad-not-json", "bad-not-event"]);
    expect(slack.requests).toHaveLength(1);
    const line = JSON.parse(captured.find((l) => l.includes('"traildigest batch"'))!);
    expect(line).toMatchObject({ level: "warn", records: 7, invalid: 2, posted: true, batchItemFailures: 2 });
    expect(line.invalidReasons.map((r: { messageId: string }) => r.messageId)).toEqual([
      "bad-not-json",
      "bad-not-event",
    ]);
    const expected = buildDigest(normalizeValue(fixture).events, { timeZone: undefined, invalidCount: 2 }).message;
    expect(slack.requests[0]!.json).toEqual(expected);
  });

  it("posts nothing for a batch of only unreadable records, and returns them all", async () => {
    const event: SQSEvent = { Records: [record("a", "{"), record("b", "[]")] };
    const res = await handler(event, context());
    expect(res.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(["a", "b"]);
    expect(slack.requests).toHaveLength(0);
  });

  it("posts nothing for an empty batch, even without a webhook configured", async () => {
    delete process.env.SLACK_WEBHOOK_URL;
    expect(await handler({ Records: [] }, context())).toEqual({ batchItemFailures: [] });
    expect(slack.requests).toHaveLength(0);
  });

  it("throws a clear error (whole batch retries) when no webhook is configured", async () => {
    delete process.env.SLACK_WEBHOOK_URL;
    await expect(handler(fixture, context())).rejects.toThrow(
      /SLACK_WEBHOOK_URL, SLACK_WEBHOOK_SECRET_ID .*SLACK_WEBHOOK_PARAMETER/,
    );
    expect(slack.requests).toHaveLength(0);
  });

  it("does not echo a malformed webhook value in its error", async () => {
    process.env.SLACK_WEBHOOK_URL = "ftp://example.com/" + secretToken;
    const err = await handler(fixture, context()).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toContain("SLACK_WEBHOOK_URL");
    expect((err as Error).message).not.toContain(secretToken);
  });
});

describe("webhook from Secrets Manager / SSM (read once per container)", () => {
  it("reads a JSON secret with a url key once, across invocations", async () => {
    delete process.env.SLACK_WEBHOOK_URL;
    process.env.SLACK_WEBHOOK_SECRET_ID = "traildigest/slack";
    const sm = mockClient(SecretsManagerClient);
    sm.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ url: slack.url }) });
    try {
      await handler(fixture, context());
      await handler(fixture, context());
      expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(1);
      expect(sm.commandCalls(GetSecretValueCommand)[0]!.args[0].input).toEqual({ SecretId: "traildigest/slack" });
      expect(slack.requests).toHaveLength(2);
    } finally {
      sm.restore();
    }
  });

  it("reads an SSM SecureString with decryption, once", async () => {
    delete process.env.SLACK_WEBHOOK_URL;
    process.env.SLACK_WEBHOOK_PARAMETER = "/traildigest/slack-webhook";
    const ssm = mockClient(SSMClient);
    ssm.on(GetParameterCommand).resolves({ Parameter: { Value: slack.url, Type: "SecureString" } });
    try {
      await handler(fixture, context());
      await handler(fixture, context());
      const calls = ssm.commandCalls(GetParameterCommand);
      expect(calls).toHaveLength(1);
      expect(calls[0]!.args[0].input).toEqual({ Name: "/traildigest/slack-webhook", WithDecryption: true });
      expect(slack.requests).toHaveLength(2);
    } finally {
      ssm.restore();
    }
  });

  it("does not cache a failed read: the next invocation tries again", async () => {
    delete process.env.SLACK_WEBHOOK_URL;
    process.env.SLACK_WEBHOOK_SECRET_ID = "traildigest/slack";
    const sm = mockClient(SecretsManagerClient);
    const denied = Object.assign(new Error("User is not authorized"), { name: "AccessDeniedException" });
    sm.on(GetSecretValueCommand).rejectsOnce(denied).resolves({ SecretString: slack.url });
    try {
      await expect(handler(fixture, context())).rejects.toThrow(
        /traildigest\/slack: cannot read it \(AccessDeniedException\)/,
      );
      expect(await handler(fixture, context())).toEqual({ batchItemFailures: [] });
      expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(2);
    } finally {
      sm.restore();
    }
  });

  it("takes the URL from a plain or JSON SecretString, and rejects others without echoing them", () => {
    const u = "https://hooks.slack.com/services/T1/B2/abcdef";
    expect(urlFromSecretString(u, "s")).toBe(u);
    expect(urlFromSecretString(JSON.stringify({ webhookUrl: u }), "s")).toBe(u);
    expect(() => urlFromSecretString(JSON.stringify({ token: "xoxb-secretvalue" }), "s")).toThrow(/no "url"/);
    expect(() => urlFromSecretString("xoxb-secretvalue", "s")).toThrow(/not an https/);
    try {
      urlFromSecretString("xoxb-secretvalue", "s");
    } catch (e) {
      expect((e as Error).message).not.toContain("secretvalue");
    }
  });
});

describe("processBatch (shared with local run)", () => {
  it("returns the message, stats and posted flag, calling post once with the deadline", async () => {
    const post = vi.fn(async () => {});
    const deadline = Date.now() + 10_000;
    const out = await processBatch(fixture, { post, deadline });
    expect(post).toHaveBeenCalledTimes(1);
    expect((post.mock.calls[0] as unknown[])[1]).toEqual({ deadline });
    expect(out.posted).toBe(true);
    expect(out.message).not.toBeNull();
    expect(out.stats).toEqual({ records: 5, events: 4, duplicates: 1, invalid: 0, failed: 1 });
    expect(out.response).toEqual({ batchItemFailures: [] });
  });

  it("turns a post failure into every record failing", async () => {
    const out = await processBatch(
      { Records: [...fixture.Records, record("junk", "nope")] },
      {
        post: async () => {
          throw new Error("boom");
        },
        deadline: Date.now() + 1_000,
      },
    );
    expect(out.posted).toBe(false);
    expect(out.response.batchItemFailures.map((f) => f.itemIdentifier)).toEqual([...ids, "junk"]);
  });

  it("throws (whole batch retries) rather than drop an unreadable record that has no messageId", async () => {
    const post = vi.fn(async () => {});
    for (const bad of [{ ...record("x", "not json"), messageId: undefined }, null]) {
      const event = { Records: [bad, fixture.Records[0]!] } as unknown as SQSEvent;
      const err = await processBatch(event, { post, deadline: Date.now() + 1_000 }).catch((e) => e);
      expect(err).toBeInstanceOf(Error);
      expect(err.message).toMatch(/no messageId; failing the whole batch/);
    }
    // Nothing is posted for a batch that will come back whole.
    expect(post).not.toHaveBeenCalled();
  });

  it("throws when a post fails and a record to hand back has no messageId", async () => {
    const event = { Records: [fixture.Records[0]!, { ...fixture.Records[1]!, messageId: "" }] } as unknown as SQSEvent;
    const err = await processBatch(event, {
      post: async () => {
        throw new Error("boom");
      },
      deadline: Date.now() + 1_000,
    }).catch((e) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err.message).toMatch(/no messageId; failing the whole batch/);
    expect(err.message).toContain("boom");
  });
});
