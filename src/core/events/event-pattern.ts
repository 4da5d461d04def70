// A local EventBridge event-pattern matcher, for `doctor` when TestEventPattern is unavailable (emulators
// answer it with nothing) and for the tests of the scopes' patterns. It follows "Content filtering in
// Amazon EventBridge event patterns" and "Comparison operators for use in event patterns" (docs.aws.amazon.com
// /eventbridge/latest/userguide/eb-create-pattern-operators.html): every event-bus operator is supported.
// The event is read as EventBridge reads it: flattened to leaf values, arrays standing for any of their
// elements, so an object is never a leaf (exists/anything-but look only at leaves).

export class UnsupportedPattern extends Error {}

type Json = unknown;
type Obj = Record<string, Json>;
const isObj = (v: Json): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * The leaf values at one key of one object: [] when the key is absent or holds only objects; an array
 * contributes each scalar element (nested arrays are flattened).
 */
function leaves(value: Json, present: boolean): Json[] {
  if (!present) return [];
  if (Array.isArray(value)) return value.flatMap((v) => leaves(v, true));
  if (isObj(value)) return [];
  return [value];
}

/** The objects at one key: the value itself, or each object element of an array. */
function objects(value: Json, present: boolean): Obj[] {
  if (!present) return [];
  if (Array.isArray(value)) return value.flatMap((v) => objects(v, true));
  return isObj(value) ? [value] : [];
}

// Wildcard: `*` matches any run; `\*` is a literal star and `\\` a literal backslash.
function wildcardRegExp(p: string, flags = ""): RegExp {
  let re = "^";
  for (let i = 0; i < p.length; i++) {
    const c = p[i]!;
    if (c === "\\" && (p[i + 1] === "*" || p[i + 1] === "\\")) re += "\\" + p[++i];
    else if (c === "*") re += ".*";
    else re += c.replace(/[.+?^${}()|[\]\\/-]/g, "\\$&");
  }
  return new RegExp(re + "$", flags + "s");
}

function ipToBigInt(ip: string): { v: bigint; bits: number } | undefined {
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(ip)) {
    const parts = ip.split(".").map(Number);
    if (parts.some((n) => n > 255)) return undefined;
    return { v: parts.reduce((a, n) => (a << 8n) | BigInt(n), 0n), bits: 32 };
  }
  if (!ip.includes(":") || !/^[0-9a-fA-F:]+$/.test(ip)) return undefined;
  const halves = ip.split("::");
  if (halves.length > 2) return undefined;
  const head = halves[0] ? halves[0].split(":") : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(":") : [];
  const missing = 8 - head.length - tail.length;
  if (missing < 0 || (halves.length === 1 && missing !== 0)) return undefined;
  const groups = [...head, ...Array<string>(missing).fill("0"), ...tail];
  if (groups.some((g) => g.length === 0 || g.length > 4)) return undefined;
  return { v: groups.reduce((a, g) => (a << 16n) | BigInt(parseInt(g, 16)), 0n), bits: 128 };
}

function inCidr(value: string, cidr: string): boolean {
  const [net, lenText] = cidr.split("/");
  const n = ipToBigInt(net ?? "");
  const ip = ipToBigInt(value);
  if (!n || lenText === undefined || !/^\d+$/.test(lenText))
    throw new UnsupportedPattern(`cidr ${JSON.stringify(cidr)}`);
  const len = Number(lenText);
  if (len > n.bits) throw new UnsupportedPattern(`cidr ${JSON.stringify(cidr)}`);
  if (!ip || ip.bits !== n.bits) return false;
  const shift = BigInt(n.bits - len);
  return ip.v >> shift === n.v >> shift;
}

const NUMERIC_OPS: Record<string, (a: number, b: number) => boolean> = {
  "<": (a, b) => a < b,
  "<=": (a, b) => a <= b,
  "=": (a, b) => a === b,
  ">=": (a, b) => a >= b,
  ">": (a, b) => a > b,
};

function numericMatch(arg: Json, v: Json): boolean {
  if (!Array.isArray(arg) || arg.length === 0 || arg.length % 2 !== 0)
    throw new UnsupportedPattern(`numeric ${JSON.stringify(arg)}`);
  if (typeof v !== "number") return false; // a quoted number is a string, never numeric
  for (let i = 0; i < arg.length; i += 2) {
    const op = NUMERIC_OPS[String(arg[i])];
    const bound = arg[i + 1];
    if (!op || typeof bound !== "number") throw new UnsupportedPattern(`numeric ${JSON.stringify(arg)}`);
    if (!op(v, bound)) return false;
  }
  return true;
}

const strs = (arg: Json, op: string): string[] => {
  const list = Array.isArray(arg) ? arg : [arg];
  if (list.some((x) => typeof x !== "string")) throw new UnsupportedPattern(`${op} ${JSON.stringify(arg)}`);
  return list as string[];
};

