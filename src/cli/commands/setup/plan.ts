// `traildigest setup plan`: what apply would change, field by field (changes nothing).
import { collect, defineCommand } from "../command.js";
import { ADOPT_HELP } from "./adopt.js";

export default defineCommand({
  name: "plan",
  description: "Show what apply would create or update, field by field (changes nothing)",
  options: [
    { flags: "--exit-code", description: "exit 1 when the plan has changes (CI drift check)" },
    { flags: "--prune", description: "also plan deleting managed schedules the config no longer names" },
    { flags: "--adopt <group/name>", description: ADOPT_HELP, parse: collect },
  ],
  examples: [
    "traildigest setup plan                                 what would change (unchanged rows counted, not listed)",
    "traildigest setup plan --exit-code --json              CI drift check",
  ],
  async run(ctx, o: { exitCode?: boolean; prune?: boolean; adopt?: string[] }) {
    const [{ prepareSetup }, { renderPlan }] = await Promise.all([
      import("../../../app/setup.js"),
      import("../../render/setup.js"),
    ]);
    const { plan } = await prepareSetup(ctx, Boolean(o.prune), o.adopt);
    const changed = plan.plan.some((i) => i.action !== "noop");
    return { data: plan, render: (_d, ui) => renderPlan(plan, ui), exitCode: o.exitCode && changed ? 1 : 0 };
  },
});
