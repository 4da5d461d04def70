// A pacer: at most `max` starts in any rolling window of `windowMs` (LookupEvents allows 2 per second
// per account and region). Clock and sleep are injected so tests run on a fake clock.

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
};

export interface Pacer {
  /** Resolves when one more request may start; records that start. */
  take(): Promise<void>;
  /** Start times recorded so far (for tests and progress). */
  readonly starts: readonly number[];
}

export function createPacer({ max = 2, windowMs = 1000, clock = realClock, marginMs = 0 } = {}): Pacer {
  const starts: number[] = [];
  // Calls queue up behind each other so concurrent callers cannot both slip into the same slot.
  let chain: Promise<void> = Promise.resolve();
  const takeOne = async () => {
    for (;;) {
      const now = clock.now();
      const recent = starts.filter((t) => t > now - windowMs - marginMs);
      if (recent.length < max) break;
      // The oldest start in the window must leave it (strictly more than windowMs ago).
      const wait = recent[recent.length - max]! + windowMs + marginMs - now + 1;
      await clock.sleep(Math.max(1, wait));
    }
    starts.push(clock.now());
    if (starts.length > 64) starts.splice(0, starts.length - 64);
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
