// `notify dry-run` / `notify send` through the built CLI, plus the terminal preview.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Chalk } from "chalk";
import { describe, expect, it, onTestFinished, vi } from "vitest";
import { runCliInProcess } from "./support/run-cli.js";
import { runInProcess } from "./support/run-in-process.js";
import { useFakeSlack } from "./support/fake-slack.js";
import { normalizeValue } from "../src/core/events/events.js";
import { buildDigest, type SlackMessage } from "../src/core/digest/digest.js";
import { blockKitBuilderUrl, mrkdwnToTerminal, renderPreview } from "../src/cli/output/preview.js";

// Slack's back-off, recorded instead of slept, in the tests that turn it on (in-process runs only).
const fakeSleep = vi.hoisted(() => ({ on: false, sleeps: [] as number[] }));
vi.mock("node:timers/promises", async (orig) => {
  const real = await orig<typeof import("node:timers/promises")>();
  return {
    ...real,
    setTimeout: (ms: number, ...rest: unknown[]) => {
      if (!fakeSleep.on) return (real.setTimeout as (...a: unknown[]) => Promise<unknown>)(ms, ...rest);
      fakeSleep.sleeps.push(ms);
      return Promise.resolve(rest[0]);
    },
  };
});
function recordSleeps(): number[] {
  fakeSleep.on = true;
  fakeSleep.sleeps = [];
  onTestFinished(() => void (fakeSleep.on = false));
  return fakeSleep.sleeps;
}

const fixtures = fileURLToPath(new URL("./fixtures", import.meta.url));
const lambdaEvent = join(fixtures, "sqs-lambda-event.json");
const lambdaEventText = readFileSync(lambdaEvent, "utf8");
const tmp = mkdtempSync(join(tmpdir(), "traildigest-notify-"));

interface DryRunJson {
  messages: SlackMessage[];
  stats: { events: number; duplicates: number; invalid: number; batches: number };
  invalid: { index: number; messageId?: string; reason: string }[];
  blockKitUrls?: string[];
}

