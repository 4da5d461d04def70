// `traildigest setup`: create or update the pipeline from the config file.
import type { GroupSpec } from "../command.js";
import plan from "./plan.js";
import apply from "./apply.js";
import exportCommand from "./export.js";

export const setup: GroupSpec = {
  name: "setup",
  description: "Create or update the pipeline from the config file",
  examples: [
    "traildigest init                                        write a starter traildigest.config.json",
    "traildigest setup plan                                  what would change, per resource and field",
    "traildigest setup plan --exit-code                      CI drift check: exit 1 when anything differs",
    "SLACK_WEBHOOK_URL=… traildigest setup apply --yes        apply in dependency order; deletes nothing",
    "traildigest setup export --format terraform --import    the same pipeline as Terraform, adopting what apply built",
  ],
  commands: [plan, apply, exportCommand],
};
