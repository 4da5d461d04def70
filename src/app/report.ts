// The one output channel of the use cases: progress, warnings, notes and steps are reported as typed
// events to a Reporter. The CLI renders them on stderr through its Ui (cli/output/report-ui.ts); tests
// record them (recordReports). A use case never writes to a stream itself.

export type Report =
  /** A note for people ("read 12 schedules …"). */
  | { kind: "info"; message: string }
  /** Something the operator should look at; the command still succeeds. */
  | { kind: "warn"; message: string }
  /** Detail for --verbose. */
  | { kind: "debug"; message: string }
  /** One step of a multi-step change done (setup apply's "✔ queue … created"). */
  | { kind: "step"; message: string }
  /** A long wait: started, updated, then stopped (or failed). `id` tells concurrent ones apart. */
  | { kind: "progress"; id: number; phase: "start" | "update" | "stop" | "fail"; message?: string };

export interface Reporter {
  report(event: Report): void;
}

/** Reports nowhere (library use, tests that do not look). */
export const silentReporter: Reporter = { report() {} };

/** A handle on one progress report, shaped like a spinner. */
export interface Progress {
  update(message: string): void;
  stop(): void;
  fail(message?: string): void;
}

let nextProgressId = 1;

export function startProgress(reporter: Reporter, message: string): Progress {
  const id = nextProgressId++;
  reporter.report({ kind: "progress", id, phase: "start", message });
  let open = true;
  const end = (phase: "stop" | "fail", text?: string) => {
    if (!open) return;
    open = false;
    reporter.report({ kind: "progress", id, phase, ...(text !== undefined ? { message: text } : {}) });
  };
  return {
    update: (m) => open && reporter.report({ kind: "progress", id, phase: "update", message: m }),
    stop: () => end("stop"),
    fail: (m) => end("fail", m),
  };
}

/** Shorthands so a use case reads as prose: `say.warn(…)`. */
export function say(reporter: Reporter) {
  return {
    info: (message: string) => reporter.report({ kind: "info", message }),
    warn: (message: string) => reporter.report({ kind: "warn", message }),
    debug: (message: string) => reporter.report({ kind: "debug", message }),
    step: (message: string) => reporter.report({ kind: "step", message }),
    progress: (message: string) => startProgress(reporter, message),
  };
}

/** A Reporter that keeps every event, for tests. */
export function recordReports(): Reporter & { events: Report[]; lines(kind?: Report["kind"]): string[] } {
  const events: Report[] = [];
  return {
    events,
    report: (e) => void events.push(e),
    lines: (kind) => events.filter((e) => (kind ? e.kind === kind : e.kind !== "progress")).map((e) => e.message ?? ""),
  };
}
