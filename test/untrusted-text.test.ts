// Event text is untrusted (docs/untrusted-text.md): the hostile set (test/fixtures/hostile.json) in
// every event field, through the sanitisers, the digest, the handler and every human-readable command.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import type { SQSEvent } from "aws-lambda";
import { terminalText } from "../src/core/text/terminal-text.js";
import { slackField } from "../src/core/text/mrkdwn.js";
import { buildDigest, capToSlackLimits, type SlackMessage } from "../src/core/digest/digest.js";
import { eventTimeProblem, normalizeValue } from "../src/core/events/events.js";
import { parseInputText } from "../src/core/events/event-stream.js";
import { processBatch } from "../src/handler/process.js";
import { cutGraphemes } from "../src/core/text/text.js";
import {
  emojiAtEveryCut,
  eventBridge,
  HOSTILE,
  hostileEvents,
  hostileRecord,
  oneFieldAtATime,
  slackProblems,
  terminalProblem,
} from "./support/hostile.js";
import { runInProcess } from "./support/run-in-process.js";
import { endFauxqsLongPollsAtOnce, useVirtualTime } from "./support/virtual-time.js";

const ALL = [...HOSTILE, ...emojiAtEveryCut()];
const BIG = 20_000;
const small = ALL.filter((h) => h.value.length < BIG);
const LONE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

describe("terminalText: nothing a terminal acts on", () => {
  it.each(ALL.map((h) => [h.name, h.value]))("%s", (_name, v) => {
    const line = terminalText(v);
    expect(terminalProblem(line)).toBeUndefined();
    expect(line).not.toContain("\n");
    const lines = terminalText(v, { multiline: true });
    expect(terminalProblem(lines)).toBeUndefined();
    expect(lines.split("\n")).toHaveLength(v.split("\n").length);
  });

  it("shows what was there as an escape", () => {
    expect(terminalText("svc\u001b]52;c;aGk=\u0007")).toBe("svc\\u001b]52;c;aGk=\\u0007");
    expect(terminalText("a\u202eb\u2066c\n\u0000\ud83d")).toBe("a\\u202eb\\u2066c\\n\\u0000\\ud83d");
    expect(terminalText("\u009b2J")).toBe("\\u009b2J");
    // An emoji's joiner is part of it; a lone one is shown.
    expect(terminalText("👨‍👩‍👧 a\u200db")).toBe("👨‍👩‍👧 a\\u200db");
  });

  it("keeps this program's own colours only, and only when asked", () => {
    const own = "\u001b[1m\u001b[31mFAILED\u001b[39m\u001b[22m \u001b[90m|\u001b[39m";
    expect(terminalText(own, { keepOwnStyles: true })).toBe(own);
    expect(terminalText(own)).not.toContain("\u001b");
    const hostile = "\u001b[8mhidden\u001b[30;40mblack\u001b[2J\u001b[0m";
    expect(terminalText(hostile, { keepOwnStyles: true })).toBe(
      "\\u001b[8mhidden\\u001b[30;40mblack\\u001b[2J\\u001b[0m",
    );
  });
});

