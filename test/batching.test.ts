import { describe, expect, it } from "vitest";
import {
  admit,
  checkVisibilityTimeout,
  decide,
  newGather,
  PAYLOAD_LIMIT_BYTES,
  recordBytes,
  restartIfIdle,
  settle,
  validateSettings,
} from "../src/core/batching/batching.js";
import { nextGather, simulate, type SimMessage } from "./support/batching-sim.js";
import { UsageError } from "../src/core/errors.js";

const S = 1000;
const msgs = (n: number, at: (i: number) => number = () => 0, body = (i: number) => `{"n":${i}}`): SimMessage[] =>
  Array.from({ length: n }, (_, i) => ({ id: `m${i + 1}`, body: body(i), at: at(i) }));

describe("validateSettings", () => {
  it("refuses BatchSize 11 with window 0, and says why", () => {
    expect(() => validateSettings({ batchSize: 11, windowMs: 0 })).toThrow(UsageError);
    expect(() => validateSettings({ batchSize: 11, windowMs: 0 })).toThrow(/at least 1s/);
    expect(validateSettings({ batchSize: 11, windowMs: 1 * S }).batchSize).toBe(11);
  });
  it("keeps BatchSize within 1–10,000 and the window within 0–300 s, whole seconds", () => {
    expect(() => validateSettings({ batchSize: 0, windowMs: 0 })).toThrow(/1 to 10000/);
    expect(() => validateSettings({ batchSize: 10_001, windowMs: 5 * S })).toThrow(/1 to 10000/);
    expect(() => validateSettings({ batchSize: 10, windowMs: 301 * S })).toThrow(/0 to 300/);
    expect(() => validateSettings({ batchSize: 10, windowMs: 1500 })).toThrow(/whole number of seconds/);
    expect(validateSettings({ batchSize: 10_000, windowMs: 300 * S }).payloadLimitBytes).toBe(PAYLOAD_LIMIT_BYTES);
  });
  it("refuses a visibility timeout shorter than window + handler timeout", () => {
    expect(() => checkVisibilityTimeout(30 * S, 300 * S, 30 * S)).toThrow(
      /visibility timeout \(30s\) is shorter than window \+ handler timeout \(300s \+ 30s\)/,
    );
    expect(() => checkVisibilityTimeout(330 * S, 300 * S, 30 * S)).not.toThrow();
  });
});

describe("decide", () => {
  const s = { batchSize: 3, windowMs: 5 * S };
  it("invokes when BatchSize records are gathered, before the window ends", () => {
    let g = newGather(0);
    for (let i = 0; i < 3; i++) g = admit(g, 100, s);
    expect(decide(g, s, 1)).toEqual({ invoke: "full" });
  });
  it("waits for the window, then invokes with what it has", () => {
    const g = admit(newGather(1000), 100, s);
    expect(decide(g, s, 2000)).toEqual({ waitUntil: 6000 });
    expect(decide(g, s, 6000)).toEqual({ invoke: "window" });
  });
  it("starts the next window when the previous invocation ends", () => {
    const g = nextGather(admit(newGather(0), 100, s), 7000);
    expect(g).toEqual({ windowStart: 7000, count: 0, bytes: 0 });
    expect(decide(admit(g, 100, s), s, 9000)).toEqual({ waitUntil: 12_000 });
  });
  it("restarts an empty window that has passed, so a lone record still waits one window", () => {
    const g = restartIfIdle(newGather(0), s, 8000);
    expect(g.windowStart).toBe(8000);
    expect(decide(admit(g, 100, s), s, 8500)).toEqual({ waitUntil: 13_000 });
  });
  it("invokes with the gathered records when the next one would pass 6 MB; that one opens the next batch", () => {
    const big = 1_000_000;
    let g = newGather(0);
    for (let i = 0; i < 6; i++) g = admit(g, big, { batchSize: 10, windowMs: 5 * S });
    g = admit(g, big, { batchSize: 10, windowMs: 5 * S });
    expect(g.count).toBe(6);
    expect(decide(g, { batchSize: 10, windowMs: 5 * S }, 1)).toEqual({ invoke: "payload" });
    expect(nextGather(g, 10)).toEqual({ windowStart: 10, count: 1, bytes: big });
  });
  it("counts the body as an escaped JSON string plus per-record metadata", () => {
    expect(recordBytes('{"a":"b"}', 0)).toBe(JSON.stringify('{"a":"b"}').length);
    expect(recordBytes("x")).toBeGreaterThan(1000);
  });
});

describe("settle", () => {
  it("deletes the records not named in batchItemFailures and leaves the named ones", () => {
    expect(settle(["a", "b", "c"], { batchItemFailures: [{ itemIdentifier: "b" }] })).toEqual({
      deleteIds: ["a", "c"],
      leaveIds: ["b"],
      wholeBatchFailed: false,
    });
    expect(settle(["a"], null).deleteIds).toEqual(["a"]);
    expect(settle(["a"], { batchItemFailures: [] }).deleteIds).toEqual(["a"]);
  });
  it("leaves the whole batch on a thrown error or a failure naming a record not in the batch", () => {
    expect(settle(["a", "b"], "threw")).toEqual({ deleteIds: [], leaveIds: ["a", "b"], wholeBatchFailed: true });
    expect(settle(["a", "b"], { batchItemFailures: [{ itemIdentifier: "zz" }] }).wholeBatchFailed).toBe(true);
    expect(settle(["a", "b"], { batchItemFailures: [{ itemIdentifier: "" }] }).leaveIds).toEqual(["a", "b"]);
  });
});

