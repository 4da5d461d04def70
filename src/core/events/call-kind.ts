// What an ECS call did (call kind) and who made it (caller kind), from the CloudTrail record alone.
// Pure: no I/O. The digest, the rule scope, `trail recent` and `schedules audit` all read these,
// so one call is told the same way everywhere. Sources for each rule: docs/call-kinds.md.
import { UsageError } from "../errors.js";
import type { ApiCallEvent, Caller } from "./events.js";

/**
 * scale: desiredCount given, nothing deployed · deploy: a new task definition, forceNewDeployment or a
 * new platform version, no desiredCount · scale+deploy: both · config: another change (network, capacity
 * providers, placement…) or none · other: not an UpdateService call. A failed call keeps the kind it asked for.
 */
export const CALL_KINDS = ["scale", "deploy", "scale+deploy", "config", "other"] as const;
export type CallKind = (typeof CALL_KINDS)[number];

/**
 * scheduler: EventBridge Scheduler through a schedule's execution role · autoscaling: Application Auto
 * Scaling's service-linked role · deploy-service: CloudFormation, CodeDeploy, CodePipeline · person: IAM
 * Identity Center, IAM users, root, console sessions · role: any other role (CI, Terraform, scripts) ·
 * service: another AWS service · unknown.
 */
export const CALLER_KINDS = [
  "scheduler",
  "autoscaling",
  "deploy-service",
  "person",
  "role",
  "service",
  "unknown",
] as const;
export type CallerKind = (typeof CALLER_KINDS)[number];

/** Request fields that start a new deployment in the sense of this tool (ECS API_UpdateService). */
// Leaf fields only: an event pattern can test a leaf's absence but not an object's (exists works on leaves),
// so deploymentConfiguration (an object, and a setting that deploys nothing by itself) is a config change.
export const DEPLOY_FIELDS = ["taskDefinition", "forceNewDeployment", "platformVersion"] as const;

/** Application Auto Scaling's service-linked role for ECS (ECS developer guide, auto-scaling-IAM). */
export const AUTOSCALING_ROLE = "AWSServiceRoleForApplicationAutoScaling_ECSService";
export const AUTOSCALING_PRINCIPAL = "ecs.application-autoscaling.amazonaws.com";
export const SCHEDULER_PRINCIPAL = "scheduler.amazonaws.com";

const DEPLOY_SERVICES: Record<string, string> = {
  "cloudformation.amazonaws.com": "CloudFormation",
  "codedeploy.amazonaws.com": "CodeDeploy",
  "codepipeline.amazonaws.com": "CodePipeline",
};

/** A schedule the caller may be (from the config or the live schedules): matched by role and target. */
export interface KnownSchedule {
  name: string;
  /** Execution role ARN or name. */
  roleArn: string;
  cluster?: string;
  service?: string;
  /** The count the schedule sets: tells a stop from a start of the same target by the same role. */
  desiredCount?: number;
  /** Schedule group ("default" when not given): names are unique only within a group. */
  group?: string;
}

export interface ClassifyContext {
  schedules?: readonly KnownSchedule[];
  /** Execution roles known to be schedules' when their schedules are not (TRAILDIGEST_SCHEDULES over its budget). */
  schedulerRoles?: readonly string[];
}

export interface CallerInfo {
  kind: CallerKind;
  /** What a person reads: "schedule night-stop", "Application Auto Scaling", "alice@example.com", "github-deploy". */
  name: string;
}

function isDeploy(e: ApiCallEvent): boolean {
  return (
    e.taskDefinition !== undefined ||
    e.forceNewDeployment === true ||
    (e.otherChanges ?? []).some((k) => (DEPLOY_FIELDS as readonly string[]).includes(k))
  );
}

export function callKind(e: ApiCallEvent): CallKind {
  if (e.eventName !== "UpdateService") return "other";
  const scale = e.desiredCount !== undefined;
  const deploy = isDeploy(e);
  if (scale && deploy) return "scale+deploy";
  if (scale) return "scale";
  if (deploy) return "deploy";
  return "config";
}

/** Configuration fields the call changed that are neither scaling nor deploying (sorted). */
export function configChanges(e: ApiCallEvent): string[] {
  return (e.otherChanges ?? []).filter((k) => !(DEPLOY_FIELDS as readonly string[]).includes(k));
}

const roleName = (arnOrName: string): string => arnOrName.slice(arnOrName.lastIndexOf("/") + 1);

/** "AWSReservedSSO_AdministratorAccess_0123456789abcdef" → "AdministratorAccess" (the permission set). */
function permissionSet(role: string): string | undefined {
  const m = /^AWSReservedSSO_(.+?)(?:_[0-9a-f]{16})?$/.exec(role);
  return m ? m[1] : undefined;
}

/** The AWS service named by invokedBy, userAgent or sourceIPAddress, if any. */
function viaService(c: Caller): string | undefined {
  return c.invokedBy ?? c.via;
}

