// `npm run demo` as a newcomer runs it: the script as a child process (the CLI it spawns is the
// built bin), asserting on what it prints and that it exits by itself, leaving nothing behind.
import { spawn } from "node:child_process";
import { connect } from "node:net";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { startFakeSlack } from "../support/fake-slack.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const TSX = fileURLToPath(new URL("../../node_modules/.bin/tsx", import.meta.url));

function runDemo(args: string[] = []): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(TSX, ["scripts/demo.ts", ...args], {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), 90_000);
    child.on("error", reject);
    // "close" waits for every holder of the pipes: the CLI child inherits them, so it must be gone too.
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

function portIsClosed(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, "127.0.0.1");
    s.once("connect", () => {
      s.destroy();
      resolve(false);
    });
    s.once("error", () => resolve(true));
  });
}

describe("npm run demo", () => {
  it("runs the wave through local run: every digest, then the summary; exits 0 and stops its SQS", async () => {
    const run = await runDemo();
    expect(run.stderr).not.toMatch(/error|demo:/i);
    expect(run.code, run.stderr).toBe(0);
    const out = run.stdout;

    // The set-up it announces.
    expect(out).toContain(
      "sent                34 messages as the EventBridge rule delivers them: 32 UpdateService calls",
    );
    expect(out).toContain("over 4 clusters (1 failed), 1 duplicate delivery, 1 unreadable message");

    // Every digest as it would appear: 4 of them, the failed call first in its digest.
    expect(out.match(/── digest #\d+/g)).toEqual(["── digest #1", "── digest #2", "── digest #3", "── digest #4"]);
    expect(out).toMatch(/Failed \(1\)\n\s*• dev \/ billing → 0 — ServiceNotFoundException/);
    expect(out).toContain("1 duplicate dropped");
    expect(out).toContain("1 unreadable record");
    // Each of the 32 calls appears exactly once across the digests, despite the duplicate delivery.
    expect(out.match(/^\s*• .+ → 0\b/gm)).toHaveLength(32);

    // One live line per invocation on stderr.
    const live = run.stderr.split("\n").filter((l) => /^#\d+ /.test(l));
    expect(live).toEqual([
      "#1  10 records  trigger=full  digest printed  records-returned=0",
      "#2  10 records  trigger=full  digest printed  records-returned=0",
      "#3  10 records  trigger=full  digest printed  records-returned=1",
      "#4  4 records  trigger=window  digest printed  records-returned=0",
      "#5  1 record  trigger=window  nothing to post  records-returned=1",
    ]);

    // The summary.
    expect(out).toContain("events in         34 messages: 32 API calls + 1 duplicate delivery + 1 unreadable");
    expect(out).toContain("batches           5 (10 / 10 / 10 / 4 / 1 records)");
    expect(out).toContain("digests           4");
    expect(out).toMatch(/sent to the DLQ {3}1 /);
    expect(out).toContain("left in queue     0");

    // The embedded SQS is stopped.
    const port = Number(/local SQS \(fauxqs\)\s+http:\/\/127\.0\.0\.1:(\d+)/.exec(out)?.[1]);
    expect(port).toBeGreaterThan(0);
    expect(await portIsClosed(port)).toBe(true);
  });

  it("--webhook-url posts the same digests to Slack and never prints the URL", async () => {
    const slack = await startFakeSlack();
    try {
      const run = await runDemo(["--webhook-url", slack.url]);
      expect(run.code, run.stderr).toBe(0);
      expect(slack.requests).toHaveLength(4);
      const texts = slack.requests.map((r) => JSON.stringify(r.json));
      expect(texts.join("\n")).toContain("ServiceNotFoundException");
      for (const r of slack.requests) expect((r.json as { blocks?: unknown[] }).blocks?.length).toBeGreaterThan(0);
      expect(run.stdout).toContain("digests           4 (posted to Slack)");
      expect(run.stdout + run.stderr).not.toContain(slack.url);
      expect(run.stdout + run.stderr).not.toContain("s3cr3tW3bh00kT0k3nXYZ");
    } finally {
      await slack.close();
    }
  });
});
