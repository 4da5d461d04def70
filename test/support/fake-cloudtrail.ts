// A local CloudTrail on 127.0.0.1 speaking the JSON 1.1 protocol for LookupEvents only
// (X-Amz-Target: CloudTrail_20131101.LookupEvents). It filters by the EventName attribute and
// StartTime/EndTime, serves pages newest first, checks that a NextToken comes back with the same
// parameters, can answer ThrottlingException, and records every request with its arrival time.
// Point the CLI at it with AWS_ENDPOINT_URL_CLOUDTRAIL=<endpoint> (or --endpoint-url).
import { listenOnLoopback } from "./loopback.js";
import { createServer } from "node:http";

/** One LookupEvents `Events[]` item, as AWS returns it (EventTime may be given as ISO here). */
export interface LookupEventItem {
  EventId: string;
  EventName: string;
  EventTime: string | number;
  EventSource?: string;
  Username?: string;
  ReadOnly?: string;
  AccessKeyId?: string;
  Resources?: { ResourceType?: string; ResourceName?: string }[];
  CloudTrailEvent: string;
}

export interface FakeCloudTrailOptions {
  /** Items shaped like LookupEventItem (plain records are accepted as they are). */
  events: LookupEventItem[] | Record<string, unknown>[];
  /** Events per page (AWS: at most 50, the request's MaxResults wins when smaller). */
  pageSize?: number;
  /** Answer the first N requests with ThrottlingException. */
  throttleFirst?: number;
  /** Answer these requests (1-based request numbers) with ThrottlingException. */
  throttleRequests?: number[];
  /** Answer ThrottlingException whenever a third request arrives within one second (like the real quota). */
  enforceRate?: boolean;
}

export interface FakeCloudTrailRequest {
  /** Arrival time, ms since the epoch. */
  at: number;
  body: {
    LookupAttributes?: { AttributeKey: string; AttributeValue: string }[];
    StartTime?: number;
    EndTime?: number;
    MaxResults?: number;
    NextToken?: string;
  };
  /** What the server answered: "page", "throttled" or an error name. */
  outcome: string;
}

export interface FakeCloudTrail {
  endpoint: string;
  requests: FakeCloudTrailRequest[];
  stop(): Promise<void>;
}

const TARGET = "CloudTrail_20131101.LookupEvents";

function seconds(t: string | number): number {
  return typeof t === "number" ? t : new Date(t).getTime() / 1000;
}

export async function startFakeCloudTrail(opts: FakeCloudTrailOptions): Promise<FakeCloudTrail> {
  const requests: FakeCloudTrailRequest[] = [];
  const server = createServer((req, res) => {
    let raw = "";
    req.on("data", (d) => (raw += d));
    req.on("end", () => {
      const at = Date.now();
      const reply = (status: number, payload: unknown) =>
        res.writeHead(status, { "content-type": "application/x-amz-json-1.1" }).end(JSON.stringify(payload));
      const error = (type: string, message: string, status = 400) => {
        rec.outcome = type;
        reply(status, { __type: type, message });
      };
      let body: FakeCloudTrailRequest["body"] = {};
      try {
        body = raw ? JSON.parse(raw) : {};
      } catch {
        /* recorded as {} and refused below */
      }
      const rec: FakeCloudTrailRequest = { at, body, outcome: "page" };
      requests.push(rec);
      const n = requests.length;
      if (req.headers["x-amz-target"] !== TARGET) return error("UnknownOperationException", `only ${TARGET} is served`);
      const recent = requests.filter((r) => r !== rec && r.at > at - 1000);
      if (
        n <= (opts.throttleFirst ?? 0) ||
        opts.throttleRequests?.includes(n) ||
        (opts.enforceRate && recent.length >= 2)
      ) {
        rec.outcome = "throttled";
        return reply(400, { __type: "ThrottlingException", message: "Rate exceeded" });
      }
      const attrs = body.LookupAttributes ?? [];
      if (attrs.length > 1) return error("InvalidLookupAttributesException", "only one lookup attribute is allowed");
      const attr = attrs[0];
      if (attr && attr.AttributeKey !== "EventName") {
        return error("InvalidLookupAttributesException", `this fake serves EventName only, not ${attr.AttributeKey}`);
      }
      const start = body.StartTime ?? -Infinity;
      const end = body.EndTime ?? Infinity;
      if (start > end) return error("InvalidTimeRangeException", "StartTime is after EndTime");
      const size = Math.min(body.MaxResults ?? 50, opts.pageSize ?? 50, 50);
      const key = JSON.stringify([attr?.AttributeValue ?? null, body.StartTime ?? null, body.EndTime ?? null]);
      let offset = 0;
      if (body.NextToken) {
        let tok: { key: string; offset: number };
        try {
          tok = JSON.parse(Buffer.from(body.NextToken, "base64url").toString("utf8"));
        } catch {
          return error("InvalidNextTokenException", "NextToken is not one of ours");
        }
        if (tok.key !== key) return error("InvalidNextTokenException", "NextToken used with different parameters");
        offset = tok.offset;
      }
      const matching = (opts.events as LookupEventItem[])
        .filter(
          (e) =>
            (!attr || e.EventName === attr.AttributeValue) &&
            seconds(e.EventTime) >= start &&
            seconds(e.EventTime) <= end,
        )
        .sort((a, b) => seconds(b.EventTime) - seconds(a.EventTime));
      const page = matching.slice(offset, offset + size);
      const next = offset + size < matching.length;
      reply(200, {
        Events: page.map((e) => ({ ...e, EventTime: seconds(e.EventTime) })),
        ...(next
          ? { NextToken: Buffer.from(JSON.stringify({ key, offset: offset + size })).toString("base64url") }
          : {}),
      });
    });
  });
  const { endpoint, stop } = await listenOnLoopback(server);
  return {
    endpoint,
    requests,
    stop,
  };
}

