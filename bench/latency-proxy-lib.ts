// A loopback HTTP proxy that holds every request for a fixed delay before passing it to an upstream
// (moto_server), so a local emulator answers with a real API's latency. Runs in its own process, so its CPU is
// not counted against the client being measured. GET /__cpu answers this process's CPU time (µs).
// Run: node --import tsx bench/latency-proxy-lib.ts <upstream-port> <delay-ms>   (prints its port on stdout)
import { createServer, request, Agent } from "node:http";
import { setTimeout as delay } from "node:timers/promises";

const upstreamPort = Number(process.argv[2]);
const delayMs = Number(process.argv[3] ?? 30);
const agent = new Agent({ keepAlive: true, maxSockets: 256 });

const server = createServer(async (req, res) => {
  if (req.url === "/__cpu") {
    res.end(JSON.stringify(process.cpuUsage()));
    return;
  }
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  await delay(delayMs);
  const up = request(
    { host: "127.0.0.1", port: upstreamPort, method: req.method, path: req.url, headers: req.headers, agent },
    (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    },
  );
  up.on("error", (err) => {
    res.writeHead(502);
    res.end(String(err));
  });
  up.end(Buffer.concat(chunks));
});
server.keepAliveTimeout = 30_000;
server.listen(0, "127.0.0.1", () => {
  const addr = server.address();
  process.stdout.write(`${typeof addr === "object" && addr ? addr.port : 0}\n`);
});
