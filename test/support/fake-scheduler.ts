// A local EventBridge Scheduler (REST-JSON) for ListSchedules and GetSchedule only, on 127.0.0.1:
// scripted schedules, an optional per-request delay (benchmarks), scripted errors (throttling,
// access denied), and a record of requests and of the most calls in flight at once.
import { listenOnLoopback } from "./loopback.js";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";

export interface FakeSchedule {
  Name: string;
  GroupName?: string;
  State?: "ENABLED" | "DISABLED";
  ScheduleExpression: string;
  ScheduleExpressionTimezone?: string;
  StartDate?: string;
  EndDate?: string;
  FlexibleTimeWindow?: { Mode: "OFF" | "FLEXIBLE"; MaximumWindowInMinutes?: number };
  Target: { Arn: string; RoleArn?: string; Input?: string; DeadLetterConfig?: { Arn: string } };
}

export interface FakeSchedulerOptions {
  schedules: FakeSchedule[];
  /** Fixed delay before every answer, in ms. */
  delayMs?: number;
  /** Answer the first N GetSchedule calls with a ThrottlingException. */
  throttleGets?: number;
  /** Answer every request of this operation with AccessDeniedException (message without the action when bare). */
  denyOperation?: { operation: "ListSchedules" | "GetSchedule"; bare?: boolean };
}

export interface FakeScheduler {
  endpoint: string;
  requests: { at: number; operation: string; url: string }[];
  maxInFlight: number;
  stop(): Promise<void>;
}

const ACCOUNT = "123456789012";

export async function startFakeScheduler(opts: FakeSchedulerOptions): Promise<FakeScheduler> {
  const requests: FakeScheduler["requests"] = [];
  let inFlight = 0;
  const state = { maxInFlight: 0, throttled: 0 };
  const send = (res: ServerResponse, status: number, body: unknown, errorType?: string) => {
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (errorType) headers["x-amzn-errortype"] = errorType;
    res.writeHead(status, headers).end(JSON.stringify(body));
  };
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const get = /^\/schedules\/([^/]+)$/.exec(url.pathname);
    const operation = url.pathname === "/schedules" ? "ListSchedules" : get ? "GetSchedule" : "Unknown";
    requests.push({ at: Date.now(), operation, url: req.url ?? "" });
    inFlight++;
    state.maxInFlight = Math.max(state.maxInFlight, inFlight);
    try {
      if (opts.delayMs) await new Promise((r) => setTimeout(r, opts.delayMs));
      if (opts.denyOperation?.operation === operation) {
        const message = opts.denyOperation.bare
          ? "Access denied"
          : `User: arn:aws:iam::${ACCOUNT}:user/oncall is not authorized to perform: scheduler:${operation} on resource: arn:aws:scheduler:us-east-1:${ACCOUNT}:schedule/*`;
        return send(res, 403, { Message: message }, "AccessDeniedException");
      }
      if (operation === "ListSchedules") {
        const group = url.searchParams.get("ScheduleGroup");
        const prefix = url.searchParams.get("NamePrefix") ?? "";
        const stateFilter = url.searchParams.get("State");
        const max = Number(url.searchParams.get("MaxResults") ?? 100);
        const start = Number(url.searchParams.get("NextToken") ?? 0);
        const matching = opts.schedules.filter(
          (s) =>
            (!group || (s.GroupName ?? "default") === group) &&
            s.Name.startsWith(prefix) &&
            (!stateFilter || (s.State ?? "ENABLED") === stateFilter),
        );
        const page = matching.slice(start, start + max);
        return send(res, 200, {
          Schedules: page.map((s) => ({
            Name: s.Name,
            GroupName: s.GroupName ?? "default",
            State: s.State ?? "ENABLED",
            Arn: `arn:aws:scheduler:us-east-1:${ACCOUNT}:schedule/${s.GroupName ?? "default"}/${s.Name}`,
            Target: { Arn: s.Target.Arn },
          })),
          NextToken: start + max < matching.length ? String(start + max) : undefined,
        });
      }
      if (get) {
        if (opts.throttleGets && state.throttled < opts.throttleGets) {
          state.throttled++;
          return send(res, 400, { message: "Rate exceeded" }, "ThrottlingException");
        }
        const name = decodeURIComponent(get[1]!);
        const group = url.searchParams.get("groupName") ?? "default";
        const s = opts.schedules.find((x) => x.Name === name && (x.GroupName ?? "default") === group);
        if (!s) return send(res, 404, { Message: `Schedule ${name} does not exist.` }, "ResourceNotFoundException");
        const epoch = (iso?: string) => (iso ? new Date(iso).getTime() / 1000 : undefined);
        return send(res, 200, {
          ...s,
          GroupName: group,
          State: s.State ?? "ENABLED",
          Arn: `arn:aws:scheduler:us-east-1:${ACCOUNT}:schedule/${group}/${s.Name}`,
          FlexibleTimeWindow: s.FlexibleTimeWindow ?? { Mode: "OFF" },
          StartDate: epoch(s.StartDate),
          EndDate: epoch(s.EndDate),
        });
      }
      return send(res, 404, { Message: "unknown operation" }, "UnknownOperationException");
    } finally {
      inFlight--;
    }
  };
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => void handle(req, res));
  });
  const { endpoint, stop } = await listenOnLoopback(server);
  return {
    endpoint,
    requests,
    get maxInFlight() {
      return state.maxInFlight;
    },
    stop,
  };
}

/** n schedules for the stack: one per service, scale down at night in Seoul. */
export function ecsSchedules(n: number, group = "default"): FakeSchedule[] {
  return Array.from({ length: n }, (_, i) => ({
    Name: `svc-${String(i).padStart(4, "0")}-night-down`,
    GroupName: group,
    ScheduleExpression: "cron(0 22 ? * MON-FRI *)",
    ScheduleExpressionTimezone: "Asia/Seoul",
    Target: {
      Arn: "arn:aws:scheduler:::aws-sdk:ecs:updateService",
      RoleArn: `arn:aws:iam::${ACCOUNT}:role/scheduler-ecs`,
      Input: JSON.stringify({ Cluster: "dev", Service: `svc-${i}`, DesiredCount: 0 }),
    },
  }));
}
