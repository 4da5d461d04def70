// The handler's delivery guarantee against a local Slack stand-in: redirects, a 200 that is not "ok",
// a slow Slack, a sustained 429, a hanging secret endpoint, and the worst case for duplicates. Waits
// (Retry-After, backoff) advance a fake clock instead of sleeping; a slow Slack is scaled down
// (1.2 s with 6 s left stands for 12 s with 60 s left).
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { Context, SQSEvent } from "aws-lambda";
import { handler } from "../src/handler/index.js";
import { resetWebhookCache } from "../src/handler/webhook.js";
import { startFakeSlack, useFakeSlack, type FakeSlack } from "./support/fake-slack.js";

let offset = 0;
const sleeps: number[] = [];
vi.mock("node:timers/promises", async (orig) => ({
  ...(await orig<typeof import("node:timers/promises")>()),
  setTimeout: async (ms: number) => {
    sleeps.push(ms);
    offset += ms;
  },
}));

const fixture = JSON.parse(
  readFileSync(new URL("./fixtures/sqs-lambda-event.json", import.meta.url), "utf8"),
) as SQSEvent;
const ids = fixture.Records.map((r) => r.messageId);

/** Lambda's context on the fake clock: remaining time shrinks with real time and with every fake sleep. */
function context(remainingMs: number): { ctx: Context; end: number } {
  const end = Date.now() + remainingMs;
  return { ctx: { getRemainingTimeInMillis: () => end - Date.now() } as unknown as Context, end };
}

const slack = useFakeSlack();
let logs: string[] = [];
const realNow = Date.now.bind(Date);

beforeEach(() => {
  offset = 0;
  sleeps.length = 0;
  vi.spyOn(Date, "now").mockImplementation(() => realNow() + offset);
  for (const k of ["SLACK_WEBHOOK_URL", "SLACK_WEBHOOK_SECRET_ID", "SLACK_WEBHOOK_PARAMETER"]) delete process.env[k];
  process.env.SLACK_WEBHOOK_URL = slack.url;
  resetWebhookCache();
  logs = [];
  vi.spyOn(console, "log").mockImplementation((line: string) => void logs.push(String(line)));
});

afterEach(() => {
  vi.restoreAllMocks();
  const all = logs.join("\n");
  const token = new URL(slack.url).pathname.split("/").pop()!;
  expect(all).not.toContain(token);
  expect(all).not.toContain(encodeURIComponent(slack.url));
});

const failedIds = (r: { batchItemFailures: { itemIdentifier: string }[] }) =>
  r.batchItemFailures.map((f) => f.itemIdentifier);

