// Executors for schedule groups and schedules. UpdateSchedule replaces the whole definition: send all of it.
import type { ScheduleConfig } from "../../../core/setup/config-schema.js";
import { desiredSchedule } from "../../../core/setup/plan.js";
import { scopePartition } from "../../../core/aws/arn.js";
import { sdk } from "../live-state.js";
import type { Executor } from "./context.js";

/** "group/name" → [group, name]. */
function splitScheduleName(full: string): [string, string] {
  const i = full.indexOf("/");
  return [full.slice(0, i), full.slice(i + 1)];
}

export const applyScheduleGroup: Executor = async (item, ctx) => {
  const { CreateScheduleGroupCommand } = await sdk.scheduler();
  const sch = await ctx.client("scheduler");
  await sch.send(new CreateScheduleGroupCommand({ Name: item.name }));
  ctx.done({ resource: "schedule-group", name: item.name, action: "create" });
};

function scheduleDefinition(s: ScheduleConfig, partition: string) {
  const d = desiredSchedule(s, partition);
  return {
    Name: s.name,
    GroupName: s.group,
    ScheduleExpression: d.expression,
    ScheduleExpressionTimezone: d.timezone,
    State: s.state,
    Description: d.description,
    FlexibleTimeWindow: s.flexibleWindowMinutes
      ? { Mode: "FLEXIBLE" as const, MaximumWindowInMinutes: s.flexibleWindowMinutes }
      : { Mode: "OFF" as const },
    Target: {
      Arn: d.targetArn,
      RoleArn: s.roleArn,
      Input: JSON.stringify(d.input),
      RetryPolicy: {
        MaximumRetryAttempts: s.retryPolicy.maximumRetryAttempts,
        MaximumEventAgeInSeconds: s.retryPolicy.maximumEventAgeSeconds,
      },
      ...(s.deadLetterArn ? { DeadLetterConfig: { Arn: s.deadLetterArn } } : {}),
    },
  };
}

export const applySchedule: Executor = async (item, ctx) => {
  const { CreateScheduleCommand, DeleteScheduleCommand, UpdateScheduleCommand } = await sdk.scheduler();
  const sch = await ctx.client("scheduler");
  const [group, name] = splitScheduleName(item.name);
  if (item.action === "delete") {
    await sch.send(new DeleteScheduleCommand({ Name: name, GroupName: group }));
    ctx.done({ resource: "schedule", name: item.name, action: "delete" });
    return;
  }
  const def = scheduleDefinition(
    ctx.cfg.schedules.find((x) => x.group === group && x.name === name)!,
    scopePartition(ctx.id),
  );
  if (item.action === "create") await sch.send(new CreateScheduleCommand(def));
  else await sch.send(new UpdateScheduleCommand(def));
  ctx.done({ resource: "schedule", name: item.name, action: item.action === "create" ? "create" : "update" });
};
