// `traildigest schedules`: EventBridge Scheduler schedules: what scales what, and when.
import type { GroupSpec } from "../command.js";
import list from "./list.js";
import show from "./show.js";
import audit from "./audit.js";

export const schedules: GroupSpec = {
  name: "schedules",
  description: "EventBridge Scheduler schedules: what scales what, and when",
  examples: [
    "traildigest schedules list                              every group, soonest fire first",
    "traildigest schedules list --group night --next 5 --json",
    "traildigest schedules show nestjs-night-down            target input, role, retry policy, next fires",
    "traildigest schedules show night/worker-night-down      GROUP/NAME, as `schedules list` prints it",
    "traildigest schedules audit --since 24h                 did every scheduled scale happen? (exit 1 if not)",
  ],
  commands: [list, show, audit],
};
