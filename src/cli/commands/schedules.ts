// `traildigest schedules`: EventBridge Scheduler schedules: what scales what, and when.
import type { Command } from "commander";
import { action, intOption, type Ctx } from "./action.js";
import { registerAudit } from "./audit.js";
import { UsageError } from "../../core/errors.js";
import type { CommandResult, Ui } from "../output/output.js";
import { formatRelative, parseFromArg } from "../../core/time/duration.js";
import { formatInZone } from "../../core/time/zoned-time.js";
import {
  decodeSchedule,
  decodeScheduleDetail,
  describeTarget,
  sortByNextFire,
  type NextFiresFn,
  type ScheduleDetail,
  type ScheduleView,
} from "../../core/schedule/schedules.js";
import { plural } from "../../core/text/text.js";

interface CommonOpts {
  next: number;
  from?: string;
}
interface ListOpts extends CommonOpts {
  group?: string;
  prefix?: string;
  state?: string;
  concurrency: number;
}
interface ShowOpts extends CommonOpts {
  group?: string;
}

export function register(program: Command): void {
  const group = program
    .command("schedules")
    .description("EventBridge Scheduler schedules: what scales what, and when")
    .addHelpText(
      "after",
      `
Examples:
  $ traildigest schedules list                              every group, soonest fire first
  $ traildigest schedules list --group night --next 5 --json
  $ traildigest schedules show nestjs-night-down            target input, role, retry policy, next fires
  $ traildigest schedules show night/worker-night-down      GROUP/NAME, as \`schedules list\` prints it
  $ traildigest schedules audit --since 24h                 did every scheduled scale happen? (exit 1 if not)`,
    );

  group
    .command("list")
    .description("every schedule with its target and next fire times, soonest first")
    .option("--group <name>", "only this schedule group (default: all groups)")
    .option("--prefix <prefix>", "only schedules whose name starts with this")
    .option("--state <state>", "ENABLED or DISABLED")
    .option("--next <n>", "next fire times per schedule", intOption("--next", { min: 0, max: 100 }), 3)
    .option("--from <iso>", "compute fire times after this ISO time (default: now)")
    .option("--concurrency <n>", "parallel GetSchedule calls", intOption("--concurrency", { max: 50 }), 8)
    .addHelpText(
      "after",
      "\nListSchedules returns summaries only, so each schedule is read with GetSchedule (bounded, throttling retried).",
    )
    .action(action(list));

  group
    .command("show <name>")
    .description("one schedule in full: target input, role, retry policy, dead-letter queue, next fires")
    .option("--group <name>", "schedule group (default: search all groups)")
    .option("--next <n>", "next fire times", intOption("--next", { min: 0, max: 100 }), 5)
    .option("--from <iso>", "compute fire times after this ISO time (default: now)")
    .action(action(show));

  // `schedules audit` (expected fires vs CloudTrail calls): src/cli/commands/audit.ts.
  registerAudit(group);
}

function parseState(state: string | undefined): "ENABLED" | "DISABLED" | undefined {
  if (state === undefined) return undefined;
  const s = state.toUpperCase();
  if (s !== "ENABLED" && s !== "DISABLED") throw new UsageError(`--state: "${state}" is not one of ENABLED, DISABLED`);
  return s;
}

async function loadNextFires(): Promise<NextFiresFn> {
  return (await import("../../core/schedule/schedule-expression.js")).nextFires;
}

async function list({ opts, ui }: Ctx, o: ListOpts): Promise<CommandResult> {
  const from = parseFromArg(o.from);
  const state = parseState(o.state);
  const [{ awsClient, whereLooked }, { fetchSchedules }, nextFires] = await Promise.all([
    import("../../adapters/aws/clients.js"),
    import("../../adapters/aws/scheduler.js"),
    loadNextFires(),
  ]);
  const client = await awsClient("scheduler", opts);
  const spin = ui.spinner("listing schedules…");
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
  warnUnreadable(schedules, ui);
  if (schedules.length === 0) {
    // Nothing found is most often the wrong region or account: say which were searched.
    const lookedIn = await whereLooked(opts);
    const where = [lookedIn.region && `region ${lookedIn.region}`, lookedIn.account && `account ${lookedIn.account}`].filter(Boolean).join(", ");
    return {
      data: { schedules, lookedIn },
      render: () => `No schedules found${where ? ` in ${where}` : ""}${o.group ? ` (group ${o.group})` : ""}; check --region / AWS_REGION and the profile.`,
    };
  }
  return { data: { schedules }, render: (_d, u) => renderList(schedules, u, from) };
}

