// The demo's queue contents: the bundled night-time scale-down wave exactly as the EventBridge rule
// delivers it (one SQS message per event, body = the EventBridge event JSON), plus what real queues
// also see: one duplicate delivery (EventBridge and SQS are at-least-once) and one unreadable message.
import { sampleEvents } from "../src/core/events/sample.js";

export interface DemoWave {
  /** SQS message bodies in send order. */
  bodies: string[];
  /** Distinct API-call events in the wave. */
  events: number;
  /** Calls that failed (errorCode set). */
  failedCalls: number;
  clusters: string[];
  duplicates: number;
  unreadable: number;
  /** Index (in `bodies`) of the unreadable message. */
  unreadableIndex: number;
}

/** The duplicate follows its original closely, as a redelivery does; the unreadable one sits mid-wave. */
const DUPLICATE_OF = 6;
const UNREADABLE_AFTER = 20;

export function demoWave(): DemoWave {
  const events = sampleEvents() as { detail: { errorCode?: string; requestParameters: { cluster: string } } }[];
  const bodies = events.map((e) => JSON.stringify(e));
  const out: string[] = [];
  let unreadableIndex = -1;
  bodies.forEach((b, i) => {
    out.push(b);
    if (i === DUPLICATE_OF) out.push(b);
    if (i === UNREADABLE_AFTER) {
      unreadableIndex = out.length;
      // A body cut short, as a hand-sent or mangled message would be: not JSON at all.
      out.push(b.slice(0, 120));
    }
  });
  return {
    bodies: out,
    events: events.length,
    failedCalls: events.filter((e) => e.detail.errorCode).length,
    clusters: [...new Set(events.map((e) => e.detail.requestParameters.cluster))],
    duplicates: 1,
    unreadable: 1,
    unreadableIndex,
  };
}