describe("notify dry-run", () => {
  it("gives exactly one message for a Lambda SQS event, the same payload the handler builds", async () => {
    const r = await runCliInProcess(["notify", "dry-run", "--input", lambdaEvent, "--output", "json"]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as DryRunJson;
    expect(out.messages).toHaveLength(1);
    expect(out.stats).toEqual({ events: 4, duplicates: 1, invalid: 0, batches: 1 });
    const expected = buildDigest(normalizeValue(JSON.parse(lambdaEventText)).events, {
      timeZone: "UTC",
      invalidCount: 0,
    });
    expect(out.messages[0]).toEqual(expected.message);
  });

  it("keeps a Lambda SQS event as ONE batch whatever --batch-size says", async () => {
    const r = await runCliInProcess(["notify", "dry-run", "--input", lambdaEvent, "--batch-size", "2", "--json"]);
    expect((JSON.parse(r.stdout) as DryRunJson).stats.batches).toBe(1);
  });

  it("cuts other inputs into --batch-size batches in time order", async () => {
    const events = JSON.parse(lambdaEventText).Records.map((rec: { body: string }) => JSON.parse(rec.body));
    const file = join(tmp, "events.json");
    writeFileSync(file, JSON.stringify(events.reverse()));
    const r = await runCliInProcess(["notify", "dry-run", "--input", file, "--batch-size", "2", "--json"]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as DryRunJson;
    // 5 events, one a duplicate: deduped first, so 4 events → batches of 2, 2.
    expect(out.stats.batches).toBe(2);
    expect(out.messages).toHaveLength(2);
    expect(out.stats).toMatchObject({ events: 4, duplicates: 1 });
  });

  it("drops a duplicate that falls in another batch, and counts it", async () => {
    const events = JSON.parse(lambdaEventText).Records.map((rec: { body: string }) => JSON.parse(rec.body));
    const file = join(tmp, "events-one-per-batch.json");
    writeFileSync(file, JSON.stringify(events));
    const r = await runCliInProcess(["notify", "dry-run", "--input", file, "--batch-size", "1", "--json"]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as DryRunJson;
    // Without the whole-list dedupe the repeat would be its own batch and be shown (and posted) twice.
    expect(out.messages).toHaveLength(4);
    expect(out.stats).toEqual({ events: 4, duplicates: 1, invalid: 0, batches: 4 });
  });

  it("reads stdin with --input -", async () => {
    const r = await runCliInProcess(["notify", "dry-run", "--input", "-", "--json"], { input: lambdaEventText });
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as DryRunJson).messages).toHaveLength(1);
  });

  it("--sample: stats in JSON, and a readable preview in the terminal", async () => {
    const j = await runCliInProcess(["notify", "dry-run", "--sample", "--json"]);
    expect(j.code).toBe(0);
    const out = JSON.parse(j.stdout) as DryRunJson;
    expect(out.stats.invalid).toBe(0);
    expect(out.stats.events).toBeGreaterThanOrEqual(30);
    expect(out.stats.batches).toBe(Math.ceil((out.stats.events + out.stats.duplicates) / 10));
    expect(out.messages).toHaveLength(out.stats.batches);
    for (const m of out.messages) {
      expect(m.blocks.length).toBeLessThanOrEqual(50);
      expect(m.text.length).toBeGreaterThan(0);
    }

    const t = await runCliInProcess(["notify", "dry-run", "--sample"]);
    expect(t.code).toBe(0);
    expect(t.stdout).toContain(`Message 1 of ${out.stats.batches}`);
    expect(t.stdout).toMatch(/Failed \(1\)/);
    expect(t.stdout).toContain("Asia/Seoul");
    expect(t.stdout).toMatch(
      new RegExp(`${out.stats.batches} messages would be posted from ${out.stats.events} events`),
    );
    expect(t.stdout).not.toContain("\u001b["); // NO_COLOR
    // mrkdwn markers are rendered, not shown raw.
    expect(t.stdout).not.toMatch(/\*❌ Failed/);
  });

  it("--timezone changes the rendered time range", async () => {
    const r = await runCliInProcess([
      "notify",
      "dry-run",
      "--input",
      lambdaEvent,
      "--timezone",
      "Asia/Seoul",
      "--json",
    ]);
    const out = JSON.parse(r.stdout) as DryRunJson;
    expect(out.messages[0]!.text).toContain("22:00:00");
    expect(out.messages[0]!.text).toContain("Asia/Seoul");
  });

  it("--block-kit-url adds one Builder link per message holding its blocks", async () => {
    const r = await runCliInProcess(["notify", "dry-run", "--input", lambdaEvent, "--block-kit-url", "--json"]);
    const out = JSON.parse(r.stdout) as DryRunJson;
    expect(out.blockKitUrls).toHaveLength(1);
    const url = out.blockKitUrls![0]!;
    expect(url.startsWith("https://app.slack.com/block-kit-builder/#")).toBe(true);
    expect(JSON.parse(decodeURIComponent(url.split("#")[1]!))).toEqual({ blocks: out.messages[0]!.blocks });
    const t = await runCliInProcess(["notify", "dry-run", "--input", lambdaEvent, "--block-kit-url"]);
    expect(t.stdout).toContain("Block Kit Builder: https://app.slack.com/block-kit-builder/#");
  });

  it("reports unreadable records of a Lambda batch on stderr and in JSON, and still digests the rest", async () => {
    const ev = JSON.parse(lambdaEventText);
    ev.Records.push({ ...ev.Records[0], messageId: "broken-1", body: "not json" });
    const file = join(tmp, "with-broken.json");
    writeFileSync(file, JSON.stringify(ev));
    const r = await runCliInProcess(["notify", "dry-run", "--input", file, "--json"]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as DryRunJson;
    expect(out.messages).toHaveLength(1);
    expect(out.stats.invalid).toBe(1);
    expect(out.invalid).toEqual([{ index: 5, messageId: "broken-1", reason: expect.any(String) }]);
    expect(r.stderr).toMatch(/1 unreadable record skipped.*batchItemFailures.*broken-1/);
  });

  it("exits 2 with one line naming a missing file", async () => {
    const r = await runCliInProcess(["notify", "dry-run", "--input", "./no-such-file.json"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("error: --input ./no-such-file.json: file not found\n");
    expect(r.stdout).toBe("");
  });

  it("exits 2 with one line naming a malformed file and where it breaks", async () => {
    const file = join(tmp, "broken.json");
    writeFileSync(file, '{"Records": [\n  {"messageId": "a",\n  oops\n');
    const r = await runCliInProcess(["notify", "dry-run", "--input", file]);
    expect(r.code).toBe(2);
    const lines = r.stderr.trimEnd().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`--input ${file}: not valid JSON`);
    expect(lines[0]).toContain("line 3");
  });

  it("exits 2 when no input is given, or two are", async () => {
    const none = await runCliInProcess(["notify", "dry-run"]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/--input FILE .*--sample, --from-queue or --from-trail/);
    const both = await runCliInProcess(["notify", "dry-run", "--sample", "--input", lambdaEvent]);
    expect(both.code).toBe(2);
  });

  it("exits 2 for a bad --batch-size or --timezone", async () => {
    expect((await runCliInProcess(["notify", "dry-run", "--sample", "--batch-size", "0"])).code).toBe(2);
    const tz = await runCliInProcess(["notify", "dry-run", "--sample", "--timezone", "Mars/Olympus"]);
    expect(tz.code).toBe(2);
    expect(tz.stderr).toContain("--timezone");
  });
});

describe("notify send", () => {
  const slack = useFakeSlack();

  it("posts exactly what dry-run shows and prints Slack's answer, never the URL", async () => {
    const dry = JSON.parse(
      (await runCliInProcess(["notify", "dry-run", "--input", lambdaEvent, "--json"])).stdout,
    ) as DryRunJson;
    const r = await runCliInProcess(["notify", "send", "--input", lambdaEvent, "--webhook-url", slack.url]);
    expect(r.code).toBe(0);
    expect(slack.requests).toHaveLength(1);
    expect(slack.requests[0]!.json).toEqual(dry.messages[0]);
    expect(r.stdout).toContain("→ Slack: 200 ok");
    expect(r.stdout).toContain("1 message sent from 4 events");
    expect(r.stdout + r.stderr).not.toContain(slack.url);
    expect(r.stdout + r.stderr).not.toContain("s3cr3t");
  });

  it("uses SLACK_WEBHOOK_URL and reports results in JSON", async () => {
    const r = await runCliInProcess(["notify", "send", "--input", lambdaEvent, "--json"], {
      env: { SLACK_WEBHOOK_URL: slack.url },
    });
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.results).toEqual([{ status: 200, answer: "ok", attempts: 1 }]);
    expect(out.messages).toHaveLength(1);
    expect(slack.requests).toHaveLength(1);
  });

  it("exits 3 with Slack's error string on 404 channel_not_found, without the URL", async () => {
    slack.setFallback({ status: 404, body: "channel_not_found" });
    const r = await runCliInProcess(["notify", "send", "--input", lambdaEvent, "--webhook-url", slack.url]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain("channel_not_found");
    expect(r.stderr).toMatch(/^error: /m);
    expect(r.stdout + r.stderr).not.toContain(slack.url);
    expect(r.stdout + r.stderr).not.toContain("s3cr3t");
    expect(slack.requests).toHaveLength(1);
  });

  it("never prints the webhook in any encoding (URL, JSON-escaped, percent-encoded, token) in errors, --verbose or --json", async () => {
    const token = new URL(slack.url).pathname.split("/").pop()!;
    const forms = [
      slack.url,
      slack.url.replaceAll("/", "\\/"),
      encodeURIComponent(slack.url),
      encodeURIComponent(slack.url).toLowerCase(),
      token,
    ];
    const sleeps = recordSleeps();
    for (const [i, echo] of forms.entries()) {
      const body = i % 2 ? JSON.stringify({ error: "invalid", url: echo }) : `bad webhook ${echo}`;
      slack.script({ status: 500, body }, { status: 400, body });
      const extra = i % 2 ? ["--json"] : ["--verbose"];
      sleeps.length = 0;
      const r = await runInProcess(["notify", "send", "--input", lambdaEvent, "--webhook-url", slack.url, ...extra]);
      expect(sleeps).toHaveLength(1); // one back-off after the 500
      expect(r.code).toBe(3);
      expect(r.stderr).toMatch(/HTTP 400 unexpected answer \(\d+ bytes\)/);
      const all = r.stdout + r.stderr;
      expect(all).not.toContain(token);
      expect(all.toLowerCase()).not.toContain(encodeURIComponent(new URL(slack.url).pathname).toLowerCase());
      if (extra[0] === "--verbose") expect(r.stderr).toContain('"slack retry"');
    }
  });

  it("exits 2 without a webhook, and on a non-https one without echoing it", async () => {
    const none = await runCliInProcess(["notify", "send", "--input", lambdaEvent], { env: { SLACK_WEBHOOK_URL: "" } });
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("SLACK_WEBHOOK_URL");
    const bad = await runCliInProcess([
      "notify",
      "send",
      "--input",
      lambdaEvent,
      "--webhook-url",
      "http://hooks.example.com/T/B/topsecretpart",
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--webhook-url");
    expect(bad.stderr).not.toContain("topsecretpart");
    expect(slack.requests).toHaveLength(0);
  });
});

describe("renderPreview", () => {
  const plain = new Chalk({ level: 0 });
  const color = new Chalk({ level: 1 });
  const message: SlackMessage = {
    text: "fallback",
    blocks: [
      { type: "header", text: { type: "plain_text", text: "ECS scale-down: 2 services" } },
      { type: "context", elements: [{ type: "mrkdwn", text: "🕙 22:00 · by *ops*" }] },
      {
        type: "section",
        text: {
          type: "mrkdwn",
          text: "*dev* — 2 services\n• &lt;!channel&gt; → 0 _(was 1)_ `code`\n• a &amp; b &lt;@U123&gt;",
        },
      },
      { type: "divider" },
      { type: "section", text: { type: "mrkdwn", text: "see <https://example.com/x|the runbook>" } },
    ],
  };

  it("unescapes names for display without turning them into mentions", () => {
    const out = renderPreview(message, plain);
    expect(out).toContain("• <!channel> → 0 (was 1) code");
    expect(out).toContain("• a & b <@U123>");
    expect(out).not.toContain("@channel");
    expect(out).toContain("ECS scale-down: 2 services");
    expect(out).toContain("see the runbook");
    expect(out).toMatch(/─{20,}/);
  });

  it("styles header bold, mrkdwn bold/italic/code, and dims context", () => {
    const out = renderPreview(message, color);
    expect(out).toContain(color.bold("ECS scale-down: 2 services"));
    expect(out).toContain(color.bold("dev"));
    expect(out).toContain(color.italic("(was 1)"));
    expect(out).toContain(color.cyan("code"));
    expect(out).toContain("\u001b[2m"); // dim
  });

  it("leaves mrkdwn markers inside words alone", () => {
    expect(mrkdwnToTerminal("snake_case_name and 2*3*4", plain)).toBe("snake_case_name and 2*3*4");
  });

  it("builds a Block Kit Builder link holding only the blocks", () => {
    const url = blockKitBuilderUrl(message);
    expect(JSON.parse(decodeURIComponent(url.slice(url.indexOf("#") + 1)))).toEqual({ blocks: message.blocks });
  });
});
