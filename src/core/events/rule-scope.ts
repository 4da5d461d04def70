// Which UpdateService calls the rule sends (config `rule.scope`), as an EventBridge pattern and as the same
// test over normalised events (for `notify dry-run --scope`). Pure. The tests check both agree on every
// fixture, locally and on a real rule (moto). Choices and what they cost in digests: docs/call-kinds.md.
import { AUTOSCALING_ROLE, DEPLOY_FIELDS, callKind } from "./call-kind.js";
import { UsageError } from "../errors.js";
import type { ApiCallEvent } from "./events.js";

export interface RuleScope {
  /** "all": every call of the configured names; "scale": only calls that set desiredCount. */
  calls: "all" | "scale";
  /** Include Application Auto Scaling's calls (its service-linked role). */
  autoScaling: boolean;
  /** Include calls that deploy without setting a count (a call that does both is a scale call and stays). */
  deploys: boolean;
}

export const DEFAULT_SCOPE: RuleScope = { calls: "all", autoScaling: true, deploys: true };

/** The pattern's conditions under `detail` beyond eventSource/eventName; {} for the default scope. */
export function scopeConditions(scope: RuleScope): Record<string, unknown> {
  const detail: Record<string, unknown> = {};
  // No deploy field (forceNewDeployment may be there as false): exists:false on each, with $or for the flag.
  const noDeploy = (extra: Record<string, unknown>) => {
    const absent = Object.fromEntries(
      DEPLOY_FIELDS.filter((f) => f !== "forceNewDeployment").map((f) => [f, [{ exists: false }]]),
    );
    return [
      { ...extra, ...absent, forceNewDeployment: [{ exists: false }] },
      { ...extra, ...absent, forceNewDeployment: [false] },
    ];
  };
  if (scope.calls === "scale") {
    detail.requestParameters = { desiredCount: [{ exists: true }] };
  } else if (!scope.deploys) {
    // Keep scale calls (with or without a deploy) and calls with no deploy field.
    detail.requestParameters = { $or: [{ desiredCount: [{ exists: true }] }, ...noDeploy({})] };
  }
  if (!scope.autoScaling) {
    // anything-but never matches a missing field, so callers without a role (IAM users) need their own branch.
    detail.userIdentity = {
      $or: [
        { sessionContext: { sessionIssuer: { userName: [{ "anything-but": [AUTOSCALING_ROLE] }] } } },
        { sessionContext: { sessionIssuer: { userName: [{ exists: false }] } } },
      ],
    };
  }
  return detail;
}

/** The same test as the pattern, over a normalised event. */
export function inScope(e: ApiCallEvent, scope: RuleScope): boolean {
  const kind = callKind(e);
  if (scope.calls === "scale" && e.desiredCount === undefined) return false;
  if (scope.calls === "all" && !scope.deploys && kind === "deploy") return false;
  if (!scope.autoScaling && e.caller.role === AUTOSCALING_ROLE) return false;
  return true;
}

/** Short text for plan and previews: "every call", "scale calls only, without auto scaling". */
export function describeScope(scope: RuleScope): string {
  const base = scope.calls === "scale" ? "scale calls only (desiredCount given)" : "every call";
  const minus: string[] = [];
  if (scope.calls === "all" && !scope.deploys) minus.push("deploys");
  if (!scope.autoScaling) minus.push("Application Auto Scaling");
  return minus.length ? `${base}, without ${minus.join(" and ")}` : base;
}

/** `--scope all|scale` plus `,no-autoscaling` / `,no-deploys` (e.g. `scale,no-autoscaling`). */
export function parseScope(text: string): RuleScope {
  const scope: RuleScope = { ...DEFAULT_SCOPE };
  for (const raw of text.split(",")) {
    const v = raw.trim();
    if (v === "all" || v === "scale") scope.calls = v;
    else if (v === "no-autoscaling") scope.autoScaling = false;
    else if (v === "no-deploys") scope.deploys = false;
    else if (v !== "")
      throw new UsageError(
        `--scope: unknown part "${v.slice(0, 40)}" (use all or scale, optionally with ,no-autoscaling and ,no-deploys)`,
      );
  }
  return scope;
}
