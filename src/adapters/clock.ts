// The real Clock (core/time/clock.ts): the system time and timers.
import { setTimeout as delay } from "node:timers/promises";
import type { Clock } from "../core/time/clock.js";

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => delay(Math.max(0, ms)),
};
