// The one clock type: what code that waits or reads the time is given, so tests can pass a fake one.
// The real clock is in src/adapters/clock.ts (timers are I/O, kept out of the core).

export interface Clock {
  /** Milliseconds since the epoch, as Date.now(). */
  now(): number;
  /** Resolves after `ms` milliseconds (at once for ms <= 0). */
  sleep(ms: number): Promise<void>;
}
