import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../src/core/setup/config-schema.js";
import { loadConfig } from "../src/adapters/files/config-file.js";
import { freePort } from "../tools/emulators.js";
import { runCliInProcess } from "./support/run-cli.js";

const ROLE = "arn:aws:iam::123456789012:role/scheduler-ecs";
const schedule = (over: Record<string, unknown> = {}) => ({
  name: "api-night-down",
  expression: "cron(0 22 ? * MON-FRI *)",
  cluster: "dev",
  service: "api",
  desiredCount: 0,
  roleArn: ROLE,
  ...over,
});
const msg = (doc: unknown): string => {
  try {
    parseConfig(doc, "traildigest.config.json");
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error("expected the config to be refused");
};

describe("parseConfig", () => {
  it("fills every default from an empty document", () => {
    const c = parseConfig({});
    expect(c.queue).toEqual({ name: "traildigest-events", retentionSeconds: 345600, visibilityTimeout: 660 });
    expect(c.dlq).toEqual({ name: "traildigest-events-dlq", retentionSeconds: 1209600, maxReceiveCount: 5 });
    expect(c.rule.eventNames).toEqual(["UpdateService"]);
    expect(c.function).toMatchObject({
      runtime: "nodejs22.x",
      timeout: 60,
      memory: 256,
      webhook: { secretId: "traildigest/slack-webhook" },
    });
    expect(c.batching).toEqual({ batchSize: 10, windowSeconds: 300 });
    expect(c.schedules).toEqual([]);
  });

  it("derives the visibility timeout as 6 × function timeout + window", () => {
    expect(parseConfig({ function: { timeout: 30 }, batching: { windowSeconds: 60 } }).queue.visibilityTimeout).toBe(
      240,
    );
  });

  it("fills schedule defaults", () => {
    const s = parseConfig({ schedules: [schedule()] }).schedules[0]!;
    expect(s).toMatchObject({
      group: "default",
      timezone: "UTC",
      state: "ENABLED",
      retryPolicy: { maximumRetryAttempts: 185, maximumEventAgeSeconds: 86400 },
    });
    expect(s.flexibleWindowMinutes).toBeUndefined();
  });

  it("names an unknown field with its path", () => {
    expect(msg({ queue: { name: "q", visiblityTimeout: 900 } })).toBe(
      "traildigest.config.json: queue.visiblityTimeout: unknown field",
    );
    expect(msg({ schedules: [schedule(), schedule({ name: "b", desiredcount: 1 })] })).toContain(
      "schedules[1].desiredcount: unknown field",
    );
  });

  it("names a bad cron expression with its index and the reason", () => {
    const m = msg({
      schedules: [schedule(), schedule({ name: "b" }), schedule({ name: "c", expression: "cron(0 25 * * ? *)" })],
    });
    expect(m).toMatch(/^traildigest\.config\.json: schedules\[2\]\.expression: cron\(0 25 \* \* \? \*\): .*25/);
  });

  it("refuses a visibility timeout below the function timeout", () => {
    expect(msg({ queue: { visibilityTimeout: 30 }, function: { timeout: 60 } })).toMatch(
      /queue\.visibilityTimeout: 30 s is below function\.timeout \(60 s\)/,
    );
  });

  it("accepts a visibility timeout between the timeout and the recommendation (doctor warns)", () => {
    expect(parseConfig({ queue: { visibilityTimeout: 120 } }).queue.visibilityTimeout).toBe(120);
  });

  it("requires a batching window when batchSize is above 10", () => {
    expect(msg({ batching: { batchSize: 100, windowSeconds: 0 } })).toMatch(
      /batching\.windowSeconds: must be at least 1/,
    );
    expect(parseConfig({ batching: { batchSize: 100, windowSeconds: 1 } }).batching.batchSize).toBe(100);
  });

  it("bounds windowSeconds to 0–300", () => {
    expect(msg({ batching: { windowSeconds: 301 } })).toMatch(/^traildigest\.config\.json: batching\.windowSeconds: /);
  });

  it("takes exactly one webhook source and refuses a plain-text env webhook", () => {
    expect(parseConfig({ function: { webhook: { parameter: "/td/hook" } } }).function.webhook).toEqual({
      parameter: "/td/hook",
    });
    expect(msg({ function: { webhook: { secretId: "a", parameter: "b" } } })).toMatch(
      /function\.webhook: must be exactly one of/,
    );
    expect(msg({ function: { webhook: { env: true } } })).toMatch(/function\.webhook\.env: refused/);
  });

  it("checks time zones, duplicate schedules, role ARNs and queue names", () => {
    expect(msg({ function: { digestTimezone: "Mars/Olympus" } })).toMatch(
      /function\.digestTimezone: unknown time zone/,
    );
    expect(msg({ schedules: [schedule({ timezone: "Nowhere/Land" })] })).toMatch(
      /schedules\[0\]\.timezone: unknown time zone/,
    );
    expect(msg({ schedules: [schedule(), schedule()] })).toMatch(
      /schedules\[1\]\.name: "api-night-down" appears twice/,
    );
    expect(msg({ schedules: [schedule({ roleArn: "scheduler-ecs" })] })).toMatch(
      /schedules\[0\]\.roleArn: an IAM role ARN/,
    );
    expect(msg({ queue: { name: "x" }, dlq: { name: "x" } })).toMatch(/dlq\.name: must differ/);
  });

  it("bounds the EventBridge rule name to 64 characters (queue names may have 80)", () => {
    expect(msg({ rule: { name: "r".repeat(65) } })).toMatch(/rule\.name/);
    expect(parseConfig({ rule: { name: "r".repeat(64) } }).rule.name).toHaveLength(64);
    expect(parseConfig({ queue: { name: "q".repeat(80) } }).queue.name).toHaveLength(80);
  });

  it("lists several problems in one message", () => {
    const m = msg({ queue: { visibilityTimeout: 10 }, schedules: [schedule({ expression: "cron(bad)" })] });
    expect(m).toContain("queue.visibilityTimeout");
    expect(m).toContain("schedules[0].expression");
  });
});

describe("loadConfig", () => {
  it("returns undefined when no default file exists, reads YAML, and refuses a missing --config", async () => {
    const dir = await mkdtemp(join(tmpdir(), "td-config-"));
    expect(await loadConfig(undefined, dir)).toBeUndefined();
    await writeFile(join(dir, "traildigest.config.yaml"), "region: eu-west-1\nqueue:\n  name: from-yaml\n");
    const c = await loadConfig(undefined, dir);
    expect(c?.queue.name).toBe("from-yaml");
    expect(c?.region).toBe("eu-west-1");
    await expect(loadConfig("nope.json", dir)).rejects.toThrow(
      /nope\.json: cannot read the config file \(no such file\)/,
    );
  });

  it("prefers the JSON file and reports malformed JSON as an input error", async () => {
    const dir = await mkdtemp(join(tmpdir(), "td-config-"));
    await writeFile(join(dir, "traildigest.config.json"), "{ not json");
    await expect(loadConfig(undefined, dir)).rejects.toMatchObject({
      kind: "input",
      message: expect.stringMatching(/traildigest\.config\.json: not valid JSON/),
    });
  });
});

describe("CLI: invalid config is refused before any AWS call", () => {
  const cases: [string, unknown, RegExp][] = [
    ["an unknown field", { queue: { name: "q", visiblityTimeout: 900 } }, /queue\.visiblityTimeout: unknown field/],
    [
      "a bad cron expression",
      { schedules: [schedule({ expression: "cron(0 25 * * ? *)" })] },
      /schedules\[0\]\.expression: cron\(0 25/,
    ],
    [
      "a visibility timeout below the function timeout",
      { queue: { visibilityTimeout: 30 }, function: { timeout: 60 } },
      /queue\.visibilityTimeout: 30 s is below function\.timeout/,
    ],
  ];
  for (const [what, doc, re] of cases) {
    it(`setup plan, setup apply and doctor exit 2 on ${what}`, async () => {
      const dir = await mkdtemp(join(tmpdir(), "td-config-"));
      await writeFile(join(dir, "traildigest.config.json"), JSON.stringify(doc));
      // A closed port: any AWS call would fail with a connection error (exit 3) instead.
      const port = await freePort();
      const env = { AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test", AWS_REGION: "us-east-1" };
      for (const args of [["setup", "plan"], ["setup", "apply", "--yes"], ["doctor"]]) {
        const r = await runCliInProcess([...args, "--endpoint-url", `http://127.0.0.1:${port}`], { cwd: dir, env });
        expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(2);
        expect(r.stderr).toMatch(re);
        expect(r.stderr).toMatch(/^error: traildigest\.config\.json: /);
        expect(r.stderr).not.toMatch(/ECONNREFUSED|connect|reach|127\.0\.0\.1/i);
        expect(r.stdout).toBe("");
      }
    });
  }

  it("--config names another file, and a missing one is an input error", async () => {
    const dir = await mkdtemp(join(tmpdir(), "td-config-"));
    await writeFile(join(dir, "other.yaml"), "function:\n  timeout: 60\nqueue:\n  visibilityTimeout: 10\n");
    const r = await runCliInProcess(["setup", "plan", "--config", "other.yaml"], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: other\.yaml: queue\.visibilityTimeout: 10 s is below/);
    const missing = await runCliInProcess(["setup", "plan", "--config", "missing.json"], { cwd: dir });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/missing\.json: cannot read the config file/);
  });

  it("setup without any config file says how to make one", async () => {
    const dir = await mkdtemp(join(tmpdir(), "td-config-"));
    const r = await runCliInProcess(["setup", "plan"], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no config file: create one with `traildigest init`/);
  });
});

describe("CLI: init", () => {
  it("writes a starter that validates, with the recommended numbers, and refuses to overwrite without --force", async () => {
    const dir = await mkdtemp(join(tmpdir(), "td-init-"));
    const r = await runCliInProcess(["init"], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Wrote .*traildigest\.config\.json/);
    const text = await readFile(join(dir, "traildigest.config.json"), "utf8");
    const doc = JSON.parse(text);
    expect(doc.queue.visibilityTimeout).toBe(6 * doc.function.timeout + doc.batching.windowSeconds);
    expect(doc.dlq.maxReceiveCount).toBe(5);
    expect(doc.function.webhook).toEqual({ secretId: "traildigest/slack-webhook" });
    expect(() => parseConfig(doc)).not.toThrow();

    const again = await runCliInProcess(["init"], { cwd: dir });
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already exists: pass --force/);
    await writeFile(join(dir, "traildigest.config.json"), "{}");
    const forced = await runCliInProcess(["init", "--force"], { cwd: dir });
    expect(forced.code).toBe(0);
    expect(JSON.parse(await readFile(join(dir, "traildigest.config.json"), "utf8"))).toEqual(doc);
  });

  it("writes YAML with --format yaml, which loadConfig reads back", async () => {
    const dir = await mkdtemp(join(tmpdir(), "td-init-"));
    const r = await runCliInProcess(["init", "--format", "yaml", "--region", "eu-west-1", "--json"], { cwd: dir });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ format: "yaml" });
    const c = await loadConfig(undefined, dir);
    expect(c?.region).toBe("eu-west-1");
    expect(c?.queue.visibilityTimeout).toBe(660);
    const json = await runCliInProcess(["init"], { cwd: dir });
    expect(json.code).toBe(2);
    expect(json.stderr).toMatch(/traildigest\.config\.yaml already exists: edit it, or remove it/);
  });
});
