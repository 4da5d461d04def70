import { readFileSync } from "node:fs";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { mockClient } from "aws-sdk-client-mock";
import { CloudTrailClient, LookupEventsCommand } from "@aws-sdk/client-cloudtrail";
import { ConfiguredRetryStrategy } from "@smithy/core/retry";
import { createPacer } from "../src/adapters/aws/pacer.js";
import type { Clock } from "../src/core/time/clock.js";
import { eventFilter, lookupEvents, scanTrail } from "../src/adapters/aws/cloudtrail.js";
import { runCliInProcess } from "./support/run-cli.js";
import { runCliInVirtualTime, useVirtualTime } from "./support/virtual-time.js";
import {
  maxInWindow,
  startFakeCloudTrail,
  updateServiceEvent,
  type FakeCloudTrail,
} from "./support/fake-cloudtrail.js";

/** A clock whose sleep advances time instantly; records every sleep. */
function fakeClock(start = 1_000_000): Clock & { t: number; sleeps: number[] } {
  const c = {
    t: start,
    sleeps: [] as number[],
    now: () => c.t,
    sleep: async (ms: number) => {
      c.sleeps.push(ms);
      c.t += ms;
    },
  };
  return c;
}

const page = JSON.parse(readFileSync(new URL("./fixtures/lookup-events-page.json", import.meta.url), "utf8")) as {
  Events: Record<string, unknown>[];
};
const toSdk = (e: Record<string, unknown>) => ({ ...e, EventTime: new Date(e.EventTime as string) });

describe("pacer", () => {
  it("never lets more than 2 starts into any rolling second", async () => {
    const clock = fakeClock();
    const pacer = createPacer({ max: 2, windowMs: 1000, clock });
    for (let i = 0; i < 9; i++) (await pacer.take())();
    expect(pacer.starts).toHaveLength(9);
    expect(maxInWindow([...pacer.starts])).toBe(2);
    // 9 starts at 2 per second need a little over 4 s, not much more.
    const span = pacer.starts.at(-1)! - pacer.starts[0]!;
    expect(span).toBeGreaterThan(4000);
    expect(span).toBeLessThan(4100);
  });

  it("does not wait when the window has room", async () => {
    const clock = fakeClock();
    const pacer = createPacer({ max: 2, windowMs: 1000, clock });
    (await pacer.take())();
    clock.t += 1500;
    (await pacer.take())();
    (await pacer.take())();
    expect(clock.sleeps).toEqual([]);
  });

  it("serialises concurrent callers", async () => {
    const clock = fakeClock();
    const pacer = createPacer({ max: 2, windowMs: 1000, clock });
    await Promise.all(Array.from({ length: 6 }, async () => (await pacer.take())()));
    expect(maxInWindow([...pacer.starts])).toBe(2);
  });

  it("holds a slot while its request is in flight and for a window after the answer", async () => {
    const clock = fakeClock(0);
    const pacer = createPacer({ max: 2, windowMs: 1000, clock });
    const done0 = await pacer.take(); // starts at 0, answered at 300 (a slow first request)
    clock.t = 300;
    done0();
    (await pacer.take())(); // starts at 300
    const done2 = await pacer.take();
    // The server may have seen request 0 as late as 300: request 2 must not start before 1300.
    expect(pacer.starts[2]).toBeGreaterThan(1300);
    done2();
    // With both slots in flight nothing else may start until one answers.
    const a = await pacer.take();
    const b = pacer.take();
    let started = false;
    void b.then(() => (started = true));
    for (let i = 0; i < 5; i++) await clock.sleep(0);
    a();
    await b;
    expect(started).toBe(true);
    expect(maxInWindow([...pacer.starts])).toBeLessThanOrEqual(2);
  });
});

