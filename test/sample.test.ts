import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { buildDigest } from "../src/core/digest/digest.js";
import { normalizeSqsBody, normalizeValue } from "../src/core/events/events.js";
import { SAMPLE_TIMEZONE, sampleEvents } from "../src/core/events/sample.js";

type Raw = Record<string, any>;
const raw = (): Raw[] => sampleEvents() as Raw[];
const fixture: Raw = JSON.parse(
  readFileSync(new URL("./fixtures/eventbridge-updateservice.json", import.meta.url), "utf8"),
);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe("bundled sample wave", () => {
  it("is deterministic", () => {
    expect(sampleEvents()).toEqual(sampleEvents());
  });

  it("has the EventBridge envelope exactly as the rule delivers it", () => {
    for (const e of raw()) {
      expect(Object.keys(e).sort()).toEqual(Object.keys(fixture).sort());
      expect(e).toMatchObject({
        version: "0",
        "detail-type": "AWS API Call via CloudTrail",
        source: "aws.ecs",
        account: "123456789012",
        region: "ap-northeast-2",
        resources: [],
      });
      expect(e.time).toBe(e.detail.eventTime);
      expect(e.detail.eventSource).toBe("ecs.amazonaws.com");
      expect(e.detail.eventName).toBe("UpdateService");
      expect(e.detail.userIdentity.type).toBe("AssumedRole");
      expect(e.detail.userIdentity.sessionContext.sessionIssuer.userName).toBe("traildigest-scheduler-role");
      expect(e.detail.userIdentity.arn).toMatch(
        /^arn:aws:sts::123456789012:assumed-role\/traildigest-scheduler-role\/[0-9a-f]{16}$/,
      );
    }
  });

  it("has distinct UUID-shaped ids", () => {
    const events = raw();
    const ids = events.flatMap((e) => [e.id, e.detail.eventID, e.detail.requestID]);
    for (const id of ids) expect(id).toMatch(UUID);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("is ~32 services over 4 clusters, all scaled to 0, with running counts", () => {
    const events = raw();
    expect(events).toHaveLength(32);
    const clusters = new Set(events.map((e) => e.detail.requestParameters.cluster));
    expect([...clusters].sort()).toEqual(["data", "dev", "qa", "staging"]);
    const services = new Set(
      events.map((e) => `${e.detail.requestParameters.cluster}/${e.detail.requestParameters.service}`),
    );
    expect(services.size).toBe(32);
    for (const e of events) expect(e.detail.requestParameters.desiredCount).toBe(0);
    const ok = events.filter((e) => !e.detail.errorCode);
    for (const e of ok) expect(e.detail.responseElements.service.runningCount).toBeGreaterThan(0);
  });

  it("has exactly one failed call: ServiceNotFoundException with null responseElements", () => {
    const failed = raw().filter((e) => e.detail.errorCode);
    expect(failed).toHaveLength(1);
    expect(failed[0]!.detail.errorCode).toBe("ServiceNotFoundException");
    expect(failed[0]!.detail.responseElements).toBeNull();
  });

  it("spreads the calls over ~40 s from 22:00 Seoul time, in order", () => {
    const times = raw().map((e) => Date.parse(e.detail.eventTime));
    expect(new Date(times[0]!).toISOString()).toBe("2026-11-26T13:00:00.000Z");
    expect(times[times.length - 1]! - times[0]!).toBe(40_000);
    for (let i = 1; i < times.length; i++) expect(times[i]!).toBeGreaterThanOrEqual(times[i - 1]!);
  });

  it("normalises cleanly, also as SQS message bodies", () => {
    const n = normalizeValue(sampleEvents());
    expect(n.invalid).toEqual([]);
    expect(n.events).toHaveLength(32);
    const viaSqs = raw().map((e, i) => normalizeSqsBody(JSON.stringify(e), `m-${i}`));
    expect(viaSqs.every((r) => "eventId" in r)).toBe(true);
  });

  it("reads as a night-time scale-down digest in Asia/Seoul", () => {
    expect(SAMPLE_TIMEZONE).toBe("Asia/Seoul");
    const d = buildDigest(normalizeValue(sampleEvents()).events, { timeZone: SAMPLE_TIMEZONE });
    const m = d.message!;
    expect(d.stats).toEqual({ events: 32, duplicates: 0, failed: 1 });
    expect(m.text).toMatch(/^ECS: 31 scaled down, 1 failed · 4 clusters · 2026-11-26 22:00:00–22:00:40 Asia\/Seoul/);
    expect(m.blocks.length).toBeLessThanOrEqual(50);
  });
});
