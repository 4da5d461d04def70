// `traildigest setup export`: the same pipeline as Terraform or CloudFormation.
import { defineCommand } from "../command.js";
import type { ExportOpts } from "../../../app/setup.js";

export default defineCommand({
  name: "export",
  description: "Write the same pipeline as Terraform or CloudFormation (with --import: adopt what apply built)",
  options: [
    { flags: "--format <format>", description: "terraform or cloudformation", required: true },
    { flags: "--out <dir>", description: "directory to write (default: ./traildigest-<format>)" },
    { flags: "--template-format <format>", description: "CloudFormation only: yaml or json", default: "yaml" },
    {
      flags: "--import",
      description:
        "read the account and also write import blocks (Terraform) or the resources-to-import file (CloudFormation)",
    },
    { flags: "--force", description: "overwrite files already in the directory" },
  ],
  examples: [
    "traildigest setup export --format terraform --out infra/traildigest",
    "traildigest setup export --format terraform --import            then: terraform init && terraform plan",
    "traildigest setup export --format cloudformation --template-format json",
  ],
  seeAlso: "See docs/infrastructure-code.md.",
  async run(ctx, o: ExportOpts) {
    const [{ exportSetup }, { join }, { plural }] = await Promise.all([
      import("../../../app/setup.js"),
      import("node:path"),
      import("../../../core/text/text.js"),
    ]);
    const data = await exportSetup(ctx, o);
    return {
      data,
      render: () =>
        `Wrote ${data.files.length} files to ${data.dir}: ${data.files.join(", ")}` +
        (o.import ? `\n${plural(data.imported, "existing part")} to adopt.` : "") +
        `\nNext steps: ${join(data.dir, "NEXT-STEPS.md")}`,
    };
  },
});