/** Most requests seen in any rolling window of `windowMs` (for "never more than 2 per second"). */
export function maxInWindow(times: number[], windowMs = 1000): number {
  const t = [...times].sort((a, b) => a - b);
  let best = 0;
  for (let i = 0, j = 0; i < t.length; i++) {
    while (t[i]! - t[j]! >= windowMs) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

export interface UpdateServiceCall {
  time: string;
  cluster?: string;
  service: string;
  desiredCount?: number;
  /** Role the caller assumed (default: the scheduler's role); or set `user` for an IAM user. */
  role?: string;
  session?: string;
  user?: string;
  errorCode?: string;
  errorMessage?: string;
  runningCount?: number;
  region?: string;
  account?: string;
  eventId?: string;
}

let seq = 0;
/** A LookupEvents item for one ECS UpdateService call, shaped like test/fixtures/lookup-events-page.json. */
export function updateServiceEvent(c: UpdateServiceCall): LookupEventItem {
  const account = c.account ?? "123456789012";
  const region = c.region ?? "ap-northeast-2";
  const eventId = c.eventId ?? `00000000-0000-4000-8000-${String(++seq).padStart(12, "0")}`;
  const role = c.role ?? "traildigest-scheduler-role";
  const session = c.session ?? "a4cdb673bc3db689";
  const userIdentity = c.user
    ? {
        type: "IAMUser",
        principalId: "AIDAEXAMPLE",
        arn: `arn:aws:iam::${account}:user/${c.user}`,
        accountId: account,
        userName: c.user,
      }
    : {
        type: "AssumedRole",
        principalId: `AROAEXAMPLE:${session}`,
        arn: `arn:aws:sts::${account}:assumed-role/${role}/${session}`,
        accountId: account,
        sessionContext: {
          sessionIssuer: {
            type: "Role",
            principalId: "AROAEXAMPLE",
            arn: `arn:aws:iam::${account}:role/${role}`,
            accountId: account,
            userName: role,
          },
        },
      };
  const record: Record<string, unknown> = {
    eventVersion: "1.11",
    userIdentity,
    eventTime: new Date(c.time).toISOString().replace(/\.\d{3}Z$/, "Z"),
    eventSource: "ecs.amazonaws.com",
    eventName: "UpdateService",
    awsRegion: region,
    sourceIPAddress: "scheduler.amazonaws.com",
    userAgent: "scheduler.amazonaws.com",
    requestParameters: {
      ...(c.cluster !== undefined ? { cluster: c.cluster } : {}),
      service: c.service,
      ...(c.desiredCount !== undefined ? { desiredCount: c.desiredCount } : {}),
    },
    responseElements: c.errorCode
      ? null
      : {
          service: {
            serviceName: c.service,
            desiredCount: c.desiredCount,
            runningCount: c.runningCount ?? 2,
            pendingCount: 0,
          },
        },
    requestID: `req-${eventId}`,
    eventID: eventId,
    readOnly: false,
    eventType: "AwsApiCall",
    managementEvent: true,
    recipientAccountId: account,
    eventCategory: "Management",
  };
  if (c.errorCode) {
    record.errorCode = c.errorCode;
    record.errorMessage = c.errorMessage ?? "Service not found.";
  }
  return {
    EventId: eventId,
    EventName: "UpdateService",
    ReadOnly: "false",
    EventTime: record.eventTime as string,
    EventSource: "ecs.amazonaws.com",
    Username: c.user ?? session,
    Resources: [{ ResourceType: "AWS::ECS::Service", ResourceName: c.service }],
    CloudTrailEvent: JSON.stringify(record),
  };
}
