// Digest building (10 and 1,500 events), the handler's cold start, and the handler zip's size.
// Run: npx tsx bench/digest.ts   (builds dist/handler.zip first). Targets (issue 2): a 1,500-event
// batch digested in < 100 ms, handler zip < 100 KB.
import { execFileSync, spawn } from "node:child_process";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { SQSEvent, SQSRecord } from "aws-lambda";
import { startFakeSlack } from "../test/support/fake-slack.js";
import { normalizeValue, type ApiCallEvent } from "../src/core/events/events.js";
import { buildDigest } from "../src/core/digest/digest.js";
import { sampleEvents } from "../src/core/events/sample.js";
import { processBatch } from "../src/handler/process.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const RUNS = 15;
const COLD_RUNS = 7;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function timeSync(fn: () => void, runs = RUNS): number {
  fn(); // warm-up: the Lambda's first call is measured separately (cold start)
  const xs: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    xs.push(performance.now() - t0);
  }
  return median(xs);
}

async function timeAsync(fn: () => Promise<void>, runs = RUNS): Promise<number> {
  await fn();
  const xs: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    xs.push(performance.now() - t0);
  }
  return median(xs);
}

/** n raw EventBridge events: the sample wave repeated with unique ids, services and clusters. */
function rawEvents(n: number): Record<string, unknown>[] {
  const base = sampleEvents() as Record<string, any>[];
  const out: Record<string, unknown>[] = [];
  for (let i = 0; i < n; i++) {
    const e = structuredClone(base[i % base.length]!);
    const round = Math.floor(i / base.length);
    e.id = `bench-${i}`;
    e.detail.eventID = `bench-event-${i}`;
    const rp = e.detail.requestParameters ?? {};
    if (typeof rp.service === "string") rp.service = `${rp.service}-${round}`;
    if (typeof rp.cluster === "string") rp.cluster = `${rp.cluster}-${round % 7}`;
    e.detail.requestParameters = rp;
    out.push(e);
  }
  return out;
}

/** Real UpdateService events carry the whole service description; pad to ~4 KB so 1,500 ≈ 6 MB. */
const RECORD_BYTES = 4_000;

function sqsEvent(raw: Record<string, unknown>[]): SQSEvent {
  const tmpl = (JSON.parse(readFileSync(join(root, "test/fixtures/sqs-lambda-event.json"), "utf8")) as SQSEvent)
    .Records[0]!;
  return {
    Records: raw.map((e, i): SQSRecord => {
      const detail = (e as { detail: Record<string, unknown> }).detail;
      const record = { ...tmpl, messageId: `m-${i}`, body: JSON.stringify(e) };
      const pad = RECORD_BYTES - Buffer.byteLength(JSON.stringify(record));
      if (pad > 0) {
        detail.additionalEventData = {
          serviceEvents: "service has reached a steady state. ".repeat(Math.ceil(pad / 37)).slice(0, pad),
        };
        record.body = JSON.stringify(e);
      }
      return record;
    }),
  };
}

function events(n: number): ApiCallEvent[] {
  return normalizeValue(rawEvents(n)).events;
}

/**
 * A fresh `node`: `ms` is spawn → the child's first output (the handler has returned), `exitMs`
 * spawn → process exit (includes teardown such as closing the keep-alive socket to Slack).
 */
function runNode(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ ms: number; exitMs: number; out: string }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    let first: number | undefined;
    const child = spawn(process.execPath, args, {
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.on("data", (d) => {
      first ??= performance.now() - t0;
      out += d;
    });
    child.on("error", reject);
    child.on("close", (code) => {
      const exitMs = performance.now() - t0;
      if (code !== 0) reject(new Error(`node exited ${code}: ${out}`));
      else resolve({ ms: first ?? exitMs, exitMs, out });
    });
  });
}

