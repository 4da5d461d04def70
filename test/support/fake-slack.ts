// A real HTTP server on 127.0.0.1 standing in for a Slack incoming webhook. Responses are scripted
// (status, Retry-After, body, delay); every request is recorded with its parsed JSON body.
import { listenOnLoopback } from "./loopback.js";
import { createServer, type IncomingMessage, type Server } from "node:http";
import { afterAll, beforeAll, beforeEach } from "vitest";

export interface ScriptedResponse {
  status: number;
  body?: string;
  retryAfter?: number;
  /** Hold the answer this long (to exercise client timeouts). */
  delayMs?: number;
  /** A Location header (for 3xx answers). */
  location?: string;
  /** Read the request, then cut the connection without answering (Slack may have posted it). */
  reset?: boolean;
  /** Read the request and never answer. */
  hang?: boolean;
}

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage["headers"];
  body: string;
  json: unknown;
  at: number;
}

export interface FakeSlack {
  /** A webhook-looking URL with a secret path, e.g. http://127.0.0.1:PORT/services/T000/B000/XXXX. */
  url: string;
  requests: RecordedRequest[];
  /** Queue responses, used in order; when the queue is empty `fallback` answers (default 200 ok). */
  script(...responses: ScriptedResponse[]): void;
  setFallback(r: ScriptedResponse): void;
  close(): Promise<void>;
}

export async function startFakeSlack(opts: { secretPath?: string } = {}): Promise<FakeSlack> {
  const queue: ScriptedResponse[] = [];
  let fallback: ScriptedResponse = { status: 200, body: "ok" };
  const requests: RecordedRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      let json: unknown;
      try {
        json = JSON.parse(body);
      } catch {
        json = undefined;
      }
      requests.push({
        method: req.method ?? "",
        path: req.url ?? "",
        headers: req.headers,
        body,
        json,
        at: Date.now(),
      });
      const r = queue.shift() ?? fallback;
      if (r.reset) return void req.socket.destroy();
      if (r.hang) return;
      const answer = () => {
        if (res.destroyed) return;
        const headers: Record<string, string> = { "content-type": "text/plain" };
        if (r.retryAfter !== undefined) headers["retry-after"] = String(r.retryAfter);
        if (r.location !== undefined) headers.location = r.location;
        res.writeHead(r.status, headers);
        res.end(r.body ?? (r.status === 200 ? "ok" : ""));
      };
      if (r.delayMs) setTimeout(answer, r.delayMs).unref();
      else answer();
    });
  });
  const { endpoint, stop } = await listenOnLoopback(server);
  const secretPath = opts.secretPath ?? "/services/T0FAKE0001/B0FAKE0002/s3cr3tW3bh00kT0k3nXYZ";
  return {
    url: `${endpoint}${secretPath}`,
    requests,
    script: (...rs) => void queue.push(...rs),
    setFallback: (r) => void (fallback = r),
    close: stop,
  };
}

/**
 * One fake Slack for a test file (or describe block): started before all, closed after all, and
 * reset to an empty record with a 200 `ok` fallback before each test. The returned handle reads
 * through to the running server.
 */
export function useFakeSlack(): FakeSlack {
  let server: FakeSlack | undefined;
  beforeAll(async () => {
    server = await startFakeSlack();
  });
  afterAll(async () => {
    await server?.close();
  });
  beforeEach(() => {
    current().requests.length = 0;
    current().setFallback({ status: 200, body: "ok" });
  });
  const current = (): FakeSlack => {
    if (!server) throw new Error("useFakeSlack(): the fake Slack is not running (use it inside tests only)");
    return server;
  };
  return {
    get url() {
      return current().url;
    },
    get requests() {
      return current().requests;
    },
    script: (...responses) => current().script(...responses),
    setFallback: (r) => current().setFallback(r),
    close: () => current().close(),
  };
}