describe("LookupEvents scan (aws-sdk-client-mock)", () => {
  // Stub one instance only: the real-client tests below must reach the network.
  const instance = new CloudTrailClient({ region: "us-east-1" });
  const ct = mockClient(instance);
  afterEach(() => ct.reset());
  afterAll(() => ct.restore());
  const client = () => instance;
  const since = new Date("2026-11-26T12:00:00Z");
  const until = new Date("2026-11-26T14:00:00Z");

  it("follows NextToken over several pages with the same parameters, newest first", async () => {
    const [a, b, c, d] = page.Events.map(toSdk);
    ct.on(LookupEventsCommand, { NextToken: undefined })
      .resolves({ Events: [a, b] as never, NextToken: "p2" })
      .on(LookupEventsCommand, { NextToken: "p2" })
      .resolves({ Events: [c] as never, NextToken: "p3" })
      .on(LookupEventsCommand, { NextToken: "p3" })
      .resolves({ Events: [d] as never });
    const clock = fakeClock();
    const pages: number[] = [];
    const events = await lookupEvents(
      { eventName: "UpdateService", since, until, onPage: (p) => pages.push(p) },
      client(),
      { clock },
    );
    expect(events.map((e) => e.service)).toEqual(["billing", "worker", "python-api", "nestjs"]);
    expect(pages).toEqual([1, 2, 3]);
    const calls = ct.commandCalls(LookupEventsCommand).map((c) => c.args[0].input);
    expect(calls).toHaveLength(3);
    for (const input of calls) {
      expect(input).toMatchObject({
        LookupAttributes: [{ AttributeKey: "EventName", AttributeValue: "UpdateService" }],
        StartTime: since,
        EndTime: until,
        MaxResults: 50,
      });
    }
    expect(calls.map((i) => i.NextToken)).toEqual([undefined, "p2", "p3"]);
    expect(events[0]).toMatchObject({ errorCode: "ServiceNotFoundException", cluster: "dev", desiredCount: 0 });
    expect(events[1]!.caller).toMatchObject({ type: "AssumedRole", name: "traildigest-scheduler-role" });
  });

  it("retries ThrottlingException with backoff, paced, and gives up with the attempt count", async () => {
    const throttle = Object.assign(new Error("Rate exceeded"), {
      name: "ThrottlingException",
      $metadata: { httpStatusCode: 400 },
    });
    ct.on(LookupEventsCommand)
      .rejectsOnce(throttle)
      .rejectsOnce(throttle)
      .resolves({ Events: page.Events.map(toSdk) as never });
    const clock = fakeClock();
    const r = await scanTrail({ eventName: "UpdateService", since, until }, client(), { clock });
    expect(r.events).toHaveLength(4);
    expect(r.requests).toBe(3);
    expect(clock.sleeps.filter((s) => s >= 500)).toEqual([500, 1000]);

    ct.reset();
    ct.on(LookupEventsCommand).rejects(throttle);
    const err = await scanTrail({ eventName: "UpdateService", since, until }, client(), {
      clock: fakeClock(),
      maxAttempts: 4,
    }).catch((e: unknown) => e);
    expect((err as Error).name).toBe("ThrottlingException");
    expect((err as { $metadata: { attempts: number } }).$metadata.attempts).toBe(4);
    expect(ct.commandCalls(LookupEventsCommand)).toHaveLength(4);
  });

  it("does not retry an error that retrying cannot fix", async () => {
    const denied = Object.assign(new Error("no"), {
      name: "AccessDeniedException",
      $metadata: { httpStatusCode: 400 },
    });
    ct.on(LookupEventsCommand).rejects(denied);
    await expect(
      scanTrail({ eventName: "UpdateService", since, until }, client(), { clock: fakeClock() }),
    ).rejects.toThrow("no");
    expect(ct.commandCalls(LookupEventsCommand)).toHaveLength(1);
  });

  it("filters on the client, stops at --max, and counts unreadable items", async () => {
    const events = [
      ...page.Events.map(toSdk),
      { EventId: "bad", EventName: "UpdateService", CloudTrailEvent: "{nope" },
    ];
    ct.on(LookupEventsCommand, { NextToken: undefined })
      .resolves({ Events: events as never, NextToken: "more" })
      .on(LookupEventsCommand, { NextToken: "more" })
      .resolves({ Events: [] });
    const r = await scanTrail(
      { eventName: "UpdateService", since, until, max: 1, filter: eventFilter({ cluster: "dev", service: "worker" }) },
      client(),
      { clock: fakeClock() },
    );
    expect(r.events.map((e) => e.service)).toEqual(["worker"]);
    expect(r.unreadable).toEqual([{ eventId: "bad", reason: "CloudTrailEvent is not JSON" }]);
    expect(r.truncated).toBe(true);
    expect(ct.commandCalls(LookupEventsCommand)).toHaveLength(1);
  });

  it("matches --caller on role, session, user or ARN, and cluster ARNs on the name", () => {
    const f = eventFilter({
      caller: "SCHEDULER-role",
      cluster: "arn:aws:ecs:ap-northeast-2:123456789012:cluster/dev",
    })!;
    const ev = { cluster: "dev", caller: { type: "AssumedRole", name: "traildigest-scheduler-role" } } as never;
    expect(f(ev)).toBe(true);
    expect(eventFilter({ caller: "alice" })!(ev)).toBe(false);
    expect(eventFilter({})).toBeUndefined();
  });
});

