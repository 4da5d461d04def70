// Executors for what the function runs with: the webhook secret or parameter, and its execution role.
import {
  ROLE_DESCRIPTION,
  ROLE_INLINE_POLICY,
  lambdaInlinePolicy,
  lambdaTrustPolicy,
} from "../../../core/setup/policies.js";
import { sdk } from "../live-state.js";
import { createOrUpdate, type Executor } from "./context.js";

const WEBHOOK_DESCRIPTION = "Slack incoming webhook for traildigest";

/** Created from SLACK_WEBHOOK_URL, never updated; the value is never shown. */
export const applyWebhook: Executor = async (item, ctx) => {
  const url = ctx.webhookUrl!;
  const w = ctx.cfg.function.webhook;
  if ("secretId" in w) {
    const { CreateSecretCommand } = await sdk.secretsmanager();
    const sm = await ctx.client("secretsmanager");
    await sm.send(new CreateSecretCommand({ Name: w.secretId, SecretString: url, Description: WEBHOOK_DESCRIPTION }));
  } else if ("parameter" in w) {
    const { PutParameterCommand } = await sdk.ssm();
    const ssm = await ctx.client("ssm");
    await ssm.send(
      new PutParameterCommand({
        Name: w.parameter,
        Type: "SecureString",
        Value: url,
        Description: WEBHOOK_DESCRIPTION,
      }),
    );
  }
  ctx.done({
    resource: item.resource,
    name: item.name,
    action: "create",
    detail: "from SLACK_WEBHOOK_URL (value not shown)",
  });
};

export const applyRole: Executor = async (item, ctx) => {
  const { CreateRoleCommand, PutRolePolicyCommand, UpdateAssumeRolePolicyCommand } = await sdk.iam();
  const iam = await ctx.client("iam");
  const RoleName = ctx.cfg.function.roleName;
  const trust = JSON.stringify(lambdaTrustPolicy());
  const changed = (field: (f: string) => boolean) => item.changes.some((c) => field(c.field));
  if (item.action === "create") {
    await iam.send(new CreateRoleCommand({ RoleName, AssumeRolePolicyDocument: trust, Description: ROLE_DESCRIPTION }));
  } else if (changed((f) => f === "trustPolicy")) {
    await iam.send(new UpdateAssumeRolePolicyCommand({ RoleName, PolicyDocument: trust }));
  }
  if (item.action === "create" || changed((f) => f.startsWith("inlinePolicy"))) {
    const inline = JSON.stringify(lambdaInlinePolicy(ctx.id, ctx.cfg));
    await iam.send(new PutRolePolicyCommand({ RoleName, PolicyName: ROLE_INLINE_POLICY, PolicyDocument: inline }));
  }
  ctx.done({ resource: "role", name: RoleName, action: createOrUpdate(item) });
};