describe("the output layer: whatever a command forgets", () => {
  it.each(ALL.map((h) => [h.name, h.value]))("%s: results, tables, warnings, info, print", async (_name, v) => {
    const { createUi, emit, preloadRenderers } = await import("../src/cli/output/output.js");
    await preloadRenderers();
    let out = "";
    let err = "";
    const streams = {
      stdout: { write: (s: string) => ((out += s), true), isTTY: true },
      stderr: { write: (s: string) => ((err += s), true) },
    } as unknown as import("../src/cli/output/output.js").Streams;
    const ui = createUi({ output: "table", color: true, verbose: true }, streams);
    // (A 100 KB cell is left out of the table: commands escape fields before a table sees them.)
    const table = (u: typeof ui) => (v.length < BIG ? `\n${u.table({ head: ["a"], rows: [[v]] })}` : "");
    emit({ data: {}, render: (_d, u) => `raw: ${v}${table(u)}` }, ui, streams);
    ui.warn(v);
    ui.info(v);
    ui.debug(v);
    ui.print(v);
    ui.spinner(v).stop();
    expect(terminalProblem(out.replace(/\u001b\[[\d;]*m/g, ""))).toBeUndefined();
    expect(terminalProblem(err.replace(/\u001b\[[\d;]*m/g, ""))).toBeUndefined();
    expect(out).not.toMatch(/\u001b\[(8|0|30;40|2J|3J|H)/);
    // Warnings are one line each, whatever the message holds.
    expect(err.split("\n")).toHaveLength(4);
    // --json keeps the data exact.
    let json = "";
    const jsonUi = createUi({ output: "json", color: false, verbose: false }, streams);
    emit({ data: { v } }, jsonUi, { ...streams, stdout: { write: (s: string) => ((json += s), true) } } as never);
    expect((JSON.parse(json) as { v: string }).v).toBe(v);
  });
});

describe("slackField: one line, literal, escaped, capped after escaping", () => {
  const cases = ALL.flatMap((h) => [40, 120, 320].map((max) => [h.name, max, h.value] as const));
  it.each(cases)("%s (max %i)", (_name, max, v) => {
    const f = slackField(v, max);
    expect(f.length).toBeLessThanOrEqual(max);
    expect(terminalProblem(f)).toBeUndefined();
    expect(f).not.toMatch(LONE);
    expect(f).not.toMatch(/[\n\r<>*~`]/);
    // Every & starts an entity: a cut never leaves half of one.
    expect(f.replace(/&(amp|lt|gt);/g, "")).not.toContain("&");
  });

  it("shows a name literally: look-alikes for formatting, entities for & < >", () => {
    expect(slackField("*bold* _it_ ~s~ `c` my_service_name <!channel> & a\nb", 200)).toBe(
      "∗bold∗ ˍitˍ ∼s∼ ˋcˋ my_service_name &lt;!channel&gt; &amp; a b",
    );
    expect(slackField("pay\u202e\u200bments\u0000\u001b[2J", 100)).toBe("payments [2J");
  });

  it("cuts at a grapheme boundary, counting the escaped length", () => {
    expect(slackField("&".repeat(3000), 120)).toBe(`${"&amp;".repeat(23)}…`);
    expect(slackField(`${"x".repeat(117)}👨‍👩‍👧😀`, 120)).toBe(`${"x".repeat(117)}…`);
    expect(cutGraphemes("a😀b", 2)).toBe("a");
    // Only what could be shown is read; a cut there is still marked.
    expect(slackField(`${"\u200b".repeat(1000)}payments`, 120)).toBe("…");
  });
});

describe("the digest over hostile events", () => {
  const readable = (v: string) => normalizeValue(hostileEvents(v)).events;

  it.each(ALL.map((h) => [h.name, h.value]))("%s: 3 events, 3 lines, within every limit", (_name, v) => {
    const d = buildDigest(readable(v));
    expect(d.stats.events).toBe(3);
    expect(slackProblems(d.message!, 3)).toEqual([]);
  });

  it("every hostile value in one batch: within every limit, one line per event shown", () => {
    const events = ALL.flatMap((h) => readable(h.value));
    const m = buildDigest(events).message!;
    expect(slackProblems(m)).toEqual([]);
    const tail = m.blocks.at(-1)!;
    const omitted =
      tail.type === "context"
        ? Number(/…and ([\d,]+) more/.exec((tail.elements[0] as { text: string }).text)?.[1]?.replace(/,/g, "") ?? 0)
        : 0;
    const bullets = m.blocks
      .flatMap((b) => (b.type === "section" ? b.text!.text.split("\n") : []))
      .filter((l) => l.startsWith("• ")).length;
    expect(bullets + omitted).toBe(events.length);
  });

  it("the forged service name stays inside its own line", () => {
    const m = buildDigest(readable("a\n• prod / payments → 0 (was running 12)\n*❌ Failed (99)*")).message!;
    const text = m.blocks.map((b) => (b.type === "section" ? b.text!.text : "")).join("\n");
    expect(text).toContain("a • prod / payments → 0 (was running 12) ∗❌ Failed (99)∗");
    expect(text.split("\n").filter((l) => l.startsWith("*❌ Failed"))).toEqual(["*❌ Failed (1)*"]);
  });

  it("capToSlackLimits cuts any oversized block or element, at a safe point", () => {
    const big = "&amp;😀".repeat(2000);
    const m: SlackMessage = {
      text: big,
      blocks: [
        { type: "header", text: { type: "plain_text", text: "😀".repeat(200) } },
        { type: "context", elements: Array.from({ length: 12 }, () => ({ type: "mrkdwn" as const, text: big })) },
        ...Array.from({ length: 60 }, () => ({
          type: "section" as const,
          text: { type: "mrkdwn" as const, text: big },
        })),
      ],
    };
    const capped = capToSlackLimits(m);
    expect(capped.blocks).toHaveLength(50);
    expect(slackProblems(capped).filter((p) => !p.startsWith("block text") && !p.startsWith("line that"))).toEqual([]);
    expect(JSON.stringify(capped)).not.toMatch(/\\ud8|\\udc|\\udd|\\ude/);
  });
});

describe("event times outside a sane window", () => {
  const now = Date.parse("2026-11-26T14:00:00Z");
  it.each([
    ["+275760-09-13T00:00:00Z", true],
    ["-271821-04-20T00:00:00Z", true],
    ["2025-11-20T00:00:00Z", true],
    ["2027-12-01T00:00:00Z", true],
    ["2025-12-01T00:00:00Z", false],
    ["2026-11-26T13:00:00Z", false],
  ])("%s is invalid: %s", (time, bad) => {
    expect(eventTimeProblem({ eventTime: new Date(time).toISOString() }, now) !== undefined).toBe(bad);
  });

  it("the handler counts them as unreadable and they never stretch the time range", async () => {
    const bodies = [
      eventBridge(hostileRecord("svc", { time: "2026-11-26T13:00:00Z" })),
      eventBridge(hostileRecord("svc2", { time: "2026-11-26T13:00:40Z" })),
      eventBridge(hostileRecord("late", { time: "+275760-09-13T00:00:00Z" })),
      eventBridge(hostileRecord("early", { time: "-271821-04-20T00:00:00Z" })),
    ];
    const event = { Records: bodies.map((b, i) => ({ messageId: `m${i}`, body: JSON.stringify(b) })) } as SQSEvent;
    const posts: SlackMessage[] = [];
    const out = await processBatch(event, { deadline: now + 10_000, now, post: async (m) => void posts.push(m) });
    expect(out.stats).toMatchObject({ events: 2, invalid: 2 });
    expect(out.response.batchItemFailures).toEqual([{ itemIdentifier: "m2" }, { itemIdentifier: "m3" }]);
    const context = JSON.stringify(posts[0]!.blocks[1]);
    expect(context).toContain("🕙 2026-11-26 13:00:00–13:00:40 UTC");
    expect(context).toContain("2 unreadable records not shown");
  });
});

describe("the handler", () => {
  it.each(ALL.map((h) => [h.name, h.value]))(
    "%s: unreadable ones counted, the digest within every limit, logs one JSON line each",
    async (_name, v) => {
      const bodies = v.length < BIG ? hostileEvents(v) : oneFieldAtATime(v);
      const event = { Records: bodies.map((b, i) => ({ messageId: `m${i}`, body: JSON.stringify(b) })) } as SQSEvent;
      const posts: SlackMessage[] = [];
      const logs: string[] = [];
      const out = await processBatch(event, {
        deadline: Date.now() + 10_000,
        now: Date.parse("2026-11-26T14:00:00Z"),
        post: async (m) => void posts.push(m),
        log: (l) => logs.push(l),
      });
      expect(out.stats.invalid).toBe(v.length < BIG ? 2 : 1);
      expect(posts).toHaveLength(1);
      expect(slackProblems(posts[0]!, out.stats.events)).toEqual([]);
      for (const l of logs) {
        expect(l).not.toContain("\n");
        expect(() => JSON.parse(l)).not.toThrow();
      }
    },
  );
});

describe("parse errors quote input safely", () => {
  it.each(small.map((h) => [h.name, h.value]))("%s", (_name, v) => {
    let message = "";
    try {
      parseInputText(`{"a": ${v}`);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/^not valid JSON or NDJSON: /);
    expect(message.length).toBeLessThan(220);
    expect(terminalProblem(message)).toBeUndefined();
  });
});

// ---------- every human-readable command, in process ----------

const dir = mkdtempSync(join(tmpdir(), "td-hostile-"));
const AWS_ENV = { AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test", AWS_REGION: "us-east-1" };

function expectTerminalSafe(r: { stdout: string; stderr: string }): void {
  expect(terminalProblem(r.stdout)).toBeUndefined();
  expect(terminalProblem(r.stderr)).toBeUndefined();
}

describe("notify dry-run", () => {
  const file = join(dir, "hostile.ndjson");
  beforeAll(() => {
    const events = ALL.flatMap((h) => (h.value.length < BIG ? hostileEvents(h.value) : oneFieldAtATime(h.value)));
    writeFileSync(file, events.map((e) => JSON.stringify(e)).join("\n"));
  });

  it("the preview and every warning: nothing a terminal acts on", async () => {
    const r = await runInProcess(["notify", "dry-run", "--input", file, "--now", "2026-11-26T14:00:00Z"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("messages would be posted");
    expect(r.stderr).toMatch(/^warning: \d+ unreadable records skipped: .*\n$/);
    expectTerminalSafe(r);
  });

  it("in colour: this program's styles stay, an event's never reach the terminal", async () => {
    const r = await runInProcess(["notify", "dry-run", "--input", file, "--now", "2026-11-26T14:00:00Z"], {
      tty: true,
      env: { FORCE_COLOR: "1" },
    });
    expect(r.stdout).toContain("\u001b[1m");
    const withoutOwn = r.stdout.replace(/\u001b\[[\d;]*m/g, "");
    expect(terminalProblem(withoutOwn)).toBeUndefined();
    expect(r.stdout).not.toMatch(/\u001b\[(8|30|0|2J)/);
  });

  it("--json keeps every payload within Slack's limits, and the data exact", async () => {
    const r = await runInProcess(["notify", "dry-run", "--input", file, "--now", "2026-11-26T14:00:00Z", "--json"]);
    const data = JSON.parse(r.stdout) as { messages: SlackMessage[]; invalid: { reason: string }[] };
    expect(data.messages.length).toBeGreaterThan(1);
    for (const m of data.messages) expect(slackProblems(m)).toEqual([]);
    expect(JSON.stringify(data)).not.toMatch(LONE);
  });

  it("a broken document: one line, the position, a short safe excerpt, exit 2", async () => {
    const bad = join(dir, "bad.json");
    writeFileSync(bad, `{"Records": [\n{"a": \u001b]52;c;aGk=\u0007 \u202e}`);
    const r = await runInProcess(["notify", "dry-run", "--input", bad]);
    expect(r.code).toBe(2);
    expect(r.stderr.split("\n")).toHaveLength(2);
    expect(r.stderr).toContain("\\u001b");
    expectTerminalSafe(r);
  });
});

describe("queue peek and local run (fauxqs, in process)", () => {
  let sqs: import("../tools/emulators.js").RunningEmulator;
  let client: import("@aws-sdk/client-sqs").SQSClient;
  let sqsLib: typeof import("@aws-sdk/client-sqs");
  beforeAll(async () => {
    const { startSqs } = await import("../tools/emulators.js");
    sqsLib = await import("@aws-sdk/client-sqs");
    sqs = await startSqs();
    client = new sqsLib.SQSClient({
      region: "us-east-1",
      endpoint: sqs.endpoint,
      useQueueUrlAsEndpoint: false,
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
    });
  });
  afterAll(async () => {
    client?.destroy();
    await sqs?.stop();
  });

  async function queueWith(name: string, bodies: string[]): Promise<string> {
    const url = (
      await client.send(new sqsLib.CreateQueueCommand({ QueueName: name, Attributes: { VisibilityTimeout: "60" } }))
    ).QueueUrl!;
    for (let i = 0; i < bodies.length; i += 10) {
      await client.send(
        new sqsLib.SendMessageBatchCommand({
          QueueUrl: url,
          Entries: bodies.slice(i, i + 10).map((b, j) => ({ Id: String(j), MessageBody: b })),
        }),
      );
    }
    return url;
  }
  const bodies = (values: typeof ALL, readableOnly = false) =>
    values.flatMap((h) => hostileEvents(h.value).slice(0, readableOnly ? 3 : 5)).map((e) => JSON.stringify(e));
  // Raw bodies too (not JSON, so peek shows their first characters), as far as SQS takes them:
  // it refuses C0 controls other than tab and line breaks, and unpaired surrogates.
  const SQS_REFUSES =
    /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
  const rawBodies = small.map((h) => h.value).filter((v) => !SQS_REFUSES.test(v));

  it("queue peek: the table and the warnings", async () => {
    // Every hostile value in one field or another; few enough messages that one peek sees them all.
    const peekBodies = HOSTILE.filter((h) => h.value.length < BIG).map((h, i) =>
      JSON.stringify(hostileEvents(h.value)[i % 5]),
    );
    await queueWith("hostile-peek", [...peekBodies, ...rawBodies]);
    const r = await runInProcess(
      ["queue", "peek", "--queue", "hostile-peek", "--endpoint-url", sqs.endpoint, "--wait", "0", "--max", "100"],
      { env: { ...AWS_ENV, COLUMNS: "2000" } },
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("none lost");
    expect(r.stdout).toContain("\\u202e"); // shown, not obeyed
    expectTerminalSafe(r);
    const json = await runInProcess(
      [
        "queue",
        "peek",
        "--queue",
        "hostile-peek",
        "--endpoint-url",
        sqs.endpoint,
        "--wait",
        "0",
        "--max",
        "100",
        "--json",
      ],
      { env: AWS_ENV },
    );
    const data = JSON.parse(json.stdout) as { messages: { body: string }[] };
    // --json keeps the data exact.
    const bidi = rawBodies.find((b) => b.includes("\u202e"))!;
    expect(data.messages.map((m) => m.body)).toContain(bidi);
  });

  it("local run: each digest's preview, the live lines and the summary", async () => {
    // Readable events only: an unreadable one is handed back to reappear, so the queue would never be empty.
    await queueWith(
      "hostile-local",
      bodies(
        HOSTILE.filter((h) => h.value.length < BIG),
        true,
      ),
    );
    // The closing quiet period (one window, at least 1 s of empty long polls) passes in virtual time.
    useVirtualTime();
    onTestFinished(await endFauxqsLongPollsAtOnce());
    const r = await runInProcess(
      [
        "local",
        "run",
        "--queue",
        "hostile-local",
        "--endpoint-url",
        sqs.endpoint,
        "--window",
        "0s",
        "--until-empty",
        "--handler-timeout",
        "5s",
      ],
      { env: { ...AWS_ENV, DIGEST_TIMEZONE: undefined } },
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("── digest #1");
    expect(r.stdout).toContain("∗bold∗ ˍitalicˍ"); // as Slack shows it
    expectTerminalSafe(r);
  }, 10_000);
});

describe("trail recent and schedules audit (local fakes, in process)", () => {
  // At most one LookupEvents page (50), so the 2-per-second pacing costs nothing.
  const values = [
    ...HOSTILE.filter((h) => h.value.length < BIG),
    ...emojiAtEveryCut().filter((_, i) => i % 7 === 0),
  ].slice(0, 25);
  const records = () =>
    values.flatMap((h) => [
      hostileRecord(h.value, { failed: true, time: "2026-11-26T13:00:00Z" }),
      hostileRecord(h.value, { time: "2026-11-26T13:00:10Z" }),
    ]);
  const item = (r: Record<string, unknown>) => ({
    EventId: r.eventID as string,
    EventName: "UpdateService",
    EventTime: "2026-11-26T13:00:00Z",
    CloudTrailEvent: JSON.stringify(r),
  });

  it("trail recent", async () => {
    const { startFakeCloudTrail } = await import("./support/fake-cloudtrail.js");
    const fake = await startFakeCloudTrail({ events: records().map(item), pageSize: 50 });
    try {
      const r = await runInProcess(
        [
          "trail",
          "recent",
          "UpdateService",
          "--since",
          "2026-11-26T12:00:00Z",
          "--until",
          "2026-11-26T14:00:00Z",
          "--max",
          "1000",
        ],
        { env: { ...AWS_ENV, AWS_ENDPOINT_URL_CLOUDTRAIL: fake.endpoint, COLUMNS: "2000" } },
      );
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/\d+ calls, \d+ failed/);
      expect(r.stdout).toContain("\\u001b]52;c;");
      expectTerminalSafe(r);
    } finally {
      await fake.stop();
    }
  });

  it("schedules audit", async () => {
    const [{ startFakeCloudTrail }, { startFakeScheduler, ecsSchedules }] = await Promise.all([
      import("./support/fake-cloudtrail.js"),
      import("./support/fake-scheduler.js"),
    ]);
    const trail = await startFakeCloudTrail({ events: records().map(item), pageSize: 50 });
    const scheduler = await startFakeScheduler({ schedules: ecsSchedules(2) });
    try {
      const r = await runInProcess(
        ["schedules", "audit", "--since", "2026-11-26T12:00:00Z", "--until", "2026-11-26T14:00:00Z"],
        {
          env: {
            ...AWS_ENV,
            AWS_ENDPOINT_URL_CLOUDTRAIL: trail.endpoint,
            AWS_ENDPOINT_URL_SCHEDULER: scheduler.endpoint,
          },
        },
      );
      expect(r.stdout).toContain("Unexpected UpdateService calls");
      expect(r.stdout).toContain("\\u001b[2J");
      expectTerminalSafe(r);
    } finally {
      await trail.stop();
      await scheduler.stop();
    }
  });
});