describe("lookupEvents with a client that has SDK retries", () => {
  it("still sends every retry through the pacer: never more than 2 requests in a second", async () => {
    // Virtual time: the pacer waits on a clock that the fake server's arrival times share.
    const clock = useVirtualTime();
    const base = Date.now();
    const events = Array.from({ length: 9 }, (_, i) =>
      updateServiceEvent({
        time: new Date(base - (i + 1) * 60_000).toISOString(),
        cluster: "dev",
        service: `s${i}`,
        desiredCount: 0,
      }),
    );
    const fake = await startFakeCloudTrail({ events, pageSize: 3, throttleRequests: [2, 3] });
    try {
      const client = new CloudTrailClient({
        region: "us-east-1",
        endpoint: fake.endpoint,
        credentials: { accessKeyId: "test", secretAccessKey: "test" },
        // SDK retries on (5 attempts) without the SDK's own real back-off between them.
        retryStrategy: new ConfiguredRetryStrategy(5, 0),
      });
      const { tagErrors } = await import("../src/adapters/aws/clients.js");
      tagErrors(client as never);
      const { createPacer: mk } = await import("../src/adapters/aws/pacer.js");
      const got = await lookupEvents(
        { eventName: "UpdateService", since: new Date(base - 3_600_000), until: new Date(base) },
        client,
        { pacer: mk({ max: 2, windowMs: 1000, clock }), clock, backoffBaseMs: 50 },
      );
      expect(got).toHaveLength(9);
      expect(clock.sleeps.filter((ms) => ms === 50 || ms === 100)).toEqual([50, 100]); // the two back-offs
      expect(fake.requests.map((q) => q.outcome)).toEqual(["page", "throttled", "throttled", "page", "page"]);
      expect(maxInWindow(fake.requests.map((q) => q.at))).toBeLessThanOrEqual(2);
    } finally {
      await fake.stop();
    }
  });
});

const trailRecentInVirtualTime = (args: string[], env: Record<string, string>) =>
  runCliInVirtualTime(["trail", "recent", ...args], { env });

