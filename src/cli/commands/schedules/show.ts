// `traildigest schedules show`: one schedule in full.
import { defineCommand, intOption } from "../command.js";
import type { ShowOpts } from "../../../app/schedules.js";

export default defineCommand({
  name: "show <name>",
  description: "one schedule in full: target input, role, retry policy, dead-letter queue, next fires",
  options: [
    { flags: "--group <name>", description: "schedule group (default: search all groups)" },
    {
      flags: "--next <n>",
      description: "next fire times",
      parse: intOption("--next", { min: 0, max: 100 }),
      default: 5,
    },
    { flags: "--from <iso>", description: "compute fire times after this ISO time (default: now)" },
  ],
  examples: [
    "traildigest schedules show nestjs-night-down",
    "traildigest schedules show night/worker-night-down      GROUP/NAME, as `schedules list` prints it",
  ],
  async run(ctx, name: string, o: ShowOpts) {
    const [{ showSchedule }, view] = await Promise.all([
      import("../../../app/schedules.js"),
      import("../../render/schedules.js"),
    ]);
    const { schedule, from } = await showSchedule(ctx, name, o);
    return { data: { schedule }, render: (_d, ui) => view.renderShow(schedule, ui, from) };
  },
});