/** A string operator (prefix/suffix/equals-ignore-case/wildcard), for itself and inside anything-but. */
function stringOp(op: string, arg: Json, s: string): boolean {
  switch (op) {
    case "prefix":
      if (isObj(arg) && "equals-ignore-case" in arg)
        return strs(arg["equals-ignore-case"], op).some((p) => s.toLowerCase().startsWith(p.toLowerCase()));
      return strs(arg, op).some((p) => s.startsWith(p));
    case "suffix":
      if (isObj(arg) && "equals-ignore-case" in arg)
        return strs(arg["equals-ignore-case"], op).some((p) => s.toLowerCase().endsWith(p.toLowerCase()));
      return strs(arg, op).some((p) => s.endsWith(p));
    case "equals-ignore-case":
      return strs(arg, op).some((p) => s.toLowerCase() === p.toLowerCase());
    case "wildcard":
      return strs(arg, op).some((p) => wildcardRegExp(p).test(s));
    default:
      throw new UnsupportedPattern(op);
  }
}

/** One matcher against one leaf value (exists is handled per field, not per value). */
function matchValue(rule: Json, v: Json): boolean {
  if (!isObj(rule)) return v === rule; // exact: string, number, boolean or null; types never coerce
  const keys = Object.keys(rule);
  if (keys.length !== 1) throw new UnsupportedPattern(JSON.stringify(rule));
  const op = keys[0]!;
  const arg = rule[op];
  switch (op) {
    case "numeric":
      return numericMatch(arg, v);
    case "cidr":
      if (typeof arg !== "string") throw new UnsupportedPattern(`cidr ${JSON.stringify(arg)}`);
      return typeof v === "string" && inCidr(v, arg);
    case "anything-but": {
      if (isObj(arg)) {
        const [inner] = Object.keys(arg);
        // anything-but {prefix|suffix|equals-ignore-case|wildcard}: the string tests only ever match strings.
        return typeof v !== "string" || !stringOp(inner!, arg[inner!], v);
      }
      const list = Array.isArray(arg) ? arg : [arg];
      return !list.some((x) => x === v);
    }
    case "prefix":
    case "suffix":
    case "equals-ignore-case":
    case "wildcard":
      return typeof v === "string" && stringOp(op, arg, v);
    default:
      throw new UnsupportedPattern(op);
  }
}

/** A field's list of matchers: any matches. exists looks at whether the field has any leaf value. */
function matchField(rules: Json[], value: Json, present: boolean): boolean {
  const vals = leaves(value, present);
  return rules.some((rule) => {
    if (isObj(rule) && "exists" in rule) {
      if (typeof rule.exists !== "boolean") throw new UnsupportedPattern(`exists ${JSON.stringify(rule.exists)}`);
      return rule.exists === vals.length > 0;
    }
    return vals.some((v) => matchValue(rule, v));
  });
}

/** A nested pattern against the value at its key: an object, or any object element of an array. */
function matchNested(rule: Obj, value: Json, present: boolean): boolean {
  const objs = objects(value, present);
  // With no object there, every field below is absent: only absence tests (exists: false) can match.
  if (objs.length === 0) return matchObject(rule, {});
  return objs.some((o) => matchObject(rule, o));
}

function matchObject(pattern: Obj, event: Obj): boolean {
  for (const [key, rule] of Object.entries(pattern)) {
    if (key === "$or") {
      if (!Array.isArray(rule) || rule.length < 2 || !rule.every(isObj))
        throw new UnsupportedPattern("$or needs a list of at least two patterns");
      if (!rule.some((alt) => matchObject(alt as Obj, event))) return false;
      continue;
    }
    const present = Object.prototype.hasOwnProperty.call(event, key);
    const value = present ? event[key] : undefined;
    if (Array.isArray(rule)) {
      if (!matchField(rule, value, present)) return false;
    } else if (isObj(rule)) {
      if (!matchNested(rule, value, present)) return false;
    } else {
      throw new UnsupportedPattern(`${key}: a pattern value must be an array or an object`);
    }
  }
  return true;
}

/**
 * True when `event` matches `pattern`. Throws UnsupportedPattern for a pattern EventBridge would refuse
 * or an operator it does not document, so the caller can say "could not check" rather than guess.
 */
export function matchesPattern(pattern: Record<string, Json>, event: Record<string, Json>): boolean {
  if (!isObj(pattern)) throw new UnsupportedPattern("a pattern must be an object");
  return matchObject(pattern, isObj(event) ? event : {});
}

/** A CloudTrail-shaped ECS API call as EventBridge delivers it (used by doctor and the tests). */
export function sampleEcsCallEvent(opts: {
  account: string;
  region: string;
  eventName?: string;
  cluster?: string;
  service?: string;
}): Record<string, unknown> {
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
