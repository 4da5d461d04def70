// `traildigest notify forecast`: upcoming waves of scheduled calls and the digests each will produce.
import { defineCommand, intOption } from "../command.js";
import type { ForecastOpts } from "../../../app/forecast.js";
import { SPLIT_NOTE } from "../../../app/forecast-note.js";

export default defineCommand({
  name: "forecast",
  description: "the waves of scheduled UpdateService calls coming up, and the digests each will produce",
  options: [
    { flags: "--from <iso>", description: "start of the forecast (default: now)" },
    {
      flags: "--hours <n>",
      description: "how far ahead to look",
      parse: intOption("--hours", { max: 24 * 31 }),
      default: 24,
    },
    {
      flags: "--batch-size <n>",
      description: "the mapping's BatchSize (default: the config's, else 10)",
      parse: intOption("--batch-size", { max: 10_000 }),
    },
    {
      flags: "--window <seconds>",
      description: "MaximumBatchingWindowInSeconds (default: the config's, else 300)",
      parse: intOption("--window", { min: 0, max: 300 }),
    },
    { flags: "--from-config", description: "use the config file's schedules instead of the live ones" },
    { flags: "--group <name>", description: "only this schedule group" },
    {
      flags: "--timezone <tz>",
      description: "time zone of the previews (default: DIGEST_TIMEZONE, the config's, or UTC)",
    },
  ],
  notes: `Fires within the batching window of a wave's first fire form one wave.\n${SPLIT_NOTE}`,
  examples: [
    "traildigest notify forecast                        the next 24 hours of live schedules",
    "traildigest notify forecast --from-config --hours 168 --json",
  ],
  async run(ctx, o: ForecastOpts) {
    const [{ forecastCommand }, { renderForecast }] = await Promise.all([
      import("../../../app/forecast.js"),
      import("../../render/forecast.js"),
    ]);
    const data = await forecastCommand(ctx, o);
    return { data, render: (_d, ui) => renderForecast(data, ui) };
  },
});
