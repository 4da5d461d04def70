import { readFileSync } from "node:fs";
import type { KnownBlock } from "@slack/types";
import { describe, expect, it } from "vitest";
import { batchEvents, buildDigest, dedupeEvents, type SlackMessage } from "../src/core/digest/digest.js";
import { UsageError } from "../src/core/errors.js";
import type { ApiCallEvent } from "../src/core/events/events.js";
import { parseInputText } from "../src/core/events/event-stream.js";
import { escapeMrkdwn } from "../src/core/text/mrkdwn.js";

const fixture = (name: string): string => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), "utf8");
const lambdaBatch = (): ApiCallEvent[] => parseInputText(fixture("sqs-lambda-event.json")).events;

const T0 = Date.parse("2026-11-26T13:00:00Z");
function ev(i: number, over: Partial<ApiCallEvent> = {}): ApiCallEvent {
  return {
    eventId: `evt-${i}`,
    eventTime: new Date(T0 + i * 1000).toISOString(),
    eventName: "UpdateService",
    eventSource: "ecs.amazonaws.com",
    region: "ap-northeast-2",
    account: "123456789012",
    cluster: "dev",
    service: `svc-${i}`,
    desiredCount: 0,
    runningCount: 2,
    caller: { type: "AssumedRole", name: "scheduler-role", role: "scheduler-role", session: "abc" },
    ...over,
  };
}

type Section = Extract<KnownBlock, { type: "section" }>;
const sections = (m: SlackMessage): string[] =>
  m.blocks.filter((b): b is Section => b.type === "section").map((b) => b.text!.text);
const header = (m: SlackMessage): string => (m.blocks[0] as Extract<KnownBlock, { type: "header" }>).text.text;
const contextTexts = (m: SlackMessage): string[] =>
  m.blocks
    .filter((b): b is Extract<KnownBlock, { type: "context" }> => b.type === "context")
    .flatMap((b) => b.elements.map((e) => ("text" in e ? (e.text as string) : "")));
/** Lines in the message that show one event each (counted from the payload, not from the code). */
const eventLines = (m: SlackMessage): string[] =>
  sections(m).flatMap((t) => t.split("\n").filter((l) => l.startsWith("• ")));
/** Every string anywhere in the payload, for "no raw mention anywhere" checks. */
const allText = (m: SlackMessage): string => JSON.stringify(m);

function assertWithinSlackLimits(m: SlackMessage): void {
  expect(m.blocks.length).toBeLessThanOrEqual(50);
  expect(header(m).length).toBeLessThanOrEqual(150);
  expect(m.blocks[0]!.type).toBe("header");
  for (const b of m.blocks) {
    if (b.type === "section") {
      expect(b.text!.text.length).toBeLessThanOrEqual(3000);
      expect(b.text!.text.length).toBeGreaterThan(0);
      if (b.fields) {
        expect(b.fields.length).toBeLessThanOrEqual(10);
        for (const f of b.fields) expect(f.text.length).toBeLessThanOrEqual(2000);
      }
    }
    if (b.type === "context") expect(b.elements.length).toBeLessThanOrEqual(10);
  }
  expect(m.text.length).toBeGreaterThan(0);
  expect(m.text.length).toBeLessThanOrEqual(3000);
}

/** The "…and N more" count, or 0 when there is no such line. */
function moreCount(m: SlackMessage): number {
  const line = contextTexts(m).find((t) => t.startsWith("…and "));
  return line ? Number(line.match(/^…and ([\d,]+) more/)![1]!.replace(/,/g, "")) : 0;
}

describe("dedupe", () => {
  it("drops a redelivered event (same eventID) and counts it", () => {
    const events = lambdaBatch();
    expect(events).toHaveLength(5);
    const { unique, duplicates } = dedupeEvents(events);
    expect(duplicates).toBe(1);
    expect(unique.map((e) => e.service)).toEqual(["nestjs", "python-api", "worker", "billing"]);
  });

  it("shows each event once in the digest and reports the duplicate", () => {
    const d = buildDigest(lambdaBatch());
    expect(d.stats).toEqual({ events: 4, duplicates: 1, failed: 1 });
    const m = d.message!;
    expect(eventLines(m).filter((l) => l.includes("nestjs"))).toHaveLength(1);
    expect(contextTexts(m).join(" ")).toContain("1 duplicate dropped");
  });
});