async function show({ opts, ui }: Ctx, name: string, o: ShowOpts): Promise<CommandResult> {
  const from = parseFromArg(o.from);
  const [{ awsClient, describeWhere }, { findSchedule }, nextFires] = await Promise.all([
    import("../../adapters/aws/clients.js"),
    import("../../adapters/aws/scheduler.js"),
    loadNextFires(),
  ]);
  // `schedules list` prints group/name outside the default group; take that back (names cannot hold "/").
  const ref = splitScheduleRef(name, o.group);
  const client = await awsClient("scheduler", opts);
  const found = await findSchedule(client, ref.name, ref.group);
  if (!found.schedule) {
    if (found.groups.length > 1) {
      throw new UsageError(
        `schedule "${ref.name}" exists in groups ${found.groups.join(", ")}: name one, e.g. ${found.groups[0]}/${ref.name} or --group ${found.groups[0]}`,
      );
    }
    const where = `looked in ${await describeWhere(opts)}`;
    throw new UsageError(
      `schedule "${ref.name}" not found${ref.group ? ` in group "${ref.group}"` : " in any group"} (${where}; \`traildigest schedules list\` shows what is there)`,
    );
  }
  if (!ref.group && found.groups.length > 1) {
    const others = found.groups.filter((g) => g !== "default");
    ui.warn(`showing the default group's "${ref.name}"; also in ${others.map((g) => `${g}/${ref.name}`).join(", ")}`);
  }
  const schedule = decodeScheduleDetail(found.schedule, { from, count: o.next, nextFires });
  warnUnreadable([schedule], ui);
  return { data: { schedule }, render: (_d, u) => renderShow(schedule, u, from) };
}

/** "night/worker-down" → group night; "worker-down" → the --group (or every group). */
export function splitScheduleRef(ref: string, group: string | undefined): { name: string; group?: string } {
  const slash = ref.indexOf("/");
  if (slash < 0) return { name: ref, group };
  const g = ref.slice(0, slash);
  const n = ref.slice(slash + 1);
  if (!g || !n || n.includes("/")) throw new UsageError(`schedule "${ref}": expected NAME or GROUP/NAME`);
  if (group !== undefined && group !== g) throw new UsageError(`schedule "${ref}" names group "${g}" but --group is "${group}"`);
  return { name: n, group: g };
}

function warnUnreadable(views: ScheduleView[], ui: Ui): void {
  for (const v of views) {
    if (v.nextFiresError) ui.warn(`${v.group}/${v.name}: no next fire times (${v.nextFiresError})`);
  }
}

function nextCell(v: ScheduleView, now: Date, ui: Ui): string {
  const first = v.nextFires[0];
  if (!first) {
    if (v.state !== "ENABLED") return ui.c.dim("— (disabled)");
    return ui.c.dim(v.nextFiresError ? "— (unreadable expression)" : "— (no more fires)");
  }
  return `${formatInZone(first, v.timezone)} ${ui.c.dim(`(${formatRelative(new Date(first), now)})`)}`;
}

function renderList(schedules: ScheduleView[], ui: Ui, now: Date): string {
  if (schedules.length === 0) return "No schedules found.";
  const table = ui.table({
    head: ["schedule", "state", "expression (zone)", "next fire", "target"],
    keep: [0], // `schedules show` takes this name back
    rows: schedules.map((v) => [
      v.group === "default" ? v.name : `${v.group}/${v.name}`,
      v.state === "ENABLED" ? ui.c.green(v.state) : ui.c.yellow(v.state),
      `${v.expression} ${ui.c.dim(v.timezone)}${v.flexibleWindowMinutes ? ui.c.dim(` +${v.flexibleWindowMinutes}m window`) : ""}`,
      nextCell(v, now, ui),
      describeTarget(v.target),
    ]),
  });
  const enabled = schedules.filter((s) => s.state === "ENABLED").length;
  return `${table}\n${plural(schedules.length, "schedule")} (${enabled} enabled); times in each schedule's zone.`;
}

function renderShow(s: ScheduleDetail, ui: Ui, now: Date): string {
  const t = s.target;
  const rows: [string, string][] = [
    ["name", s.group === "default" ? s.name : `${s.group}/${s.name}`],
    ["state", s.state],
    ["expression", `${s.expression} (${s.timezone})`],
    ["flexible window", s.flexibleWindowMinutes ? `${s.flexibleWindowMinutes} min` : "off"],
    ["start / end", `${s.startDate ?? "—"} / ${s.endDate ?? "—"}`],
    ["target", `${t.kind}  ${t.arn}`],
  ];
  if (t.service) rows.push(["scales", describeTarget(t)]);
  rows.push(["input", s.input ?? "—"]);
  rows.push(["role", s.roleArn ?? "—"]);
  rows.push([
    "retry policy",
    s.retryPolicy
      ? `${s.retryPolicy.maximumRetryAttempts ?? "?"} attempts, max event age ${s.retryPolicy.maximumEventAgeInSeconds ?? "?"} s`
      : "—",
  ]);
  rows.push(["dead-letter queue", s.deadLetterArn ?? ui.c.yellow("none (failed invocations are dropped)")]);
  if (s.description) rows.push(["description", s.description]);
  const fires = s.nextFires.length
    ? s.nextFires.map((f) => `${formatInZone(f, s.timezone)}  (${formatRelative(new Date(f), now)})`).join("\n")
    : s.state !== "ENABLED"
      ? "— (disabled)"
      : "— (no more fires)";
  rows.push(["next fires", fires]);
  return ui.table({ head: ["field", "value"], rows, wrap: [1] });
}
