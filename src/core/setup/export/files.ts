// PURE: every file `setup export` writes (name → text), with the next steps written out as
// instructions. The command only adds handler.zip and writes them.
import type { Config } from "../config-schema.js";
import type { LiveState } from "../plan.js";
import { cloudFormationImports, cloudFormationTemplate, importTemplate } from "./cloudformation.js";
import { renderTerraform, terraformImports } from "./terraform.js";

export type ExportFormat = "terraform" | "cloudformation";

export interface ExportRequest {
  format: ExportFormat;
  /** CloudFormation only. */
  templateFormat: "yaml" | "json";
  /** Set with --import: what exists in the account now. */
  live?: LiveState;
  stringifyYaml: (doc: unknown) => string;
}

export interface ExportResult {
  files: Record<string, string>;
  /** How many parts the import adopts. */
  imported: number;
}

export function exportFiles(cfg: Config, r: ExportRequest): ExportResult {
  if (r.format === "terraform") {
    const imports = r.live ? terraformImports(cfg, r.live) : undefined;
    const tf = renderTerraform(cfg, { imports });
    const files: Record<string, string> = { ...tf };
    files["NEXT-STEPS.md"] = terraformSteps(Boolean(imports?.length));
    return { files, imported: imports?.length ?? 0 };
  }
  const imports = r.live ? cloudFormationImports(cfg, r.live) : [];
  const template = cloudFormationTemplate(cfg, { imports });
  const ext = r.templateFormat;
  const text = (doc: unknown) => (ext === "json" ? JSON.stringify(doc, null, 2) + "\n" : r.stringifyYaml(doc));
  const files: Record<string, string> = { [`traildigest.${ext}`]: text(template) };
  if (imports.length) {
    files[`traildigest-import.${ext}`] = text(importTemplate(template, imports));
    files["resources-to-import.json"] = JSON.stringify(imports, null, 2) + "\n";
  }
  files["NEXT-STEPS.md"] = cloudFormationSteps(ext, imports.length > 0);
  return { files, imported: imports.length };
}

function terraformSteps(importing: boolean): string {
  return `# traildigest: next steps (Terraform)

handler.zip here is the digest function's code from this traildigest version; main.tf points at it
(\`filename\` + \`source_code_hash\`). The Slack webhook is only referenced: its secret or parameter
is not part of this code and its value is never written here.

    terraform init
    terraform plan${importing ? "            # imports.tf adopts what setup apply built: expect 0 to add, 0 to destroy" : ""}
    terraform apply
${importing ? "\nAfter the first apply the parts belong to Terraform: delete imports.tf and stop running `traildigest setup apply`\nfor this pipeline (keep `traildigest doctor` and `setup plan` as read-only checks).\n" : ""}`;
}

function cloudFormationSteps(ext: string, importing: boolean): string {
  const t = `traildigest.${ext}`;
  return `# traildigest: next steps (CloudFormation)

1. Package the function code: upload handler.zip (here, from this traildigest version) to S3.

       aws s3 cp handler.zip s3://YOUR-BUCKET/traildigest/handler.zip

2. The Slack webhook is only referenced (secret or parameter named in the config): create it
   first if it does not exist; its value is never written into the template.
${
  importing
    ? `
3. Adopt what \`setup apply\` built: an IMPORT change set with the imported parts only
   (each has DeletionPolicy: Retain), then an update with the whole template.

       aws cloudformation create-change-set --stack-name traildigest --change-set-name adopt \\
         --change-set-type IMPORT --resources-to-import file://resources-to-import.json \\
         --template-body file://traildigest-import.${ext} \\
         --parameters ParameterKey=CodeS3Bucket,ParameterValue=YOUR-BUCKET --capabilities CAPABILITY_NAMED_IAM
       aws cloudformation execute-change-set --stack-name traildigest --change-set-name adopt
       aws cloudformation deploy --stack-name traildigest --template-file ${t} \\
         --parameter-overrides CodeS3Bucket=YOUR-BUCKET --capabilities CAPABILITY_NAMED_IAM

   The queue policy cannot be imported: the update writes it again (the same statement).
`
    : `
3. Create the stack:

       aws cloudformation deploy --stack-name traildigest --template-file ${t} \\
         --parameter-overrides CodeS3Bucket=YOUR-BUCKET --capabilities CAPABILITY_NAMED_IAM
`
}`;
}