describe("layout", () => {
  it("puts failed calls first with their error code and message", () => {
    const m = buildDigest(lambdaBatch()).message!;
    const secs = sections(m);
    expect(secs[0]).toContain("Failed (1)");
    expect(secs[0]).toContain("billing");
    expect(secs[0]).toContain("ServiceNotFoundException");
    expect(secs[0]).toContain("Service not found.");
    expect(secs.slice(1).join("\n")).not.toContain("billing");
    // A divider sets the failures apart from the rest.
    const firstSection = m.blocks.findIndex((b) => b.type === "section");
    expect(m.blocks[firstSection + 1]!.type).toBe("divider");
  });

  it("fails first even when the failure is the latest call of the batch", () => {
    const events = [ev(1), ev(2), ev(3, { errorCode: "AccessDeniedException", errorMessage: "not allowed" })];
    const secs = sections(buildDigest(events).message!);
    expect(secs[0]).toMatch(/Failed \(1\)[\s\S]*svc-3[\s\S]*AccessDeniedException/);
  });

  it("shows a whole AccessDenied message and cuts a runaway one", () => {
    const denied =
      "User: arn:aws:sts::123456789012:assumed-role/traildigest-scheduler-role/a4cdb673bc3db689 is not authorized to perform: ecs:UpdateService on resource: arn:aws:ecs:ap-northeast-2:123456789012:service/dev/nestjs because no identity-based policy allows the ecs:UpdateService action";
    const m = buildDigest([
      ev(1, { errorCode: "AccessDeniedException", errorMessage: denied }),
      ev(2, { errorCode: "E", errorMessage: "z".repeat(5000) }),
    ]).message!;
    expect(sections(m)[0]).toContain(denied);
    const long = eventLines(m).find((l) => l.includes("zzz"))!;
    expect(long.length).toBeLessThan(700);
    expect(long).toMatch(/z…$/);
  });

  it("groups by cluster and shows desired count, running count at call time", () => {
    const m = buildDigest(lambdaBatch()).message!;
    expect(header(m)).toBe("ECS: 3 scaled down, 1 failed");
    const dev = sections(m).find((t) => t.startsWith("*dev*"))!;
    expect(dev).toContain("• nestjs → 0 (was running 2)");
    expect(dev).toContain("• python-api → 0 (was running 2)");
    expect(dev).toContain("• worker → 0 (was running 2)");
  });

  it("groups several clusters, each service under its own cluster", () => {
    const events = [
      ev(1, { cluster: "qa", service: "web" }),
      ev(2, { cluster: "dev", service: "api" }),
      ev(3, { cluster: "qa", service: "api" }),
    ];
    const m = buildDigest(events).message!;
    expect(header(m)).toBe("ECS: 3 scaled down · 2 clusters");
    const secs = sections(m);
    expect(secs).toEqual([
      "*dev* — 1 service\n• api → 0 (was running 2)",
      "*qa* — 2 services\n• api → 0 (was running 2)\n• web → 0 (was running 2)",
    ]);
  });

  it("says scale-up or scaling from the desired counts", () => {
    expect(header(buildDigest([ev(1, { desiredCount: 2, runningCount: 0 })]).message!)).toBe("ECS: 1 scaled up");
    expect(header(buildDigest([ev(1), ev(2, { desiredCount: 3 })]).message!)).toBe("ECS: 1 scaled down, 1 scaled up");
    expect(header(buildDigest([ev(1, { desiredCount: 2 })]).message!)).toBe("ECS: 1 scaled");
  });

  it("names the caller once when all calls share it, on each line when they differ", () => {
    const same = buildDigest([ev(1), ev(2)]).message!;
    expect(contextTexts(same)).toContain("by role scheduler-role");
    expect(eventLines(same).every((l) => !l.includes("by "))).toBe(true);
    const mixed = buildDigest([ev(1), ev(2, { caller: { type: "AssumedRole", name: "jane@example.com" } })]).message!;
    expect(eventLines(mixed)).toEqual([
      "• svc-1 → 0 (was running 2) · by role scheduler-role",
      "• svc-2 → 0 (was running 2) · by jane@example.com",
    ]);
    expect(contextTexts(mixed)).toContain("1 call by a role · 1 call by a person");
  });

  it("shows a non-UpdateService call plainly (a broadened rule)", () => {
    const events = [
      ev(1),
      ev(2, {
        eventName: "RunTask",
        service: undefined,
        desiredCount: undefined,
        runningCount: undefined,
        cluster: "batch",
      }),
      ev(3, {
        eventName: "StopInstances",
        eventSource: "ec2.amazonaws.com",
        cluster: undefined,
        service: undefined,
        desiredCount: undefined,
        runningCount: undefined,
      }),
    ];
    const m = buildDigest(events).message!;
    expect(header(m)).toBe("AWS: 1 scaled down, 2 other calls");
    const other = sections(m).find((t) => t.includes("Other API calls"))!;
    expect(other).toContain("• RunTask · cluster batch");
    expect(other).toContain("• StopInstances · ec2.amazonaws.com");
  });

  it("shows a batch of only other calls without pretending it is a scaling wave", () => {
    const m = buildDigest([ev(1, { eventName: "CreateService" }), ev(2, { eventName: "DeleteService" })]).message!;
    expect(header(m)).toBe("ECS: 2 API calls");
  });

  it("shows what is known when desired count is absent", () => {
    const m = buildDigest([ev(1, { desiredCount: undefined })]).message!;
    expect(eventLines(m)).toEqual(["• svc-1: no change requested"]);
    expect(header(m)).toBe("ECS: 1 reconfigured");
  });

  it("mentions unreadable records of the batch", () => {
    const m = buildDigest([ev(1)], { invalidCount: 2 }).message!;
    expect(contextTexts(m).join(" ")).toContain("2 unreadable records not shown");
  });

  it("posts nothing for an empty batch", () => {
    expect(buildDigest([])).toEqual({ message: null, stats: { events: 0, duplicates: 0, failed: 0 } });
  });

  it("states region and account", () => {
    const m = buildDigest([ev(1), ev(2, { region: "us-east-1", account: "210987654321" })]).message!;
    expect(contextTexts(m)).toContain("ap-northeast-2, us-east-1 · account 123456789012, 210987654321");
  });

  it("gives a plain fallback text naming the wave and the failures", () => {
    const m = buildDigest(lambdaBatch(), { timeZone: "Asia/Seoul" }).message!;
    expect(m.text).toBe(
      "ECS: 3 scaled down, 1 failed · 2026-11-26 22:00:00–22:00:04 Asia/Seoul · ap-northeast-2 · account 123456789012 · failed: dev / billing (ServiceNotFoundException)",
    );
  });
});

