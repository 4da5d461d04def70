// The human views of `local run`: each digest as it is made, and the summary table at the end.
import type { Ui } from "../output/output.js";
import type { RunResult, Sink } from "../../app/local-run.js";
import { renderPreview, type PreviewMessage } from "../output/preview.js";

/** One digest, printed as it is made (stdout; --output json puts them in the result instead). */
export function digestView(ui: Ui, message: unknown, n: number): string {
  return `${ui.c.dim(`── digest #${n} ${"─".repeat(50)}`)}\n${renderPreview(message as PreviewMessage, ui.c)}\n`;
}

export function renderSummary(result: RunResult, ui: Ui, sink: Sink): string {
  const s = result.summary;
  const rows: [string, string | number][] = [
    ["messages received", s.messages],
    ["batches (invocations)", s.batches],
    [sink === "slack" ? "digests posted" : "digests printed", s.digests],
    ["records left to reappear", s.failedRecords],
    ["sent to the DLQ", s.dlq === null ? "no DLQ configured" : s.dlq],
  ];
  const why =
    result.stoppedBy === "empty"
      ? "stopped: the queue stayed empty for one window"
      : `stopped on request${result.released ? `; ${result.released} held ${result.released === 1 ? "message" : "messages"} made visible again` : ""}`;
  return `${ui.table({ head: ["local run", "total"], rows, align: ["left", "right"] })}\n${ui.c.dim(why)}`;
}
