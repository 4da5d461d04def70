// What the digest says about each call: the headline from the mix of call kinds, what changed on a
// service, and who did it. Pure. Returns PLAIN text: digest.ts passes it through slackField
// like every other field from an event (docs/untrusted-text.md).
import { callKind, callerInfo, configChanges, type CallerInfo, type ClassifyContext } from "../events/call-kind.js";
import type { ApiCallEvent } from "../events/events.js";
import { plural } from "../text/text.js";

export const DEFAULT_CLUSTER_TEXT = "cluster not given (the default cluster)";

/** Desired count before this call, when an earlier call in the batch set it: eventId → count. */
export function previousDesired(sorted: ApiCallEvent[]): Map<string, number> {
  const last = new Map<string, number>();
  const out = new Map<string, number>();
  for (const e of sorted) {
    if (e.service === undefined || e.desiredCount === undefined) continue;
    const key = `${e.clusterDefaulted ? "" : (e.cluster ?? "")}\u0000${e.service}`;
    const before = last.get(key);
    if (before !== undefined) out.set(e.eventId, before);
    if (e.errorCode === undefined) last.set(key, e.desiredCount);
  }
  return out;
}

export type Direction = "up" | "down" | "same" | "unknown";

/** Scaled up or down: against the desired count an earlier call set, else the running count. */
export function direction(e: ApiCallEvent, before: number | undefined): Direction {
  if (e.desiredCount === undefined) return "unknown";
  const from = before ?? e.runningCount;
  if (from === undefined) return e.desiredCount === 0 ? "down" : "unknown";
  return e.desiredCount < from ? "down" : e.desiredCount > from ? "up" : "same";
}

/** "→ 0 (was running 2)", "desired 3 → 0 (was running 2)". */
function scaleText(e: ApiCallEvent, before: number | undefined): string {
  const state: string[] = [];
  if (e.runningCount !== undefined) state.push(`was running ${e.runningCount}`);
  if (e.pendingCount) state.push(`${e.pendingCount} pending`);
  const tail = state.length ? ` (${state.join(", ")})` : "";
  return before !== undefined ? `: desired ${before} → ${e.desiredCount}${tail}` : ` → ${e.desiredCount}${tail}`;
}

/** "deployed api:42", "forced redeployment", "deployed api:42 (forced)", "changed platformVersion". */
function deployText(e: ApiCallEvent): string {
  const settings = (e.otherChanges ?? []).filter((k) => k === "platformVersion");
  const parts: string[] = [];
  if (e.taskDefinition) parts.push(`deployed ${e.taskDefinition}${e.forceNewDeployment ? " (forced)" : ""}`);
  else if (e.forceNewDeployment) parts.push("forced redeployment");
  if (settings.length) parts.push(`${parts.length ? "with " : "changed "}${settings.join(", ")}`);
  return parts.join(" ");
}

/** What the call changed on the service, plain text starting right after the service name. */
export function changeText(e: ApiCallEvent, before: number | undefined): string {
  const kind = callKind(e);
  const other = configChanges(e);
  const extra = other.length ? `; changed ${other.join(", ")}` : "";
  switch (kind) {
    case "scale":
      return `${scaleText(e, before)}${extra}`;
    case "deploy":
      return `: ${deployText(e)}${extra}`;
    case "scale+deploy":
      return `${scaleText(e, before)}, ${deployText(e)}${extra}`;
    case "config":
      return other.length ? `: changed ${other.join(", ")}` : ": no change requested";
    default:
      return "";
  }
}

/** "role github-deploy", "Application Auto Scaling", "schedule night-stop", "alice@example.com". */
export function callerLabel(info: CallerInfo): string {
  return info.kind === "role" ? `role ${info.name}` : info.name;
}

export function callerOf(e: ApiCallEvent, ctx: ClassifyContext | undefined): CallerInfo {
  return callerInfo(e, ctx);
}

const KIND_WORDS: Record<string, [string, string]> = {
  scheduler: ["schedule call", "schedule calls"],
  autoscaling: ["auto-scaling call", "auto-scaling calls"],
  "deploy-service": ["deploy-service call", "deploy-service calls"],
  person: ["call by a person", "calls by people"],
  role: ["call by a role", "calls by roles"],
  service: ["call by an AWS service", "calls by AWS services"],
  unknown: ["call by an unknown caller", "calls by unknown callers"],
};

/** "5 schedule calls · 1 auto-scaling call · 1 call by a role" (only when the callers are of several kinds). */
export function callerKindSummary(infos: CallerInfo[]): string | undefined {
  const counts = new Map<string, number>();
  for (const i of infos) counts.set(i.kind, (counts.get(i.kind) ?? 0) + 1);
  if (counts.size < 2) return undefined;
  return [...counts.entries()].map(([k, n]) => plural(n, KIND_WORDS[k]![0], KIND_WORDS[k]![1])).join(" · ");
}

/**
 * "ECS: 5 scaled down, 1 deployed, 1 failed". Successful calls by kind (scale calls by direction),
 * then failures of any kind. A non-ECS-only batch reads "AWS: 3 API calls".
 */
export function headlineText(
  sorted: ApiCallEvent[],
  before: Map<string, number>,
  count: (n: number, one: string, many?: string) => string,
): string {
  const n = { down: 0, up: 0, scaled: 0, both: 0, deployed: 0, config: 0, other: 0, failed: 0 };
  for (const e of sorted) {
    if (e.errorCode !== undefined) {
      n.failed++;
      continue;
    }
    const kind = callKind(e);
    if (kind === "scale") {
      const d = direction(e, before.get(e.eventId));
      if (d === "down") n.down++;
      else if (d === "up") n.up++;
      else n.scaled++;
    } else if (kind === "scale+deploy") n.both++;
    else if (kind === "deploy") n.deployed++;
    else if (kind === "config") n.config++;
    else n.other++;
  }
  const parts = [
    n.down && `${count(n.down, "scaled down", "scaled down")}`,
    n.up && `${count(n.up, "scaled up", "scaled up")}`,
    n.scaled && `${count(n.scaled, "scaled", "scaled")}`,
    n.both && `${count(n.both, "deployed and scaled", "deployed and scaled")}`,
    n.deployed && `${count(n.deployed, "deployed", "deployed")}`,
    n.config && `${count(n.config, "reconfigured", "reconfigured")}`,
    n.other && `${count(n.other, "other call", "other calls")}`,
    n.failed && `${count(n.failed, "failed", "failed")}`,
  ].filter(Boolean);
  const sources = new Set(sorted.map((e) => e.eventSource));
  const label = sources.size === 1 && sources.has("ecs.amazonaws.com") ? "ECS" : "AWS";
  // Nothing but other calls: they are the batch's API calls, not "other" than anything.
  if (n.other > 0 && n.other + n.failed === sorted.length) parts[0] = count(n.other, "API call");
  // Several clusters: say how many (each has its own section below).
  const clusters = new Set(
    sorted.filter((e) => e.service !== undefined).map((e) => (e.clusterDefaulted ? "" : (e.cluster ?? ""))),
  ).size;
  return `${label}: ${parts.join(", ")}${clusters > 1 ? ` · ${count(clusters, "cluster")}` : ""}`;
}
