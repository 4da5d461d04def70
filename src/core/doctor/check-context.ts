// What every doctor checker reads and writes: the gathered state, the remedy that says "apply", and
// the list the checks go into.
import type { Config } from "../setup/config-schema.js";
import { sampleEcsCallEvent } from "../events/event-pattern.js";
import type { LiveState } from "../setup/plan.js";
import { queueArn, ruleArn, type Identity } from "../setup/policies.js";

export type CheckStatus = "pass" | "warn" | "fail";

export interface Check {
  id: string;
  /** The part of the pipeline it belongs to (table grouping). */
  part: "trail" | "rule" | "queue" | "dlq" | "mapping" | "function" | "schedules";
  status: CheckStatus;
  message: string;
  remedy: string;
}

export interface TrailInfo {
  name: string;
  homeRegion?: string;
  multiRegion: boolean;
  logging: boolean;
  /** false when the selectors exclude management write events; undefined when unknown. */
  managementWrites?: boolean;
}

export interface DoctorState {
  config: Config;
  identity: Identity;
  live: LiveState;
  /** undefined: DescribeTrails failed (message in trailError). */
  trails?: TrailInfo[];
  trailError?: string;
  /** TestEventPattern's answer; undefined when the service gave none (moto) or it failed. */
  testEventPattern?: boolean;
  dlqDepth?: { visible: number; inFlight: number };
  /** Secret/parameter named in the deployed function's environment: does it exist? */
  deployedWebhookExists?: boolean;
  /** "cluster/service" → status (ACTIVE, DRAINING, INACTIVE) or "MISSING"; an error string when it could not be read. */
  ecsServices: Record<string, string>;
  /** role ARN → exists / missing / error text. */
  scheduleRoles: Record<string, "exists" | "missing" | string>;
}

/** The event rule.pattern must match: an UpdateService call (or the first configured name without it). */
export function doctorSampleEvent(cfg: Config, id: Identity): Record<string, unknown> {
  const names = cfg.rule.eventNames;
  return sampleEcsCallEvent({
    account: id.account,
    region: id.region,
    eventName: names.includes("UpdateService") ? "UpdateService" : names[0],
  });
}

export interface CheckContext {
  s: DoctorState;
  cfg: Config;
  id: Identity;
  live: LiveState;
  /** What could not be read, per part (the checker warns instead of failing). */
  cannot: NonNullable<LiveState["unreadable"]>;
  /** The remedy for anything `setup apply` fixes (or, with nothing here at all, where to look instead). */
  apply: string;
  qArn: string;
  rArn: string;
  add(part: Check["part"], id: string, status: CheckStatus, message: string, remedy?: string): void;
}

export function checkContext(s: DoctorState, checks: Check[]): CheckContext {
  const { config: cfg, identity: id, live } = s;
  // With nothing of the pipeline here at all, the likely cause is the wrong region or account:
  // pushing `setup apply` would build a second pipeline there.
  const unread = live.unreadable ?? {};
  const nothingHere =
    !live.rule && !live.queue && !live.dlq && !live.function && !live.mapping && !unread.rule && !unread.queue;
  const apply = nothingHere
    ? `nothing of the pipeline is in region ${id.region}, account ${id.account}: if it is deployed elsewhere pass --region (or fix AWS_REGION / --profile); to deploy here, start with \`traildigest setup plan\``
    : "run `traildigest setup apply`";
  return {
    s,
    cfg,
    id,
    live,
    cannot: unread,
    apply,
    qArn: queueArn(id, cfg.queue.name),
    rArn: ruleArn(id, cfg.rule.name),
    add: (part, id, status, message, remedy = "") =>
      checks.push({ id, part, status, message, remedy: status === "pass" ? "" : remedy }),
  };
}