async function main() {
  execFileSync(process.execPath, [join(root, "scripts/build.mjs"), "handler"], { cwd: root, stdio: "inherit" });
  const rows: [string, string, string][] = [];
  const fmt = (ms: number) => `${ms.toFixed(ms < 10 ? 2 : 1)} ms`;

  for (const n of [10, 1500]) {
    const evs = events(n);
    rows.push([
      `buildDigest, ${n} events`,
      fmt(timeSync(() => void buildDigest(evs, { timeZone: "Asia/Seoul" }))),
      n === 1500 ? "< 100 ms" : "",
    ]);
  }
  for (const n of [10, 1500]) {
    const batch = sqsEvent(rawEvents(n));
    const bytes = Buffer.byteLength(JSON.stringify(batch));
    const ms = await timeAsync(async () => {
      await processBatch(batch, { post: async () => {}, deadline: Date.now() + 60_000, timeZone: "Asia/Seoul" });
    });
    rows.push([
      `SQS batch → digest (parse + normalise + digest), ${n} records, ${(bytes / 1e6).toFixed(2)} MB`,
      fmt(ms),
      n === 1500 ? "< 100 ms" : "",
    ]);
  }

  // Cold start: a fresh node imports the built handler and handles the fixture batch against a local fake Slack.
  const slack = await startFakeSlack();
  const handlerUrl = new URL("../dist/handler.mjs", import.meta.url).href;
  const fixture = join(root, "test/fixtures/sqs-lambda-event.json");
  const script = `
    const t0 = performance.now();
    const { handler } = await import(${JSON.stringify(handlerUrl)});
    const t1 = performance.now();
    const event = JSON.parse((await import("node:fs")).readFileSync(${JSON.stringify(fixture)}, "utf8"));
    console.log = () => {};
    const res = await handler(event, { getRemainingTimeInMillis: () => 30000 });
    const t2 = performance.now();
    if (res.batchItemFailures.length) throw new Error("failures: " + JSON.stringify(res));
    process.stdout.write(JSON.stringify({ importMs: t1 - t0, firstCallMs: t2 - t1 }));
  `;
  const walls: number[] = [];
  const imports: number[] = [];
  const calls: number[] = [];
  const bare: number[] = [];
  const exits: number[] = [];
  for (let i = 0; i < COLD_RUNS; i++) {
    const r = await runNode(["--input-type=module", "-e", script], { SLACK_WEBHOOK_URL: slack.url });
    const inner = JSON.parse(r.out) as { importMs: number; firstCallMs: number };
    walls.push(r.ms);
    exits.push(r.exitMs);
    imports.push(inner.importMs);
    calls.push(inner.firstCallMs);
    bare.push((await runNode(["-e", "0"])).exitMs);
  }
  await slack.close();
  if (slack.requests.length !== COLD_RUNS) throw new Error(`expected ${COLD_RUNS} posts, saw ${slack.requests.length}`);
  rows.push(["handler cold start: node start + import + first batch handled (wall)", fmt(median(walls)), ""]);
  rows.push(["  of which import dist/handler.mjs", fmt(median(imports)), ""]);
  rows.push(["  of which first call (5 records, 1 POST to local Slack)", fmt(median(calls)), ""]);
  rows.push(["  bare `node -e 0` for comparison", fmt(median(bare)), ""]);
  rows.push(["  (until the process exits, keep-alive socket closed)", fmt(median(exits)), ""]);

  const zip = statSync(join(root, "dist/handler.zip")).size;
  const mjs = statSync(join(root, "dist/handler.mjs")).size;
  rows.push(["dist/handler.zip", `${(zip / 1024).toFixed(1)} KB`, "< 100 KB"]);
  rows.push(["  index.mjs unzipped", `${(mjs / 1024).toFixed(1)} KB`, ""]);

  const w0 = Math.max(...rows.map((r) => r[0].length));
  const w1 = Math.max(...rows.map((r) => r[1].length));
  console.log(
    `digest + handler (median of ${RUNS} runs; cold start: median of ${COLD_RUNS} fresh processes; Node ${process.versions.node})`,
  );
  for (const [a, b, c] of rows) console.log(`  ${a.padEnd(w0)}  ${b.padStart(w1)}  ${c}`);
}

await main();