describe("handler delivery: never counts a failure as success", () => {
  let elsewhere: FakeSlack;
  beforeAll(async () => {
    elsewhere = await startFakeSlack({ secretPath: "/redirected" });
  });
  afterAll(async () => elsewhere.close());

  for (const status of [301, 302, 303, 307, 308]) {
    it(`${status}: not followed, every record handed back (lost 0), the payload posted only to the configured URL`, async () => {
      slack.script({ status, location: elsewhere.url, body: "" });
      const { ctx, end } = context(6_000);
      const res = await handler(fixture, ctx);
      expect(failedIds(res)).toEqual(ids);
      expect(slack.requests).toHaveLength(1);
      expect(elsewhere.requests).toHaveLength(0);
      expect(Date.now()).toBeLessThan(end);
      const line = JSON.parse(logs.find((l) => l.includes('"traildigest batch"'))!);
      expect(line).toMatchObject({ posted: false, batchItemFailures: ids.length });
      expect(line.error).toContain(`HTTP ${status} redirect (not followed`);
    });
  }

  it("a 200 with an HTML body is not delivered: every record handed back", async () => {
    slack.script({ status: 200, body: "<html><title>Proxy login</title></html>" });
    const res = await handler(fixture, context(6_000).ctx);
    expect(failedIds(res)).toEqual(ids);
    expect(slack.requests).toHaveLength(1);
    expect(logs.join("\n")).toMatch(/HTTP 200 with unexpected answer \(\d+ bytes\), not \\"ok\\"/);
  });

  it("a slow Slack (1.2 s with 6 s left) gets the time it needs: posted once, no failures, within the remaining time", async () => {
    slack.script({ status: 200, body: "ok", delayMs: 1_200 });
    const { ctx, end } = context(6_000);
    const res = await handler(fixture, ctx);
    expect(res.batchItemFailures).toEqual([]);
    expect(slack.requests).toHaveLength(1);
    expect(Date.now()).toBeLessThan(end);
  });

  it("a sustained 429 (Retry-After: 1 for 30 s) then success: posted, no failures, never past the remaining time", async () => {
    slack.script(...Array.from({ length: 30 }, () => ({ status: 429, retryAfter: 1, body: "rate_limited" })));
    const { ctx, end } = context(60_000);
    const res = await handler(fixture, ctx);
    expect(res.batchItemFailures).toEqual([]);
    expect(slack.requests).toHaveLength(31);
    expect(new Set(slack.requests.map((r) => r.body)).size).toBe(1);
    expect(sleeps.every((ms) => ms === 1000)).toBe(true);
    expect(Date.now()).toBeLessThan(end);
  });

  it("a 429 that outlasts the invocation: every record handed back before the remaining time runs out", async () => {
    slack.setFallback({ status: 429, retryAfter: 1, body: "rate_limited" });
    const { ctx, end } = context(20_000);
    const res = await handler(fixture, ctx);
    expect(failedIds(res)).toEqual(ids);
    expect(slack.requests.length).toBeGreaterThanOrEqual(15);
    expect(Date.now()).toBeLessThan(end);
  });

  it("no encoding of the webhook reaches the handler's log lines when an answer echoes it", async () => {
    const token = new URL(slack.url).pathname.split("/").pop()!;
    for (const echo of [slack.url, slack.url.replaceAll("/", "\\/"), encodeURIComponent(slack.url), token]) {
      slack.script(
        { status: 500, body: JSON.stringify({ error: echo }) },
        { status: 403, body: `invalid_token ${echo}` },
      );
      const res = await handler(fixture, context(6_000).ctx);
      expect(failedIds(res)).toEqual(ids);
    }
    const all = logs.join("\n");
    expect(all).toContain('"slack retry"');
    expect(all).toMatch(/HTTP 403 unexpected answer \(\d+ bytes\)/);
    expect(all).not.toContain(token);
  });

  it("worst case for duplicates: cut after Slack read the request, every time; at most 2 copies per invocation", async () => {
    slack.setFallback({ status: 200, reset: true });
    let copies = 0;
    for (let receive = 1; receive <= 5; receive++) {
      slack.requests.length = 0;
      const res = await handler(fixture, context(6_000).ctx);
      expect(failedIds(res)).toEqual(ids); // handed back: SQS retries, then the DLQ; never dropped
      expect(slack.requests.length).toBeLessThanOrEqual(2);
      copies += slack.requests.length;
    }
    // maxReceiveCount 5 invocations × 2: the documented worst-case bound of docs/safety.md.
    expect(copies).toBeLessThanOrEqual(10);
  });
});

describe("handler: a hanging secret endpoint", () => {
  let server: Server;
  let endpoint: string;
  let requests = 0;
  const saved: Record<string, string | undefined> = {};
  const env = {
    AWS_ENDPOINT_URL_SECRETS_MANAGER: "",
    AWS_ACCESS_KEY_ID: "test",
    AWS_SECRET_ACCESS_KEY: "test",
    AWS_REGION: "us-east-1",
  };
  beforeAll(async () => {
    server = createServer(() => void requests++); // reads the request, never answers
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    const a = server.address();
    endpoint = `http://127.0.0.1:${typeof a === "object" && a ? a.port : 0}`;
    env.AWS_ENDPOINT_URL_SECRETS_MANAGER = endpoint;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });
  beforeEach(() => {
    for (const [k, v] of Object.entries(env)) {
      saved[k] = process.env[k];
      process.env[k] = v;
    }
  });
  afterEach(() => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });

  it("gives up before the invocation's remaining time (the whole batch retries), posting nothing", async () => {
    delete process.env.SLACK_WEBHOOK_URL;
    process.env.SLACK_WEBHOOK_SECRET_ID = "traildigest/slack";
    const { ctx, end } = context(1_500);
    const err = await handler(fixture, ctx).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(
      /traildigest\/slack: cannot read it|did not finish before the invocation's deadline/,
    );
    expect(Date.now()).toBeLessThan(end);
    expect(requests).toBeGreaterThanOrEqual(1);
    expect(slack.requests).toHaveLength(0);
  });
});
