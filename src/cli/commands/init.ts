// `traildigest init`: write a starter config file.
import { defineCommand } from "./command.js";
import type { InitOpts } from "../../app/init.js";

export default defineCommand({
  name: "init",
  description: "Write a starter traildigest.config.json (or .yaml) that deploys as it is",
  options: [
    { flags: "--format <format>", description: "json or yaml (default: from the --config file name, else json)" },
    { flags: "--force", description: "overwrite an existing file" },
  ],
  examples: [
    "traildigest init                                       ./traildigest.config.json",
    "traildigest init --config ops/traildigest.config.yaml --region eu-west-1",
  ],
  async run(ctx, o: InitOpts) {
    const { writeStarter } = await import("../../app/init.js");
    const { file, format } = await writeStarter(ctx, o);
    return {
      data: { file, format },
      render: () =>
        `Wrote ${file}\nNext: export SLACK_WEBHOOK_URL=…  (stored in Secrets Manager by setup, never printed)\n      traildigest setup plan && traildigest setup apply && traildigest doctor`,
    };
  },
});