describe("time zone", () => {
  it("renders 13:00Z as 22:00 in Asia/Seoul", () => {
    const m = buildDigest([ev(0), ev(40)], { timeZone: "Asia/Seoul" }).message!;
    expect(contextTexts(m)[0]).toBe("🕙 2026-11-26 22:00:00–22:00:40 Asia/Seoul");
  });

  it("defaults to UTC", () => {
    const m = buildDigest([ev(0)]).message!;
    expect(contextTexts(m)[0]).toBe("🕙 2026-11-26 13:00:00 UTC");
  });

  it("shows both dates when the batch crosses midnight in the zone", () => {
    const events = [ev(0, { eventTime: "2026-11-26T14:59:50Z" }), ev(1, { eventTime: "2026-11-26T15:00:10Z" })];
    const m = buildDigest(events, { timeZone: "Asia/Seoul" }).message!;
    expect(contextTexts(m)[0]).toBe("🕙 2026-11-26 23:59:50–2026-11-27 00:00:10 Asia/Seoul");
  });

  it("handles daylight saving time in the zone", () => {
    const m = buildDigest([ev(0, { eventTime: "2026-07-01T13:00:00Z" })], { timeZone: "America/New_York" }).message!;
    expect(contextTexts(m)[0]).toBe("🕙 2026-07-01 09:00:00 America/New_York");
    const w = buildDigest([ev(0, { eventTime: "2026-12-01T13:00:00Z" })], { timeZone: "America/New_York" }).message!;
    expect(contextTexts(w)[0]).toBe("🕙 2026-12-01 08:00:00 America/New_York");
  });

  it("names each end's offset when the range crosses a DST change", () => {
    // 2026-11-01 05:30Z is 01:30 EDT; 06:10Z is 01:10 EST (clocks went back at 06:00Z).
    const events = [ev(0, { eventTime: "2026-11-01T05:30:00Z" }), ev(1, { eventTime: "2026-11-01T06:10:00Z" })];
    const m = buildDigest(events, { timeZone: "America/New_York" }).message!;
    expect(contextTexts(m)[0]).toBe("🕙 2026-11-01 01:30:00 EDT–01:10:00 EST America/New_York");
  });

  it("rejects an unknown zone with a UsageError", () => {
    expect(() => buildDigest([ev(0)], { timeZone: "Mars/Olympus" })).toThrow(UsageError);
    expect(() => buildDigest([], { timeZone: "Mars/Olympus" })).toThrow(/invalid time zone "Mars\/Olympus"/);
  });
});

