// Doctor's checker for the configured schedules: each exists, its ECS service is there, its role exists, it retries.
import type { CheckContext } from "./check-context.js";

/** One set of checks per configured schedule. */
export function checkSchedules(ctx: CheckContext): void {
  const { s, cfg, live, cannot, apply, add } = ctx;
  for (const sc of cfg.schedules) {
    const l = live.schedules.find((x) => x.name === sc.name && x.group === sc.group);
    // Names repeat across groups: a non-default group is part of the id (the default group keeps `schedule.<name>`).
    const key = sc.group === "default" ? `schedule.${sc.name}` : `schedule.${sc.group}/${sc.name}`;
    if (cannot.schedules) {
      add(
        "schedules",
        `${key}.exists`,
        "warn",
        `could not read schedules: ${cannot.schedules}`,
        "grant scheduler:ListScheduleGroups, scheduler:ListSchedules and scheduler:GetSchedule",
      );
      continue;
    }
    if (!l) {
      add("schedules", `${key}.exists`, "fail", `schedule ${sc.group}/${sc.name} not found`, apply);
      continue;
    }
    const input = (l.input ?? {}) as Record<string, unknown>;
    const cluster = String(input.Cluster ?? input.cluster ?? sc.cluster);
    const service = String(input.Service ?? input.service ?? sc.service);
    const svc = s.ecsServices[`${cluster}/${service}`];
    if (svc === "ACTIVE") add("schedules", `${key}.service`, "pass", `ECS service ${cluster}/${service} is ACTIVE`);
    else if (svc === "MISSING" || svc === "INACTIVE")
      add(
        "schedules",
        `${key}.service`,
        "fail",
        `ECS service ${cluster}/${service} ${svc === "MISSING" ? "not found" : "is INACTIVE"}: every run will fail`,
        "fix cluster/service in the config and apply, or delete the schedule",
      );
    else
      add(
        "schedules",
        `${key}.service`,
        "warn",
        `ECS service ${cluster}/${service}: ${svc ?? "not checked"}`,
        "grant ecs:DescribeServices to check",
      );
    if (!l.roleArn) add("schedules", `${key}.role`, "fail", "schedule has no execution role", apply);
    else {
      const r = s.scheduleRoles[l.roleArn];
      if (r === "missing")
        add(
          "schedules",
          `${key}.role`,
          "fail",
          `role ${l.roleArn} does not exist`,
          "create the role (trust scheduler.amazonaws.com, allow ecs:UpdateService) or fix roleArn",
        );
      else if (r === "exists" || r === undefined)
        add("schedules", `${key}.role`, "pass", `runs as ${l.roleArn.split("/").pop()}`);
      else add("schedules", `${key}.role`, "warn", `role ${l.roleArn}: ${r}`, "grant iam:GetRole to check");
    }
    const rp = l.retryPolicy;
    if (!rp || !rp.maximumRetryAttempts)
      add(
        "schedules",
        `${key}.retry`,
        "warn",
        "no retries: a throttled or failed call is not retried",
        `set retryPolicy.maximumRetryAttempts above 0 and ${apply}`,
      );
    else
      add(
        "schedules",
        `${key}.retry`,
        "pass",
        `${rp.maximumRetryAttempts} retries within ${rp.maximumEventAgeSeconds ?? "?"} s${l.deadLetterArn ? ", DLQ set" : ""}`,
      );
  }
}
