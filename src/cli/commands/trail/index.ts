// `traildigest trail`: CloudTrail API calls (LookupEvents).
import type { GroupSpec } from "../command.js";
import recent from "./recent.js";

export const trail: GroupSpec = {
  name: "trail",
  description: "CloudTrail API calls (LookupEvents)",
  examples: [
    "traildigest trail recent UpdateService --since 2h",
    "traildigest trail recent UpdateService --since 7d --cluster dev --service nestjs",
    "traildigest trail recent UpdateService --since 2026-11-26T12:00:00Z --until 2026-11-26T14:00:00Z --json",
  ],
  commands: [recent],
};
