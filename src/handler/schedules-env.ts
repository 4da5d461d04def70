// TRAILDIGEST_SCHEDULES (written by setup apply / the export) → the schedules the digest names as
// callers. Read once per container. A bad value must not stop the digests: it is logged once (the
// reason only, never the value) and ignored, so scheduler calls show by their role as without it.
import type { ClassifyContext } from "../core/events/call-kind.js";
import { SCHEDULES_ENV, parseScheduleCallers } from "../core/schedule/schedule-callers.js";

let cached: ClassifyContext | undefined;

export function scheduleCallers(env: NodeJS.ProcessEnv, log: (line: string) => void): ClassifyContext {
  if (cached) return cached;
  const raw = env[SCHEDULES_ENV]?.trim();
  try {
    cached = raw ? parseScheduleCallers(raw) : {};
  } catch (err) {
    const reason = err instanceof Error ? err.message : "unreadable";
    log(
      JSON.stringify({
        level: "warn",
        msg: `${SCHEDULES_ENV} is not valid; scheduler calls are shown by their role`,
        reason,
      }),
    );
    cached = {};
  }
  return cached;
}

/** For tests: forget what was read (a new container). */
export function resetScheduleCallersCache(): void {
  cached = undefined;
}
