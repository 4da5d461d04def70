// The zip is what gets deployed, so test the zip: unzip dist/handler.zip, import its index.mjs
// from a directory with no node_modules, and handle the sample batch against a local fake Slack.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { unzipSync } from "fflate";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Context, SQSBatchResponse, SQSEvent } from "aws-lambda";
import { startFakeSlack, type FakeSlack } from "./support/fake-slack.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const zipPath = join(root, "dist", "handler.zip");
const fixture = JSON.parse(readFileSync(join(root, "test/fixtures/sqs-lambda-event.json"), "utf8")) as SQSEvent;

type Handler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

let slack: FakeSlack;
let dir: string;
let handler: Handler;

beforeAll(async () => {
  // `npm test` builds first; build here too so the test never imports a stale zip.
  execFileSync(process.execPath, [join(root, "scripts/build.mjs"), "handler"], { cwd: root, stdio: "pipe" });
  slack = await startFakeSlack();
  dir = mkdtempSync(join(tmpdir(), "traildigest-zip-"));
  const files = unzipSync(readFileSync(zipPath));
  for (const [name, data] of Object.entries(files)) writeFileSync(join(dir, name), data);
  const mod = (await import(pathToFileURL(join(dir, "index.mjs")).href)) as { handler: Handler };
  handler = mod.handler;
}, 60_000);

afterAll(async () => {
  await slack?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("dist/handler.zip", () => {
  it("holds exactly index.mjs, small enough to deploy inline", () => {
    const files = unzipSync(readFileSync(zipPath));
    expect(Object.keys(files)).toEqual(["index.mjs"]);
    expect(statSync(zipPath).size).toBeLessThan(100 * 1024);
  });

  it("exports a handler that posts one digest for the sample batch and reports no failures", async () => {
    process.env.SLACK_WEBHOOK_URL = slack.url;
    const logs: string[] = [];
    const spy = vi.spyOn(console, "log").mockImplementation((...a: unknown[]) => void logs.push(a.join(" ")));
    try {
      const res = await handler(fixture, { getRemainingTimeInMillis: () => 30_000 } as unknown as Context);
      expect(res).toEqual({ batchItemFailures: [] });
    } finally {
      spy.mockRestore();
      delete process.env.SLACK_WEBHOOK_URL;
    }
    expect(slack.requests).toHaveLength(1);
    const payload = slack.requests[0]!.json as { text: string; blocks: { type: string }[] };
    expect(typeof payload.text).toBe("string");
    expect(payload.blocks[0]!.type).toBe("header");
    // The failed call in the sample batch is named in the payload.
    expect(slack.requests[0]!.body).toContain("ServiceNotFoundException");
    expect(logs.join("\n")).toContain('"traildigest batch"');
    expect(logs.join("\n")).not.toContain(slack.url);
  });

  it("returns the unreadable record's id from the zip too", async () => {
    process.env.SLACK_WEBHOOK_URL = slack.url;
    const spy = vi.spyOn(console, "log").mockImplementation(() => {});
    try {
      const event: SQSEvent = {
        Records: [...fixture.Records, { ...fixture.Records[0]!, messageId: "garbled", body: "<xml/>" }],
      };
      const res = await handler(event, { getRemainingTimeInMillis: () => 30_000 } as unknown as Context);
      expect(res).toEqual({ batchItemFailures: [{ itemIdentifier: "garbled" }] });
    } finally {
      spy.mockRestore();
      delete process.env.SLACK_WEBHOOK_URL;
    }
  });
});
