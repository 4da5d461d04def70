// The human view of `notify forecast`: the waves as a table, then each wave's first digest as Slack shows it.
import type { Ui } from "../output/output.js";
import type { ForecastData } from "../../app/forecast.js";
import { renderPreview } from "../output/preview.js";
import { plural } from "../../core/text/text.js";
import { formatUtcShort } from "../../core/time/zoned-time.js";

export function renderForecast(d: ForecastData, ui: Ui): string {
  const c = ui.c;
  if (d.waves.length === 0) {
    return `No scheduled UpdateService calls between ${formatUtcShort(d.period.from)} and ${formatUtcShort(d.period.to)} (${d.schedules.count} schedules read).`;
  }
  const out: string[] = [];
  out.push(
    ui.table({
      head: ["wave (UTC)", "calls", "digests (best case)", "services"],
      wrap: [3],
      align: ["left", "right", "right", "left"],
      rows: d.waves.map((w) => {
        const names = w.services.map((s) => `${s.cluster}/${s.service} → ${s.desiredCount ?? "?"}`);
        const shown = names.length > 6 ? [...names.slice(0, 6), c.dim(`…and ${names.length - 6} more`)] : names;
        const span = w.last !== w.at ? `\n${c.dim(`to ${formatUtcShort(w.last)}`)}` : "";
        const flex = w.flexibleCalls
          ? `\n${c.dim(`${w.flexibleCalls} flexible: up to +${w.maxFlexibleMinutes} min`)}`
          : "";
        return [`${formatUtcShort(w.at)}${span}${flex}`, w.calls, w.digests, shown.join("\n")];
      }),
    }),
  );
  for (const [i, w] of d.waves.entries()) {
    if (!w.preview) continue;
    const title = ` Wave ${i + 1} at ${formatUtcShort(w.at)}: ${w.digests === 1 ? "its digest" : `first of ${w.digests} digests`} (best case) `;
    out.push("");
    out.push(c.dim(`──${title}${"─".repeat(Math.max(4, 62 - title.length))}`));
    out.push(renderPreview(w.preview, c));
  }
  const totalCalls = d.waves.reduce((n, w) => n + w.calls, 0);
  const totalDigests = d.waves.reduce((n, w) => n + w.digests, 0);
  out.push("");
  out.push(
    c.bold(
      `${plural(d.waves.length, "wave")}, ${plural(totalCalls, "call")}, ` +
        `at least ${plural(totalDigests, "digest")} · BatchSize ${d.batching.batchSize}, window ${d.batching.windowSeconds} s (${d.batching.source})`,
    ),
  );
  out.push(c.dim(d.note));
  return out.join("\n");
}
