// `schedules list --concurrency N` against moto_server behind a 30 ms latency proxy (bench/latency-proxy-lib.ts,
// its own process, loopback only): time, requests per second and the client's CPU per wall second for
// N = 1 … 32, to find where the client's own CPU (the SDK's signing, parsing, retry bookkeeping) stops the gain.
// Skipped when moto_server is not on PATH. Run: npx tsx bench/concurrency-moto.ts [--schedules 300] [--delay 30]
import { spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { CreateScheduleCommand, SchedulerClient } from "@aws-sdk/client-scheduler";
import { fetchSchedules, DEFAULT_CONCURRENCY } from "../src/adapters/aws/scheduler.js";
import { mapLimit } from "../src/adapters/aws/concurrency.js";
import { startMoto } from "../tools/emulators.js";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const N = arg("schedules", 300);
const DELAY = arg("delay", 30);
const LEVELS = [1, 2, 4, 8, 12, 16, 24, 32];
const creds = { accessKeyId: "test", secretAccessKey: "test" };

async function main() {
  if (spawnSync("sh", ["-c", "command -v moto_server"]).status !== 0) {
    console.log("skipped: moto_server is not on PATH");
    return;
  }
  const moto = await startMoto();
  const proxy = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      fileURLToPath(new URL("latency-proxy-lib.ts", import.meta.url)),
      String(moto.port),
      String(DELAY),
    ],
    {
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  try {
    const [first] = (await once(proxy.stdout!, "data")) as [Buffer];
    const proxyUrl = `http://127.0.0.1:${first.toString().trim()}`;
    const direct = new SchedulerClient({ region: "us-east-1", endpoint: moto.endpoint, credentials: creds });
    await mapLimit(
      Array.from({ length: N }, (_, i) => i),
      16,
      (i) =>
        direct.send(
          new CreateScheduleCommand({
            Name: `svc-${String(i).padStart(4, "0")}-night-down`,
            ScheduleExpression: "cron(0 22 ? * MON-FRI *)",
            ScheduleExpressionTimezone: "Asia/Seoul",
            FlexibleTimeWindow: { Mode: "OFF" },
            Target: {
              Arn: "arn:aws:scheduler:::aws-sdk:ecs:updateService",
              RoleArn: "arn:aws:iam::123456789012:role/scheduler-ecs",
              Input: JSON.stringify({ Cluster: "dev", Service: `svc-${i}`, DesiredCount: 0 }),
            },
          }),
        ),
    );
    // moto_server's CPU (ms), from /proc: every process started with its port (the pyenv shim execs python).
    const motoPids = spawnSync("pgrep", ["-f", `moto_server.*-p ${moto.port}`])
      .stdout.toString()
      .trim()
      .split("\n")
      .filter(Boolean);
    const ticks = Number(spawnSync("getconf", ["CLK_TCK"]).stdout.toString().trim()) || 100;
    const motoCpu = () =>
      motoPids.reduce((sum, pid) => {
        try {
          const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
          return sum + ((Number(f[11]) + Number(f[12])) * 1000) / ticks;
        } catch {
          return sum;
        }
      }, 0);
    const proxyCpu = async () => {
      const u = (await (await fetch(`${proxyUrl}/__cpu`)).json()) as { user: number; system: number };
      return (u.user + u.system) / 1000;
    };
    // As adapters/aws/clients.ts configures every client.
    const client = new SchedulerClient({
      region: "us-east-1",
      endpoint: proxyUrl,
      credentials: creds,
      maxAttempts: 5,
      retryMode: "adaptive",
    });
    await fetchSchedules(client, { concurrency: 8 }); // warm-up: connections, JIT
    console.log(
      `${N} schedules in moto_server, every request held ${DELAY} ms by the proxy; client = this process (one core at most)`,
    );
    console.log(
      "| --concurrency | time | GetSchedule/s | speed-up vs 1 | vs the one before | client CPU / wall | client CPU per request | proxy CPU / wall | moto_server CPU / wall |",
    );
    console.log("|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    let base = 0;
    let prev = 0;
    for (const c of LEVELS) {
      const cpu0 = process.cpuUsage();
      const p0 = await proxyCpu();
      const m0 = motoCpu();
      const t0 = performance.now();
      const raws = await fetchSchedules(client, { concurrency: c });
      const ms = performance.now() - t0;
      const cpu = process.cpuUsage(cpu0);
      const pcpu = (await proxyCpu()) - p0;
      const mcpu = motoCpu() - m0;
      if (raws.length !== N) throw new Error(`expected ${N} schedules, got ${raws.length}`);
      const cpuMs = (cpu.user + cpu.system) / 1000;
      if (c === 1) base = ms;
      console.log(
        `| ${c}${c === DEFAULT_CONCURRENCY ? " (default)" : ""} | ${(ms / 1000).toFixed(2)} s | ${((N / ms) * 1000).toFixed(0)} | ×${(base / ms).toFixed(1)} | ${prev ? `×${(prev / ms).toFixed(2)}` : ""} | ${(cpuMs / ms).toFixed(2)} | ${(cpuMs / N).toFixed(2)} ms | ${(pcpu / ms).toFixed(2)} | ${motoPids.length ? (mcpu / ms).toFixed(2) : "?"} |`,
      );
      prev = ms;
    }
  } finally {
    proxy.kill();
    await moto.stop();
  }
}

await main();
