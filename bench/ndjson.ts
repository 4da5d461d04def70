// `notify dry-run --input FILE --json` over generated NDJSON (10k by default; 100k and 1M with BENCH_BIG=1 or
// --sizes 10000,100000,1000000): wall time and peak RSS of the built CLI beside `jq` reading one field of the
// same file. Files go to a temp dir and are deleted after. Target (issue 16): 1M events under 300 MB peak.
// Run: npm run build && npx tsx bench/ndjson.ts [--sizes 10000,100000] [--batch-size 10]
import { spawn, spawnSync } from "node:child_process";
import { createWriteStream, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { once } from "node:events";
import { randomUUID } from "node:crypto";
import { sampleEvents } from "../src/core/events/sample.js";
import { BIN } from "../test/support/run-cli.js";

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const SIZES = (arg("sizes") ?? (process.env.BENCH_BIG ? "10000,100000,1000000" : "10000")).split(",").map(Number);
const BATCH = arg("batch-size") ?? "10";

/** n EventBridge events (about 1.6 KB each), one per line: the sample wave with unique IDs, services and times. */
async function generate(file: string, n: number): Promise<void> {
  const base = sampleEvents() as Record<string, any>[];
  const out = createWriteStream(file);
  const t0 = Date.parse("2026-11-01T00:00:00Z");
  for (let i = 0; i < n; i++) {
    const e = structuredClone(base[i % base.length]!);
    e.id = `bench-${i}`;
    e.detail.eventID = randomUUID(); // CloudTrail's eventID is a UUID
    e.detail.eventTime = new Date(t0 + i * 1000).toISOString().replace(".000Z", "Z");
    const rp = e.detail.requestParameters ?? {};
    if (typeof rp.service === "string") rp.service = `${rp.service}-${i % 97}`;
    e.detail.requestParameters = rp;
    if (!out.write(JSON.stringify(e) + "\n")) await once(out, "drain");
  }
  out.end();
  await once(out, "finish");
}

/** Wall time and peak RSS (GNU time's %M, kB) of a command, output discarded. */
function measure(cmd: string, args: string[]): Promise<{ seconds: number; peakMb: number; code: number | null }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn("/usr/bin/time", ["-f", "%M", cmd, ...args], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => {
      const kb = Number(stderr.trim().split("\n").pop());
      if (code !== 0) process.stderr.write(stderr);
      resolve({ seconds: (performance.now() - t0) / 1000, peakMb: kb / 1024, code });
    });
  });
}

async function main() {
  if (spawnSync("/usr/bin/time", ["-f", "%M", "true"]).status !== 0) {
    console.log("skipped: GNU time (/usr/bin/time) is needed to measure peak memory");
    return;
  }
  const hasJq = spawnSync("jq", ["--version"]).status === 0;
  const dir = mkdtempSync(join(tmpdir(), "traildigest-ndjson-"));
  const rows: string[] = [];
  try {
    for (const n of SIZES) {
      const file = join(dir, `events-${n}.ndjson`);
      await generate(file, n);
      const mb = statSync(file).size / 1e6;
      const td = await measure(process.execPath, [
        BIN,
        "notify",
        "dry-run",
        "--input",
        file,
        "--batch-size",
        BATCH,
        "--json",
      ]);
      const jq = hasJq ? await measure("jq", ["-r", ".detail.eventName", file]) : undefined;
      rows.push(
        `| ${n.toLocaleString("en")} | ${mb.toFixed(0)} MB | ${td.seconds.toFixed(1)} s | ${td.peakMb.toFixed(0)} MB${td.code ? ` (exit ${td.code})` : ""} | ` +
          (jq
            ? `${jq.seconds.toFixed(1)} s | ${jq.peakMb.toFixed(0)} MB | ${(td.seconds / jq.seconds).toFixed(2)}× |`
            : "jq not installed | | |"),
      );
      rmSync(file);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(
    `notify dry-run --input FILE.ndjson --json --batch-size ${BATCH} (built CLI) vs jq -r .detail.eventName FILE`,
  );
  console.log("| events | file | traildigest time | traildigest peak RSS | jq time | jq peak RSS | time vs jq |");
  console.log("|---:|---:|---:|---:|---:|---:|---:|");
  for (const r of rows) console.log(r);
  if (!process.env.BENCH_BIG && !arg("sizes")) console.log("(100k and 1M: BENCH_BIG=1 npm run bench -- ndjson)");
}

await main();
