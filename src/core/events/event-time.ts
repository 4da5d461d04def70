// Event times that cannot be right (more than a year from the reference time) are set aside, not believed.
import type { ApiCallEvent, NormalizedInput } from "./events.js";
import { inputExcerpt } from "./input-excerpt.js";

/** Event times further than this from the reference time are not believed (docs/untrusted-text.md). */
export const MAX_EVENT_TIME_SKEW_MS = 366 * 86_400_000;

/**
 * Why an event's time cannot be right, judged against `nowMs` (the batch's receipt, or the CLI's
 * --now): more than a year away either side. Undefined when it is fine.
 */
export function eventTimeProblem(e: Pick<ApiCallEvent, "eventTime">, nowMs: number): string | undefined {
  const t = Date.parse(e.eventTime);
  if (!Number.isNaN(t) && Math.abs(t - nowMs) <= MAX_EVENT_TIME_SKEW_MS) return undefined;
  return `eventTime ${inputExcerpt(e.eventTime)} is more than a year from ${new Date(nowMs).toISOString().replace(/\.\d{3}Z$/, "Z")}`;
}

/** Sets aside events whose time is not believable (eventTimeProblem): they become invalid records, counted as such. */
export function dropImplausibleTimes(input: NormalizedInput, nowMs: number): NormalizedInput {
  const events: ApiCallEvent[] = [];
  const invalid = [...input.invalid];
  for (const e of input.events) {
    const reason = eventTimeProblem(e, nowMs);
    if (!reason) events.push(e);
    else invalid.push({ index: -1, ...(e.messageId ? { messageId: e.messageId } : {}), eventId: e.eventId, reason });
  }
  return invalid.length === input.invalid.length ? input : { ...input, events, invalid };
}
