// Renders the use cases' reports (app/report.ts) on stderr through the Ui: notes and steps as lines,
// warnings marked, debug with --verbose, progress as a spinner (a no-op off a terminal).
import type { Reporter } from "../../app/report.js";
import type { Spinner, Ui } from "./output.js";

export function uiReporter(ui: Ui): Reporter {
  const spinners = new Map<number, Spinner>();
  return {
    report(e) {
      switch (e.kind) {
        case "info":
        case "step":
          return ui.info(e.message);
        case "warn":
          return ui.warn(e.message);
        case "debug":
          return ui.debug(e.message);
        case "progress": {
          if (e.phase === "start") {
            spinners.set(e.id, ui.spinner(e.message ?? ""));
            return;
          }
          const s = spinners.get(e.id);
          if (!s) return;
          if (e.phase === "update") return s.update(e.message ?? "");
          spinners.delete(e.id);
          return e.phase === "fail" ? s.fail(e.message) : s.stop();
        }
      }
    },
  };
}
