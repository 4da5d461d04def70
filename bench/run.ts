// `npm run bench`: runs every benchmark under bench/ in turn (each is also runnable on its own
// with `npx tsx bench/<name>.ts`). Pass names to run a subset: `npm run bench -- digest package`.
// Each bench's output is shown live and written into bench/results.md (one section per bench, with
// the machine, Node version, load and date), so docs quote that file instead of hand-copied numbers.
// A subset run replaces only its own sections.
import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg, totalmem, type as osType, release } from "node:os";
import { fileURLToPath } from "node:url";

const dir = fileURLToPath(new URL(".", import.meta.url));
const resultsFile = `${dir}results.md`;
const wanted = process.argv.slice(2);
const benches = readdirSync(dir)
  .filter((f) => f.endsWith(".ts") && !f.endsWith("-lib.ts") && f !== "run.ts")
  .filter((f) => wanted.length === 0 || wanted.includes(f.replace(/\.ts$/, "")));

/** Runs one bench with its output shown live; resolves with the output (colour codes removed). */
function runBench(f: string): Promise<{ ok: boolean; output: string; seconds: number }> {
  const started = Date.now();
  return new Promise((done) => {
    const child = spawn(process.execPath, ["--import", "tsx", `${dir}${f}`], {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, NO_COLOR: "1" },
    });
    let output = "";
    child.stdout.on("data", (d: Buffer) => ((output += d), process.stdout.write(d)));
    child.stderr.on("data", (d: Buffer) => ((output += d), process.stderr.write(d)));
    child.on("close", (code) =>
      done({ ok: code === 0, output: output.replace(/\x1b\[[0-9;]*m/g, ""), seconds: (Date.now() - started) / 1000 }),
    );
  });
}

const machine = () => {
  const c = cpus();
  const load = loadavg()
    .map((l) => l.toFixed(1))
    .join(" / ");
  return (
    `${c.length} × ${c[0]?.model.trim() ?? "unknown CPU"}, ${Math.round(totalmem() / 2 ** 30)} GB, ` +
    `${osType()} ${release()}, Node ${process.version}; load average ${load} (1 / 5 / 15 min)`
  );
};

// Sections of the results file by bench file name, so a subset run keeps the others.
const sections = new Map<string, string>();
if (existsSync(resultsFile)) {
  for (const part of readFileSync(resultsFile, "utf8")
    .split(/\n(?=## bench\/)/)
    .slice(1)) {
    sections.set(part.slice("## bench/".length, part.indexOf("\n")).trim(), part.trimEnd());
  }
}

let failed = 0;
for (const f of benches) {
  console.log(`\n=== bench/${f}`);
  const before = machine();
  const r = await runBench(f);
  if (!r.ok) failed++;
  sections.set(
    f,
    [
      `## bench/${f}`,
      "",
      `Run ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC in ${r.seconds.toFixed(0)} s${r.ok ? "" : " — **the bench failed; figures incomplete**"}.`,
      `Machine at the start: ${before}.`,
      "",
      "```",
      r.output.trimEnd(),
      "```",
    ].join("\n"),
  );
}

const header = [
  "# Benchmark results",
  "",
  "<!-- Written by `npm run bench` (bench/run.ts); do not edit by hand. -->",
  "",
  "Each section is the output of one `bench/*.ts`, with the machine, Node version, load and date of its run.",
  "`npm run bench -- <name>` reruns one bench and replaces only its section. The development machines are",
  "shared (2 cores, several test suites and builds running at once), so single timings vary; compare the",
  "ratios a bench prints (speed-ups, `--help` ÷ `node -e 0`) rather than the milliseconds.",
].join("\n");
const ordered = [...sections.keys()].sort().map((k) => sections.get(k)!);
writeFileSync(resultsFile, [header, ...ordered].join("\n\n") + "\n");
console.log(`\nwrote ${resultsFile}`);
process.exitCode = failed ? 1 : 0;
