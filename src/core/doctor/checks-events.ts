// Doctor's checkers for the event side: the trail that turns API calls into events, and the rule that
// picks the ECS calls and sends them to the queue.
import { UnsupportedPattern, matchesPattern } from "../events/event-pattern.js";
import { describeScope } from "../events/rule-scope.js";
import { canonicalJson, rulePattern } from "../setup/policies.js";
import { doctorSampleEvent, type CheckContext } from "./check-context.js";

/** A trail covering the region, logging management write events. */
export function checkTrail(ctx: CheckContext): void {
  const { s, id, add } = ctx;
  if (!s.trails) {
    add(
      "trail",
      "trail.logging",
      "warn",
      `could not list trails: ${s.trailError ?? "unknown error"}`,
      "grant cloudtrail:DescribeTrails and cloudtrail:GetTrailStatus, then rerun",
    );
  } else {
    const covering = s.trails.filter((t) => t.multiRegion || t.homeRegion === id.region);
    const logging = covering.filter((t) => t.logging);
    const good = logging.filter((t) => t.managementWrites !== false);
    if (good.length) {
      add("trail", "trail.logging", "pass", `trail ${good[0]!.name} logs management write events in ${id.region}`);
    } else if (logging.length) {
      add(
        "trail",
        "trail.logging",
        "warn",
        `trail ${logging[0]!.name} is logging but its selectors exclude management write events`,
        "include management events with ReadWriteType All or WriteOnly (aws cloudtrail put-event-selectors)",
      );
    } else if (covering.length) {
      add(
        "trail",
        "trail.logging",
        "fail",
        `trail ${covering[0]!.name} covers ${id.region} but is not logging: EventBridge receives no API-call events`,
        `aws cloudtrail start-logging --name ${covering[0]!.name}`,
      );
    } else {
      add(
        "trail",
        "trail.logging",
        "fail",
        `no trail covers ${id.region}: EventBridge receives no "AWS API Call via CloudTrail" events without one`,
        "create a multi-region trail that logs management events and start it (aws cloudtrail create-trail … && aws cloudtrail start-logging …)",
      );
    }
  }
}

/** Does the live pattern match an ECS call? TestEventPattern's answer, else the local matcher. */
function checkRulePattern(ctx: CheckContext, rule: NonNullable<CheckContext["live"]["rule"]>): void {
  const { s, cfg, id, apply, add } = ctx;
  const sample = doctorSampleEvent(cfg, id);
  const callName = String((sample.detail as { eventName: string }).eventName);
  let matches: boolean | undefined = s.testEventPattern;
  let how = "TestEventPattern";
  if (matches === undefined) {
    how = "local matcher";
    try {
      matches =
        rule.pattern && typeof rule.pattern === "object"
          ? matchesPattern(rule.pattern as Record<string, unknown>, sample)
          : false;
    } catch (err) {
      if (!(err instanceof UnsupportedPattern)) throw err;
    }
  }
  if (matches === undefined)
    add(
      "rule",
      "rule.pattern",
      "warn",
      `could not evaluate the pattern (unsupported operator); TestEventPattern gave no answer`,
      apply,
    );
  else
    add(
      "rule",
      "rule.pattern",
      matches ? "pass" : "fail",
      matches
        ? `pattern matches an ECS ${callName} call (${how})`
        : `pattern does not match an ECS ${callName} call (${how}): ${JSON.stringify(rule.pattern)}`,
      apply,
    );
}

/** The queue is the rule's target, without a RoleArn. */
function checkRuleTarget(ctx: CheckContext): void {
  const { cfg, live, apply, add, qArn } = ctx;
  const t = live.targets.find((x) => x.arn === qArn);
  if (!t)
    add(
      "rule",
      "rule.target",
      "fail",
      `rule does not target queue ${cfg.queue.name}${live.targets.length ? ` (targets: ${live.targets.map((x) => x.arn).join(", ")})` : ""}`,
      apply,
    );
  else if (t.roleArn)
    add(
      "rule",
      "rule.target",
      "warn",
      `the queue target has RoleArn ${t.roleArn}: SQS delivery may fail with a role`,
      `${apply} (it removes the RoleArn)`,
    );
  else add("rule", "rule.target", "pass", `rule targets queue ${cfg.queue.name}`);
}

/** The rule: exists, enabled, matches an ECS call, is the configured scope, targets the queue. */
export function checkRule(ctx: CheckContext): void {
  const { cfg, live, cannot, apply, add } = ctx;
  const rule = live.rule;
  if (cannot.rule) {
    add(
      "rule",
      "rule.exists",
      "warn",
      `could not read the rule: ${cannot.rule}`,
      "grant events:DescribeRule and events:ListTargetsByRule",
    );
  } else if (!rule) {
    add("rule", "rule.exists", "fail", `rule ${cfg.rule.name} not found on the default bus`, apply);
  } else {
    add("rule", "rule.exists", "pass", `rule ${cfg.rule.name} exists`);
    add(
      "rule",
      "rule.enabled",
      rule.state.startsWith("ENABLED") ? "pass" : "fail",
      `rule state is ${rule.state}`,
      `aws events enable-rule --name ${cfg.rule.name}`,
    );
    checkRulePattern(ctx, rule);
    // The live pattern must be the configured scope's, or the team gets more (or fewer) digests than it chose.
    const want = rulePattern(cfg.rule.eventNames, cfg.rule.scope);
    const same = canonicalJson(rule.pattern ?? null) === canonicalJson(want);
    add(
      "rule",
      "rule.scope",
      same ? "pass" : "fail",
      same
        ? `pattern is the configured scope: ${describeScope(cfg.rule.scope)}`
        : `pattern is not the configured scope (${describeScope(cfg.rule.scope)}): live ${JSON.stringify(rule.pattern)}`,
      apply,
    );
    checkRuleTarget(ctx);
  }
}