describe("escaping", () => {
  const hostile = [
    ev(1, { cluster: "<@U123>", service: "<!channel>" }),
    ev(2, { service: "a&b <https://evil.example|click>", caller: { type: "IAMUser", name: "<!here>" } }),
    ev(3, { service: "<!everyone>", errorCode: "<!subteam^S1>", errorMessage: "bad <@U999> & <#C1>" }),
    ev(4, { eventName: "<!channel>", eventSource: "x.amazonaws.com", service: undefined, cluster: undefined }),
  ];

  it("lets no name from an event ping anyone or link anywhere", () => {
    const m = buildDigest(hostile).message!;
    const all = allText(m);
    for (const raw of [
      "<!channel>",
      "<@U123>",
      "<!here>",
      "<!everyone>",
      "<!subteam^S1>",
      "<@U999>",
      "<#C1>",
      "<https://evil",
    ]) {
      expect(all).not.toContain(raw);
    }
    expect(all).toContain("&lt;!channel&gt;");
    expect(all).toContain("&lt;@U123&gt;");
    expect(all).toContain("a&amp;b &lt;https://evil.example|click&gt;");
    expect(all).not.toContain("&amp;lt;"); // & is escaped first, never twice
    expect(m.text).not.toMatch(/<[!@#]/);
  });

  it("escapes & first and only & < >", () => {
    expect(escapeMrkdwn("&lt; <b> & *x* _y_")).toBe("&amp;lt; &lt;b&gt; &amp; *x* _y_");
  });
});

describe("Slack limits", () => {
  it("keeps a 1,500-event batch within limits and counts exactly what it cut", () => {
    const events = Array.from({ length: 1500 }, (_, i) =>
      ev(i, {
        cluster: `cluster-${i % 12}`,
        service: `service-with-a-realistic-long-name-${i}`,
        ...(i % 50 === 0
          ? { errorCode: "ServiceNotFoundException", errorMessage: "Service not found. ".repeat(30) }
          : {}),
      }),
    );
    const d = buildDigest(events);
    const m = d.message!;
    assertWithinSlackLimits(m);
    const shown = eventLines(m).length;
    expect(shown).toBeGreaterThan(20);
    expect(shown).toBeLessThan(1500);
    expect(moreCount(m)).toBe(1500 - shown);
    expect(d.stats).toEqual({ events: 1500, duplicates: 0, failed: 30 });
    // Failures first: the first shown lines are the failed ones.
    expect(sections(m)[0]).toMatch(/^\*❌ Failed \(30\)\*/);
  });

  it("keeps 60 services within limits, with nothing cut or the cut counted", () => {
    const events = Array.from({ length: 60 }, (_, i) => ev(i, { cluster: `c${i % 7}` }));
    const m = buildDigest(events).message!;
    assertWithinSlackLimits(m);
    const shown = eventLines(m).length;
    expect(shown + moreCount(m)).toBe(60);
    expect(shown).toBe(60); // 60 short lines fit easily
    expect(header(m)).toBe("ECS: 60 scaled down · 7 clusters");
  });

  it("keeps 60 services in 60 clusters (more groups than blocks) within limits", () => {
    const events = Array.from({ length: 60 }, (_, i) => ev(i, { cluster: `cluster-${i}` }));
    const m = buildDigest(events).message!;
    assertWithinSlackLimits(m);
    const shown = eventLines(m).length;
    expect(shown + moreCount(m)).toBe(60);
    expect(shown).toBe(60);
  });

  it("survives names that grow when escaped and very long error messages", () => {
    const events = Array.from({ length: 300 }, (_, i) =>
      ev(i, {
        cluster: "&".repeat(255),
        service: `${"<".repeat(250)}${i}`,
        errorCode: i % 2 ? "E" : undefined,
        errorMessage: i % 2 ? "&".repeat(5000) : undefined,
      }),
    );
    const m = buildDigest(events).message!;
    assertWithinSlackLimits(m);
    expect(eventLines(m).length + moreCount(m)).toBe(300);
    // Truncation never leaves half an entity behind.
    for (const t of sections(m)) expect(t).not.toMatch(/&(a|am|l|g|amp|lt|gt)?(?![a-z;])/);
  });

  it("keeps a 10,000-event batch (the largest BatchSize) within limits", () => {
    const events = Array.from({ length: 10_000 }, (_, i) => ev(i, { cluster: `c${i % 300}` }));
    const m = buildDigest(events).message!;
    assertWithinSlackLimits(m);
    expect(eventLines(m).length + moreCount(m)).toBe(10_000);
  });

  it("says per cluster how many lines were cut, matching what is missing from each", () => {
    const sizes: Record<string, number> = { alpha: 200, beta: 300, gamma: 400 };
    let i = 0;
    const events = Object.entries(sizes).flatMap(([cluster, n]) =>
      Array.from({ length: n }, () => ev(i++, { cluster, service: `a-fairly-long-service-name-${i}` })),
    );
    const m = buildDigest(events).message!;
    assertWithinSlackLimits(m);
    // Count shown lines per cluster by walking the sections' titles.
    const shown: Record<string, number> = {};
    for (const t of sections(m)) {
      let current = "";
      for (const line of t.split("\n")) {
        const title = line.match(/^\*([a-z]+)\*/);
        if (title) current = title[1]!;
        else if (line.startsWith("• ")) shown[current] = (shown[current] ?? 0) + 1;
      }
    }
    const tail = contextTexts(m).find((t) => t.startsWith("…and "))!;
    for (const [cluster, n] of Object.entries(sizes)) {
      const missing = n - (shown[cluster] ?? 0);
      if (missing === 0) expect(tail).not.toMatch(new RegExp(`\\b${cluster} \\d`));
      else expect(tail).toContain(`${cluster} ${missing}`);
    }
    expect(moreCount(m)).toBe(900 - Object.values(shown).reduce((a, b) => a + b, 0));
  });

  it("keeps failures in their own section, set apart, when clusters outnumber blocks", () => {
    const events = Array.from({ length: 80 }, (_, i) =>
      ev(i, { cluster: `cluster-${i}`, ...(i < 2 ? { errorCode: "E" } : {}) }),
    );
    const m = buildDigest(events).message!;
    assertWithinSlackLimits(m);
    const secs = sections(m);
    expect(secs[0]!.split("\n").every((l) => l.startsWith("*❌ Failed") || l.includes("— *E*"))).toBe(true);
    const first = m.blocks.findIndex((b) => b.type === "section");
    expect(m.blocks[first + 1]!.type).toBe("divider");
    expect(eventLines(m).length + moreCount(m)).toBe(80);
  });

  it("lists a service updated twice in one batch twice, in time order, and says so", () => {
    const events = [
      ev(1, { service: "api", desiredCount: 0 }),
      ev(2, { service: "api", desiredCount: 2, runningCount: 0 }),
      ev(3, { service: "web" }),
    ];
    const m = buildDigest(events).message!;
    expect(sections(m)).toEqual([
      "*dev* — 2 services, 3 calls\n• api → 0 (was running 2)\n• api: desired 0 → 2 (was running 0)\n• web → 0 (was running 2)",
    ]);
    expect(header(m)).toBe("ECS: 2 scaled down, 1 scaled up");
  });

  it("orders clusters and services naturally (2 before 10)", () => {
    const events = [
      ev(1, { cluster: "c10", service: "w10" }),
      ev(2, { cluster: "c2", service: "w10" }),
      ev(3, { cluster: "c2", service: "w2" }),
    ];
    expect(sections(buildDigest(events).message!).map((t) => t.split("\n")[0])).toEqual([
      "*c2* — 2 services",
      "*c10* — 1 service",
    ]);
    expect(eventLines(buildDigest(events).message!).map((l) => l.split(" ")[1])).toEqual(["w2", "w10", "w10"]);
  });

  it("keeps the header within 150 characters", () => {
    const events = Array.from({ length: 3 }, (_, i) => ev(i, { eventName: `Op${"x".repeat(200)}${i}` }));
    assertWithinSlackLimits(buildDigest(events).message!);
  });
});

describe("batchEvents", () => {
  it("cuts events into batches of the given size in time order", () => {
    const events = [ev(3), ev(1), ev(4), ev(0), ev(2)];
    expect(batchEvents(events, 2).map((b) => b.map((e) => e.eventId))).toEqual([
      ["evt-0", "evt-1"],
      ["evt-2", "evt-3"],
      ["evt-4"],
    ]);
    expect(batchEvents([], 10)).toEqual([]);
  });

  it("rejects a batch size below 1", () => {
    expect(() => batchEvents([ev(1)], 0)).toThrow(UsageError);
    expect(() => batchEvents([ev(1)], 1.5)).toThrow(UsageError);
  });
});

describe("context line: account", () => {
  it("names one account, says unknown when events carry none, counts many", () => {
    const ctx = (events: ApiCallEvent[]) => contextTexts(buildDigest(events).message!).join(" | ");
    expect(ctx([ev(1)])).toContain("account 123456789012");
    const none = ctx([ev(1, { account: "" }), ev(2, { account: "" })]);
    expect(none).toContain("account unknown");
    expect(none).not.toContain("unknown account");
    expect(ctx([1, 2, 3, 4].map((i) => ev(i, { account: `11111111111${i}` })))).toContain("4 accounts");
  });
});
