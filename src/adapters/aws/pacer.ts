// A pacer: at most `max` requests in any rolling window of `windowMs` (LookupEvents allows 2 per second
// per account and region). Clock and sleep are injected so tests run on a fake clock.
//
// The server counts a request when it arrives, some time between our send and its answer. So a
// request holds its slot while it is in flight and for `windowMs` after `done()` reports its answer:
// whatever the latency, arrivals at the server stay within the quota. Always call `done()`.
import { systemClock } from "../clock.js";

export interface Pacer {
  /** Resolves when one more request may start; call the returned `done` when its answer arrives. */
  take(): Promise<() => void>;
  /** Start times granted so far (for tests and progress). */
  readonly starts: readonly number[];
}

export function createPacer({ max = 2, windowMs = 1000, clock = systemClock, marginMs = 0 } = {}): Pacer {
  const starts: number[] = [];
  /** Recent requests: Infinity while in flight, then the time of their answer. */
  const slots: { until: number }[] = [];
  // Callers queue up behind each other so concurrent callers cannot slip into the same slot.
  let chain: Promise<unknown> = Promise.resolve();
  const takeOne = async (): Promise<() => void> => {
    for (;;) {
      const now = clock.now();
      const cutoff = now - windowMs - marginMs;
      for (let i = slots.length - 1; i >= 0; i--) if (slots[i]!.until <= cutoff) slots.splice(i, 1);
      if (slots.length < max) break;
      const oldest = Math.min(...slots.map((s) => s.until));
      // Every slot still in flight: look again shortly.
      await clock.sleep(Number.isFinite(oldest) ? Math.max(1, oldest - cutoff + 1) : 10);
    }
    const slot = { until: Infinity };
    slots.push(slot);
    starts.push(clock.now());
    if (starts.length > 256) starts.splice(0, starts.length - 256);
    let finished = false;
    return () => {
      if (finished) return;
      finished = true;
      slot.until = clock.now();
    };
  };
  return {
    starts,
    take() {
      const p = chain.then(takeOne);
      chain = p.catch(() => undefined);
      return p;
    },
  };
}
