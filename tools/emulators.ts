// Local emulators for tests, benchmarks and the demo. Every server binds to 127.0.0.1 only.
import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { buildApp } from "fauxqs";

export interface RunningEmulator {
  /** http://127.0.0.1:<port> — give it to every client as an explicit endpoint. */
  endpoint: string;
  port: number;
  stop(): Promise<void>;
}

/** A free loopback TCP port, chosen by the OS. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * fauxqs (a real SQS-protocol server) in this process. startFauxqs() always binds 0.0.0.0,
 * so we build the app ourselves and listen on loopback.
 */
export async function startSqs(opts: { region?: string } = {}): Promise<RunningEmulator> {
  const app = buildApp({ logger: false, defaultRegion: opts.region ?? "us-east-1" });
  await app.listen({ port: 0, host: "127.0.0.1" });
  const addr = app.server.address();
  const port = typeof addr === "object" && addr ? addr.port : 0;
  return { endpoint: `http://127.0.0.1:${port}`, port, stop: async () => void (await app.close()) };
}

/**
 * moto_server (moto 5.2) as a child process on a free loopback port, stopped by its PID.
 * Fails loudly when moto_server is missing or does not answer: the integration suite must not skip.
 */
export async function startMoto(timeoutMs = 30_000): Promise<RunningEmulator> {
  const port = await freePort();
  let child: ChildProcess;
  let output = "";
  let exited: string | undefined;
  try {
    child = spawn("moto_server", ["-H", "127.0.0.1", "-p", String(port)], {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, MOTO_ALLOW_NONEXISTENT_REGION: "true" },
    });
  } catch (err) {
    throw new Error(`moto_server could not be started: ${(err as Error).message}`);
  }
  child.stdout?.on("data", (d) => (output += d));
  child.stderr?.on("data", (d) => (output += d));
  child.on(
    "error",
    (err) => (exited = `moto_server could not be started (${err.message}); is moto installed and on PATH?`),
  );
  child.on(
    "exit",
    (code, sig) => (exited ??= `moto_server exited early (code ${code}, signal ${sig}): ${output.slice(-500)}`),
  );
  const endpoint = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exited) throw new Error(exited);
    try {
      const res = await fetch(`${endpoint}/moto-api/`);
      if (res.status < 500) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`moto_server did not answer on ${endpoint} within ${timeoutMs} ms: ${output.slice(-500)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    endpoint,
    port,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const gone = new Promise<void>((r) => child.once("exit", () => r()));
      process.kill(child.pid!, "SIGTERM");
      const t = setTimeout(() => child.pid && child.exitCode === null && process.kill(child.pid, "SIGKILL"), 3000);
      await gone;
      clearTimeout(t);
    },
  };
}

/** Reset moto's state between tests (moto's own reset API). */
export async function resetMoto(endpoint: string): Promise<void> {
  await fetch(`${endpoint}/moto-api/reset`, { method: "POST" });
}