export function callerInfo(e: ApiCallEvent, ctx: ClassifyContext = {}): CallerInfo {
  const c = e.caller;
  const via = viaService(c);
  const role = c.role;
  // Application Auto Scaling: its service-linked role, or the service named as the invoker.
  if (role === AUTOSCALING_ROLE || via === AUTOSCALING_PRINCIPAL)
    return { kind: "autoscaling", name: "Application Auto Scaling" };
  // EventBridge Scheduler: a schedule's execution role (the record names the role, not the schedule).
  const mine = role ? (ctx.schedules ?? []).filter((s) => roleName(s.roleArn) === role) : [];
  const knownRole = role !== undefined && (ctx.schedulerRoles ?? []).includes(role);
  if (mine.length > 0 || knownRole || via === SCHEDULER_PRINCIPAL) {
    // Same target, and the count the call set (a stop and a start of one service often share a role).
    const exact = mine.filter(
      (s) =>
        (s.cluster === undefined || s.cluster === e.cluster) &&
        (s.service === undefined || s.service === e.service) &&
        (s.desiredCount === undefined || e.desiredCount === undefined || s.desiredCount === e.desiredCount),
    );
    const keys = new Map(exact.map((s) => [`${s.group ?? "default"}/${s.name}`, s.name]));
    if (keys.size === 1) return { kind: "scheduler", name: `schedule ${[...keys.values()][0]}` };
    return { kind: "scheduler", name: role ? `EventBridge Scheduler (role ${role})` : "EventBridge Scheduler" };
  }
  if (via && DEPLOY_SERVICES[via]) {
    const svc = DEPLOY_SERVICES[via];
    return { kind: "deploy-service", name: role ? `${svc} (role ${role})` : svc };
  }
  const consoleTag = c.console ? " (console)" : "";
  switch (c.type) {
    case "IAMUser":
    case "Root":
    case "IdentityCenterUser":
    case "FederatedUser":
      return { kind: "person", name: `${c.name}${consoleTag}` };
    case "AssumedRole": {
      const set = role ? permissionSet(role) : undefined;
      if (set) return { kind: "person", name: `${c.session ?? c.name} (${set}${c.console ? ", console" : ""})` };
      if ((c.session ?? c.name).includes("@") || c.console)
        return { kind: "person", name: `${c.session ?? c.name}${consoleTag}` };
      return { kind: "role", name: role ?? c.name };
    }
    case "AWSService":
      return { kind: "service", name: c.invokedBy ?? c.name };
    default:
      return c.name && c.name !== "unknown"
        ? { kind: "role", name: c.name }
        : { kind: "unknown", name: "unknown caller" };
  }
}

/** `--kind` values: a call kind, or "failed" for failed attempts of any kind. */
export function parseKinds(list: string, flag = "--kind"): Set<string> {
  return parseList(list, [...CALL_KINDS, "failed"], flag);
}
export function parseCallerKinds(list: string, flag = "--caller-kind"): Set<string> {
  return parseList(list, CALLER_KINDS, flag);
}
function parseList(list: string, allowed: readonly string[], flag: string): Set<string> {
  const out = new Set<string>();
  for (const raw of list.split(",")) {
    const v = raw.trim();
    if (!v) continue;
    if (!allowed.includes(v))
      throw new UsageError(`${flag}: unknown value "${v.slice(0, 40)}" (use ${allowed.join(", ")})`);
    out.add(v);
  }
  if (out.size === 0) throw new UsageError(`${flag}: give at least one of ${allowed.join(", ")}`);
  return out;
}

/** Keep the events whose kind and caller kind were asked for (either filter may be absent). */
export function filterByKind(
  events: ApiCallEvent[],
  kinds: Set<string> | undefined,
  callerKinds: Set<string> | undefined,
  ctx: ClassifyContext = {},
): ApiCallEvent[] {
  return events.filter((e) => {
    if (kinds && !(kinds.has(callKind(e)) || (kinds.has("failed") && e.errorCode !== undefined))) return false;
    if (callerKinds && !callerKinds.has(callerInfo(e, ctx).kind)) return false;
    return true;
  });
}

/** One predicate for --kind / --caller-kind, or undefined when neither was given. */
export function kindFilter(
  kind: string | undefined,
  callerKind: string | undefined,
  ctx: ClassifyContext = {},
): ((e: ApiCallEvent) => boolean) | undefined {
  const kinds = kind !== undefined ? parseKinds(kind) : undefined;
  const callers = callerKind !== undefined ? parseCallerKinds(callerKind) : undefined;
  if (!kinds && !callers) return undefined;
  return (e) => filterByKind([e], kinds, callers, ctx).length === 1;
}

export const KIND_HELP = `call kind: ${[...CALL_KINDS, "failed"].join(", ")} (comma-separated)`;
export const CALLER_KIND_HELP = `caller kind: ${CALLER_KINDS.join(", ")} (comma-separated)`;
