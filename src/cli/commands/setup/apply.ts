// `traildigest setup apply`: apply the plan in dependency order (asks first on a terminal, unless --yes).
import { UsageError } from "../../../core/errors.js";
import { plural } from "../../../core/text/text.js";
import { collect, defineCommand, type CommandContext } from "../command.js";
import { ADOPT_HELP } from "./adopt.js";
import type { AppliedStep } from "../../../adapters/aws/apply.js";

async function confirm(ctx: CommandContext, question: string): Promise<boolean> {
  const { createInterface } = await import("node:readline/promises");
  const rl = createInterface({ input: ctx.stdin, output: ctx.io.stderr });
  try {
    const answer = await rl.question(question);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

export default defineCommand({
  name: "apply",
  description: "Apply the plan in dependency order and wait for each part to be ready (idempotent)",
  options: [
    { flags: "-y, --yes", description: "apply without asking (required when not on a terminal)" },
    {
      flags: "--prune",
      description:
        "delete schedules (in any group) setup created (exact managed description) that the config no longer names",
    },
    { flags: "--adopt <group/name>", description: ADOPT_HELP, parse: collect },
  ],
  examples: [
    "traildigest setup apply                                shows the plan and asks first",
    "SLACK_WEBHOOK_URL=… traildigest setup apply --yes",
  ],
  async run(ctx, o: { yes?: boolean; prune?: boolean; adopt?: string[] }) {
    const [setup, { renderPlan }] = await Promise.all([
      import("../../../app/setup.js"),
      import("../../render/setup.js"),
    ]);
    const { ui } = ctx;
    const p = await setup.prepareSetup(ctx, Boolean(o.prune), o.adopt);
    const refused = await setup.refusal(p.plan);
    if (refused) {
      ui.info(renderPlan(p.plan, ui));
      throw new UsageError(refused);
    }
    const notApplied = (render: string) => ({
      data: { plan: p.plan.plan, steps: [] as AppliedStep[], applied: false },
      render: () => render,
    });
    if (!p.plan.plan.some((i) => i.action !== "noop"))
      return notApplied("No changes: the pipeline matches the config.");
    if (!o.yes) {
      if (!ctx.stdin.isTTY || !ctx.io.stderr.isTTY)
        throw new UsageError("refusing to apply without --yes when not on a terminal");
      ui.info(renderPlan(p.plan, ui));
      if (!(await confirm(ctx, "Apply these changes? [y/N] "))) return notApplied("Nothing applied.");
    }
    const steps = await setup.applyPrepared(ctx, p, ui.registerSecret);
    return {
      data: { plan: p.plan.plan, steps, applied: true },
      render: () =>
        `Applied ${plural(steps.filter((s) => s.action !== "wait").length, "change")}. Check it end to end: traildigest doctor`,
    };
  },
});
