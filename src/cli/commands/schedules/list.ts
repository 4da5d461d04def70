// `traildigest schedules list`: every schedule with its target and next fire times, soonest first.
import { defineCommand, intOption } from "../command.js";
import type { ListOpts } from "../../../app/schedules.js";

export default defineCommand({
  name: "list",
  description: "every schedule with its target and next fire times, soonest first",
  options: [
    { flags: "--group <name>", description: "only this schedule group (default: all groups)" },
    { flags: "--prefix <prefix>", description: "only schedules whose name starts with this" },
    { flags: "--state <state>", description: "ENABLED or DISABLED" },
    {
      flags: "--next <n>",
      description: "next fire times per schedule",
      parse: intOption("--next", { min: 0, max: 100 }),
      default: 3,
    },
    { flags: "--from <iso>", description: "compute fire times after this ISO time (default: now)" },
    {
      flags: "--concurrency <n>",
      description: "parallel GetSchedule calls",
      parse: intOption("--concurrency", { max: 50 }),
      default: 8,
    },
  ],
  notes:
    "ListSchedules returns summaries only, so each schedule is read with GetSchedule (bounded, throttling retried).",
  examples: [
    "traildigest schedules list --region ap-northeast-2",
    "traildigest schedules list --group night --next 5 --json",
  ],
  async run(ctx, o: ListOpts) {
    const [{ listSchedules }, view] = await Promise.all([
      import("../../../app/schedules.js"),
      import("../../render/schedules.js"),
    ]);
    const listed = await listSchedules(ctx, o);
    const { schedules, lookedIn, from } = listed;
    if (lookedIn) return { data: { schedules, lookedIn }, render: () => view.renderNoneFound(listed, o.group) };
    return { data: { schedules }, render: (_d, ui) => view.renderList(schedules, ui, from) };
  },
});
