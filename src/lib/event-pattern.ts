// A small EventBridge event-pattern matcher, for `doctor` when TestEventPattern is unavailable
// (emulators answer it with nothing). Supports exact values, nested objects, prefix, suffix,
// anything-but, exists, equals-ignore-case and wildcard; anything else is reported as unsupported.

export class UnsupportedPattern extends Error {}

type Json = unknown;

function matchOne(rule: Json, value: Json, present: boolean): boolean {
  if (rule === null || typeof rule !== "object") return present && value === rule;
  const r = rule as Record<string, Json>;
  const [op] = Object.keys(r);
  const arg = r[op!];
  if (op === "exists") return arg ? present : !present;
  if (!present) return false;
  const s = typeof value === "string" ? value : undefined;
  switch (op) {
    case "prefix":
      if (typeof arg === "object" && arg && "equals-ignore-case" in arg) {
        return s !== undefined && s.toLowerCase().startsWith(String((arg as Record<string, Json>)["equals-ignore-case"]).toLowerCase());
      }
      return s !== undefined && s.startsWith(String(arg));
    case "suffix":
      if (typeof arg === "object" && arg && "equals-ignore-case" in arg) {
        return s !== undefined && s.toLowerCase().endsWith(String((arg as Record<string, Json>)["equals-ignore-case"]).toLowerCase());
      }
      return s !== undefined && s.endsWith(String(arg));
    case "equals-ignore-case":
      return s !== undefined && s.toLowerCase() === String(arg).toLowerCase();
    case "wildcard": {
      if (s === undefined) return false;
      const re = new RegExp("^" + String(arg).split("*").map((x) => x.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*") + "$");
      return re.test(s);
    }
    case "anything-but": {
      if (Array.isArray(arg)) return !arg.includes(value as never);
      if (arg && typeof arg === "object") {
        const inner = arg as Record<string, Json>;
        if ("prefix" in inner) return s === undefined || !s.startsWith(String(inner.prefix));
        if ("suffix" in inner) return s === undefined || !s.endsWith(String(inner.suffix));
        throw new UnsupportedPattern(`anything-but ${JSON.stringify(arg)}`);
      }
      return value !== arg;
    }
    default:
      throw new UnsupportedPattern(String(op));
  }
}

function matchField(rules: Json[], value: Json, present: boolean): boolean {
  // An array in the event matches when any of its elements matches.
  const values = Array.isArray(value) ? value : [value];
  return rules.some((rule) => (Array.isArray(value) && value.length === 0 ? matchOne(rule, undefined, false) : values.some((v) => matchOne(rule, v, present))));
}

/**
 * True when `event` matches `pattern`. Throws UnsupportedPattern for operators it does not know
 * (numeric, cidr, $or), so the caller can say "could not check" rather than guess.
 */
export function matchesPattern(pattern: Record<string, Json>, event: Record<string, Json>): boolean {
  for (const [key, rule] of Object.entries(pattern)) {
    if (key === "$or") throw new UnsupportedPattern("$or");
    const present = event !== null && typeof event === "object" && key in event;
    const value = present ? event[key] : undefined;
    if (Array.isArray(rule)) {
      if (!matchField(rule, value, present)) return false;
    } else if (rule && typeof rule === "object") {
      if (!present || value === null || typeof value !== "object" || Array.isArray(value)) return false;
      if (!matchesPattern(rule as Record<string, Json>, value as Record<string, Json>)) return false;
    } else {
      throw new UnsupportedPattern(`${key}: a pattern value must be an array or an object`);
    }
  }
  return true;
}

/** A CloudTrail-shaped ECS API call as EventBridge delivers it (used by doctor and the tests). */
export function sampleEcsCallEvent(opts: { account: string; region: string; eventName?: string; cluster?: string; service?: string }): Record<string, unknown> {
  const eventName = opts.eventName ?? "UpdateService";
  const cluster = opts.cluster ?? "traildigest-doctor";
  const service = opts.service ?? "traildigest-doctor";
  return {
    version: "0",
    id: "6f1c4b1e-0000-4000-8000-000000000000",
    "detail-type": "AWS API Call via CloudTrail",
    source: "aws.ecs",
    account: opts.account,
    time: "2026-01-01T00:00:00Z",
    region: opts.region,
    resources: [],
    detail: {
      eventVersion: "1.11",
      userIdentity: { type: "AssumedRole", accountId: opts.account },
      eventTime: "2026-01-01T00:00:00Z",
      eventSource: "ecs.amazonaws.com",
      eventName,
      awsRegion: opts.region,
      requestParameters: { cluster, service, desiredCount: 0 },
      responseElements: { service: { serviceName: service, desiredCount: 0, runningCount: 1 } },
      eventType: "AwsApiCall",
      managementEvent: true,
      readOnly: false,
      recipientAccountId: opts.account,
    },
  };
}
