// How many copies of one batch's digest can Slack receive? Batches go through the handler's delivery
// path (processBatch + postMessage, with the handler's deadline margin) against a local Slack stand-in
// that answers each request from a random fault mix; a batch handed back is delivered again, as SQS
// would, up to maxReceiveCount 5 times (then it is in the DLQ, not lost). Timings are scaled down:
// 3 s per invocation, a slow answer 0.8–2.5 s. Run: npx tsx bench/delivery-duplicates.ts [runs]
import { createServer } from "node:http";
import type { SQSEvent } from "aws-lambda";
import { processBatch } from "../src/handler/process.js";
import { postMessage } from "../src/adapters/slack.js";

const MAX_RECEIVE_COUNT = 5;
const REMAINING_MS = 3_000;
const BATCHES = 20;
const RECORDS_PER_BATCH = 10;
const runs = Number(process.argv[2] ?? 3);

/** Fault → probability; "posted" faults are the ones where Slack did post the message. */
const MIX = [
  ["ok", 0.4],
  ["429", 0.15],
  ["500", 0.15],
  ["reset-after-receipt", 0.1],
  ["hang", 0.05],
  ["slow", 0.15],
] as const;
const POSTED = new Set(["ok", "reset-after-receipt", "hang", "slow"]);

function pick(): string {
  let r = Math.random();
  for (const [f, p] of MIX) if ((r -= p) < 0) return f;
  return "ok";
}

const copies = new Map<string, number>();
const server = createServer((req, res) => {
  let body = "";
  req.on("data", (c) => (body += c));
  req.on("end", () => {
    const batch = /"text":"[^"]*?(batch-\d+-\d+)/.exec(body)?.[1] ?? /batch-\d+-\d+/.exec(body)?.[0] ?? "?";
    const fault = pick();
    if (POSTED.has(fault)) copies.set(batch, (copies.get(batch) ?? 0) + 1);
    switch (fault) {
      case "ok":
        return void res.end("ok");
      case "429":
        res.writeHead(429, { "retry-after": "1" });
        return void res.end("rate_limited");
      case "500":
        res.writeHead(500);
        return void res.end("rollup_error");
      case "reset-after-receipt":
        return void req.socket.destroy();
      case "hang":
        return;
      case "slow":
        return void setTimeout(() => res.end("ok"), 800 + Math.random() * 1700).unref();
    }
  });
});
await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
const addr = server.address();
const url = `http://127.0.0.1:${typeof addr === "object" && addr ? addr.port : 0}/services/T0/B0/benchtoken`;

function event(batch: string): SQSEvent {
  return {
    Records: Array.from({ length: RECORDS_PER_BATCH }, (_, i) => ({
      messageId: `${batch}-m${i}`,
      body: JSON.stringify({
        version: "0",
        id: `${batch}-${i}`,
        "detail-type": "AWS API Call via CloudTrail",
        source: "aws.ecs",
        time: "2026-11-26T13:00:00Z",
        region: "us-east-1",
        detail: {
          eventTime: "2026-11-26T13:00:00Z",
          eventSource: "ecs.amazonaws.com",
          eventName: "UpdateService",
          eventID: `${batch}-${i}`,
          awsRegion: "us-east-1",
          userIdentity: { type: "AssumedRole", arn: "arn:aws:sts::1:assumed-role/r/s" },
          requestParameters: { cluster: batch, service: `svc${i}`, desiredCount: i },
        },
      }),
    })) as SQSEvent["Records"],
  };
}

interface Outcome {
  batch: string;
  delivered: boolean;
  invocations: number;
  overran: number;
}

async function deliver(batch: string): Promise<Outcome> {
  let overran = 0;
  for (let receive = 1; receive <= MAX_RECEIVE_COUNT; receive++) {
    const start = Date.now();
    const deadline = start + REMAINING_MS - Math.min(3_000, Math.floor(REMAINING_MS / 5));
    const out = await processBatch(event(batch), {
      // The digest's text names the cluster, so the stand-in can tell batches apart.
      post: async (m, o) =>
        void (await postMessage(url, { ...m, text: `${batch} ${m.text}` }, { deadline: o.deadline })),
      deadline,
    });
    if (Date.now() - start > REMAINING_MS) overran++;
    if (out.response.batchItemFailures.length === 0) return { batch, delivered: true, invocations: receive, overran };
  }
  return { batch, delivered: false, invocations: MAX_RECEIVE_COUNT, overran };
}

let maxCopies = 0;
let total = 0;
let duplicated = 0;
let dlq = 0;
let overran = 0;
let lost = 0;
for (let run = 0; run < runs; run++) {
  const outcomes = await Promise.all(Array.from({ length: BATCHES }, (_, b) => deliver(`batch-${run}-${b}`)));
  for (const o of outcomes) {
    const n = copies.get(o.batch) ?? 0;
    total++;
    maxCopies = Math.max(maxCopies, n);
    if (n > 1) duplicated++;
    if (!o.delivered) dlq++;
    if (!o.delivered && n === 0 && o.invocations < MAX_RECEIVE_COUNT) lost++;
    overran += o.overran;
  }
}
server.closeAllConnections();
server.close();
const hist = new Map<number, number>();
for (const n of copies.values()) hist.set(n, (hist.get(n) ?? 0) + 1);
console.log(`fault mix: ${MIX.map(([f, p]) => `${f} ${Math.round(p * 100)}%`).join(", ")}`);
console.log(
  `${total} batches of ${RECORDS_PER_BATCH} records, maxReceiveCount ${MAX_RECEIVE_COUNT}, ${REMAINING_MS} ms per invocation`,
);
console.log(
  `copies per batch: ${[...hist.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([n, c]) => `${n}×${c}`)
    .join(", ")}`,
);
console.log(`max copies of one batch: ${maxCopies}; batches posted more than once: ${duplicated}/${total}`);
console.log(
  `batches to the DLQ (never acknowledged): ${dlq}; records lost: ${lost * RECORDS_PER_BATCH}; invocations past their time: ${overran}`,
);