describe("trail recent against a local CloudTrail (JSON 1.1)", () => {
  let fake: FakeCloudTrail | undefined;
  afterEach(async () => {
    await fake?.stop();
    fake = undefined;
  });
  const base = Date.now();
  const ago = (min: number) => new Date(base - min * 60_000).toISOString();
  const env = (endpoint: string) => ({
    AWS_ACCESS_KEY_ID: "test",
    AWS_SECRET_ACCESS_KEY: "test",
    AWS_REGION: "ap-northeast-2",
    AWS_ENDPOINT_URL_CLOUDTRAIL: endpoint,
    TZ: "Asia/Seoul",
  });

  it("follows several pages, survives a ThrottlingException, never sends more than 2 requests in a second", async () => {
    const calls = Array.from({ length: 23 }, (_, i) =>
      updateServiceEvent({ time: ago(i + 1), cluster: "dev", service: `svc-${i}`, desiredCount: i % 2 }),
    );
    calls.push(
      updateServiceEvent({
        time: ago(0.5),
        cluster: "prod",
        service: "api",
        desiredCount: 0,
        errorCode: "ServiceNotFoundException",
      }),
    );
    calls.push(updateServiceEvent({ time: ago(180), cluster: "dev", service: "too-old", desiredCount: 1 }));
    fake = await startFakeCloudTrail({ events: calls, pageSize: 5, throttleFirst: 1, throttleRequests: [4] });
    const r = await trailRecentInVirtualTime(["UpdateService", "--since", "2h", "--json"], env(fake.endpoint));
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const { events } = JSON.parse(r.stdout);
    expect(events).toHaveLength(24);
    expect(events[0]).toEqual({
      eventId: expect.any(String),
      eventTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/),
      eventName: "UpdateService",
      region: "ap-northeast-2",
      cluster: "prod",
      service: "api",
      desiredCount: 0,
      caller: {
        type: "AssumedRole",
        arn: "arn:aws:sts::123456789012:assumed-role/traildigest-scheduler-role/a4cdb673bc3db689",
        name: "traildigest-scheduler-role",
      },
      kind: "scale",
      callerKind: "scheduler", // the fake's records name scheduler.amazonaws.com as the source
      callerName: "EventBridge Scheduler (role traildigest-scheduler-role)",
      errorCode: "ServiceNotFoundException",
      errorMessage: "Service not found.",
    });
    const times = events.map((e: { eventTime: string }) => e.eventTime);
    expect([...times].sort().reverse()).toEqual(times);
    const outcomes = fake.requests.map((q) => q.outcome);
    expect(outcomes.filter((o) => o === "page")).toHaveLength(5); // 24 events / 5 per page
    expect(outcomes.filter((o) => o === "throttled")).toHaveLength(2);
    expect(maxInWindow(fake.requests.map((q) => q.at))).toBeLessThanOrEqual(2);
    // Back-off: the request after each throttled one arrived at least 500 ms (virtual) later.
    const after = fake.requests.flatMap((q, i) =>
      q.outcome === "throttled" ? [fake!.requests[i + 1]!.at - q.at] : [],
    );
    expect(after).toHaveLength(2);
    for (const gap of after) expect(gap).toBeGreaterThanOrEqual(500);
    expect(r.sleeps.filter((ms) => ms === 500).length).toBeGreaterThanOrEqual(2); // the back-offs (pacing waits vary)
    for (const q of fake.requests)
      expect(q.body.LookupAttributes).toEqual([{ AttributeKey: "EventName", AttributeValue: "UpdateService" }]);
  });

  it("filters by cluster, service and caller on the client and shows failures in the table", async () => {
    fake = await startFakeCloudTrail({
      events: [
        updateServiceEvent({ time: ago(5), cluster: "dev", service: "nestjs", desiredCount: 0 }),
        updateServiceEvent({
          time: ago(6),
          cluster: "dev",
          service: "billing",
          desiredCount: 0,
          errorCode: "ServiceNotFoundException",
        }),
        updateServiceEvent({ time: ago(7), cluster: "prod", service: "nestjs", desiredCount: 3, user: "alice" }),
      ],
    });
    const r = await runCliInProcess(["trail", "recent", "UpdateService", "--cluster", "dev", "--json"], {
      env: env(fake.endpoint),
    });
    expect(JSON.parse(r.stdout).events.map((e: { service: string }) => e.service)).toEqual(["nestjs", "billing"]);
    const byCaller = await runCliInProcess(["trail", "recent", "UpdateService", "--caller", "alice", "--json"], {
      env: env(fake.endpoint),
    });
    expect(JSON.parse(byCaller.stdout).events).toMatchObject([
      { cluster: "prod", service: "nestjs", caller: { type: "IAMUser", name: "alice" } },
    ]);
    const table = await runCliInProcess(["trail", "recent", "UpdateService", "--service", "billing"], {
      env: { ...env(fake.endpoint), COLUMNS: "200" },
    });
    expect(table.code).toBe(0);
    expect(table.stdout).toContain("dev/billing");
    expect(table.stdout).toContain("ServiceNotFoundException: Service not found.");
    expect(table.stdout).toMatch(/KST|GMT\+9/);
    expect(table.stdout).toContain("1 call, 1 failed");
  });

  it("turns throttling that never ends into exit 3, and bad times into exit 2", async () => {
    fake = await startFakeCloudTrail({ events: [], throttleFirst: 100 });
    const r = await trailRecentInVirtualTime(["UpdateService"], env(fake.endpoint));
    expect(r.code).toBe(3);
    expect(r.stderr.trim()).toBe(
      "error: throttled by CloudTrail (LookupEvents) after 6 attempts; try again or lower concurrency",
    );
    // Six attempts with exponential back-off between them (500 ms doubling, capped at 8 s).
    expect(fake.requests).toHaveLength(6);
    expect(r.sleeps.filter((ms) => ms >= 500)).toEqual([500, 1000, 2000, 4000, 8000]);
    const at = fake.requests.map((q) => q.at);
    [500, 1000, 2000, 4000, 8000].forEach((ms, i) => expect(at[i + 1]! - at[i]!).toBeGreaterThanOrEqual(ms));
    const bad = await trailRecentInVirtualTime(["UpdateService", "--since", "yesterday"], env(fake.endpoint));
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--since");
  });
});