describe("simulate (fake clock, fake queue)", () => {
  it("25 messages at BatchSize 10 → 10/10/5 (full, full, window)", () => {
    const r = simulate({
      settings: { batchSize: 10, windowMs: 300 * S },
      messages: msgs(25),
      visibilityTimeoutMs: 900 * S,
      invocationMs: 2 * S,
    });
    expect(r.invocations.map((i) => [i.ids.length, i.trigger])).toEqual([
      [10, "full"],
      [10, "full"],
      [5, "window"],
    ]);
    // The third window began when the second invocation ended (t = 2 s) and ran its full 300 s.
    expect(r.invocations.map((i) => i.at)).toEqual([0, 2 * S, 304 * S]);
    expect(r.deleted).toHaveLength(25);
    expect(r.remaining).toEqual([]);
  });

  it("a slow trickle is delivered in window-triggered batches", () => {
    // One message every 2 s for 30 s, window 5 s: never 10 at once.
    const r = simulate({
      settings: { batchSize: 10, windowMs: 5 * S },
      messages: msgs(15, (i) => 500 + i * 2 * S),
      visibilityTimeoutMs: 30 * S,
    });
    expect(r.invocations.length).toBeGreaterThan(3);
    expect(r.invocations.every((i) => i.trigger === "window")).toBe(true);
    expect(r.invocations.every((i) => i.ids.length <= 3)).toBe(true);
    expect(r.invocations.flatMap((i) => i.ids)).toEqual(msgs(15).map((m) => m.id));
    // Each batch is invoked exactly when its window closes.
    for (const inv of r.invocations) expect(inv.at % (5 * S)).toBe(0);
  });

  it("window 0 (the default): each record is invoked as soon as it is received", () => {
    const r = simulate({
      settings: { batchSize: 10, windowMs: 0 },
      messages: msgs(3, (i) => i * 5 * S),
      visibilityTimeoutMs: 30 * S,
    });
    expect(r.invocations.map((i) => [i.at, i.ids.length, i.trigger])).toEqual([
      [0, 1, "window"],
      [5 * S, 1, "window"],
      [10 * S, 1, "window"],
    ]);
  });

  it("cuts a batch at 6 MB: big messages go 6 to a batch even at BatchSize 10", () => {
    const body = "x".repeat(1_000_000);
    const r = simulate({
      settings: { batchSize: 10, windowMs: 10 * S },
      messages: msgs(
        10,
        () => 0,
        () => body,
      ),
      visibilityTimeoutMs: 60 * S,
    });
    expect(r.invocations.map((i) => [i.ids.length, i.trigger])).toEqual([
      [6, "payload"],
      [4, "window"],
    ]);
    expect(r.invocations[0]!.bytes).toBeLessThanOrEqual(PAYLOAD_LIMIT_BYTES);
    expect(r.deleted).toHaveLength(10);
  });

  it("partial failure: the failed record reappears after the visibility timeout and is delivered again", () => {
    const r = simulate({
      settings: { batchSize: 10, windowMs: 2 * S },
      messages: msgs(4),
      visibilityTimeoutMs: 30 * S,
      handler: (batch, n) => (n === 1 ? { batchItemFailures: [{ itemIdentifier: "m2" }] } : undefined),
    });
    expect(r.invocations.map((i) => i.ids)).toEqual([["m1", "m2", "m3", "m4"], ["m2"]]);
    // Received at t=2 s (window close), invisible for 30 s, then a new window of 2 s.
    expect(r.invocations[1]!.at).toBeGreaterThanOrEqual(32 * S);
    expect(r.receives.m2).toBe(2);
    expect(r.deleted.sort()).toEqual(["m1", "m2", "m3", "m4"]);
  });

  it("a thrown error leaves the whole batch, which is delivered again", () => {
    const r = simulate({
      settings: { batchSize: 10, windowMs: 1 * S },
      messages: msgs(3),
      visibilityTimeoutMs: 10 * S,
      handler: (_b, n) => (n === 1 ? "throw" : undefined),
    });
    expect(r.invocations.map((i) => i.ids.length)).toEqual([3, 3]);
    expect(r.deleted).toHaveLength(3);
  });

  it("a poison message goes to the DLQ after maxReceiveCount receives; the others are deleted once", () => {
    const r = simulate({
      settings: { batchSize: 10, windowMs: 2 * S },
      messages: msgs(5),
      visibilityTimeoutMs: 10 * S,
      maxReceiveCount: 3,
      handler: (batch) => ({
        batchItemFailures: batch.filter((m) => m.id === "m3").map((m) => ({ itemIdentifier: m.id })),
      }),
    });
    expect(r.receives.m3).toBe(4); // the 4th receive is the one that moves it
    expect(r.invocations.filter((i) => i.ids.includes("m3"))).toHaveLength(3);
    expect(r.dlq).toEqual(["m3"]);
    expect(r.deleted.sort()).toEqual(["m1", "m2", "m4", "m5"]);
    expect(r.remaining).toEqual([]);
  });
});
