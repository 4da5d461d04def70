// `schedules list` and `schedules show`: read EventBridge Scheduler schedules and decode them into views
// with their next fire times. Rendering is cli/render/schedules.ts.
import { parseFromArg } from "../core/time/duration.js";
import { UsageError } from "../core/errors.js";
import {
  decodeSchedule,
  decodeScheduleDetail,
  sortByNextFire,
  type ScheduleDetail,
  type ScheduleView,
} from "../core/schedule/schedules.js";
import { say, type Reporter } from "./report.js";
import type { RunContext } from "./run-context.js";

export interface CommonOpts {
  next: number;
  from?: string;
}
export interface ListOpts extends CommonOpts {
  group?: string;
  prefix?: string;
  state?: string;
  concurrency: number;
}
export interface ShowOpts extends CommonOpts {
  group?: string;
}

function parseState(state: string | undefined): "ENABLED" | "DISABLED" | undefined {
  if (state === undefined) return undefined;
  const s = state.toUpperCase();
  if (s !== "ENABLED" && s !== "DISABLED") throw new UsageError(`--state: "${state}" is not one of ENABLED, DISABLED`);
  return s;
}

export type Listed =
  | { schedules: ScheduleView[]; from: Date; lookedIn?: undefined }
  | { schedules: ScheduleView[]; from: Date; lookedIn: { region?: string; account?: string } };

export async function listSchedules(ctx: RunContext, o: ListOpts): Promise<Listed> {
  const from = parseFromArg(o.from, new Date(ctx.clock.now()));
  const state = parseState(o.state);
  const [{ awsClient, whereLooked }, { fetchSchedules }, { nextFires }] = await Promise.all([
    import("../adapters/aws/clients.js"),
    import("../adapters/aws/scheduler.js"),
    import("../core/schedule/schedule-expression.js"),
  ]);
  const client = await awsClient("scheduler", ctx.opts);
  const spin = say(ctx.report).progress("listing schedules…");
  let raws;
  try {
    raws = await fetchSchedules(client, {
      group: o.group,
      prefix: o.prefix,
      state,
      concurrency: o.concurrency,
      onProgress: (done, total) => spin.update(`reading schedules ${done}/${total}…`),
    });
  } finally {
    spin.stop();
  }
  const schedules = sortByNextFire(raws.map((r) => decodeSchedule(r, { from, count: o.next, nextFires })));
  warnUnreadable(schedules, ctx.report);
  // Nothing found is most often the wrong region or account: say which were searched.
  if (schedules.length === 0) return { schedules, from, lookedIn: await whereLooked(ctx.opts) };
  return { schedules, from };
}

export async function showSchedule(
  ctx: RunContext,
  name: string,
  o: ShowOpts,
): Promise<{ schedule: ScheduleDetail; from: Date }> {
  const from = parseFromArg(o.from, new Date(ctx.clock.now()));
  const [{ awsClient, describeWhere }, { findSchedule }, { nextFires }] = await Promise.all([
    import("../adapters/aws/clients.js"),
    import("../adapters/aws/scheduler.js"),
    import("../core/schedule/schedule-expression.js"),
  ]);
  // `schedules list` prints group/name outside the default group; take that back (names cannot hold "/").
  const ref = splitScheduleRef(name, o.group);
  const client = await awsClient("scheduler", ctx.opts);
  const found = await findSchedule(client, ref.name, ref.group);
  if (!found.schedule) {
    if (found.groups.length > 1) {
      throw new UsageError(
        `schedule "${ref.name}" exists in groups ${found.groups.join(", ")}: name one, e.g. ${found.groups[0]}/${ref.name} or --group ${found.groups[0]}`,
      );
    }
    const where = `looked in ${await describeWhere(ctx.opts)}`;
    throw new UsageError(
      `schedule "${ref.name}" not found${ref.group ? ` in group "${ref.group}"` : " in any group"} (${where}; \`traildigest schedules list\` shows what is there)`,
    );
  }
  if (!ref.group && found.groups.length > 1) {
    const others = found.groups.filter((g) => g !== "default");
    say(ctx.report).warn(
      `showing the default group's "${ref.name}"; also in ${others.map((g) => `${g}/${ref.name}`).join(", ")}`,
    );
  }
  const schedule = decodeScheduleDetail(found.schedule, { from, count: o.next, nextFires });
  warnUnreadable([schedule], ctx.report);
  return { schedule, from };
}

/** "night/worker-down" → group night; "worker-down" → the --group (or every group). */
export function splitScheduleRef(ref: string, group: string | undefined): { name: string; group?: string } {
  const slash = ref.indexOf("/");
  if (slash < 0) return { name: ref, group };
  const g = ref.slice(0, slash);
  const n = ref.slice(slash + 1);
  if (!g || !n || n.includes("/")) throw new UsageError(`schedule "${ref}": expected NAME or GROUP/NAME`);
  if (group !== undefined && group !== g)
    throw new UsageError(`schedule "${ref}" names group "${g}" but --group is "${group}"`);
  return { name: n, group: g };
}

function warnUnreadable(views: ScheduleView[], reporter: Reporter): void {
  for (const v of views) {
    if (v.nextFiresError) say(reporter).warn(`${v.group}/${v.name}: no next fire times (${v.nextFiresError})`);
  }
}
