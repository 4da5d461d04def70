// Executors for the function and its event source mapping: each retries its create while IAM
// propagates, then waits until the function is Active (its last update done) or the mapping Enabled.
import { ServiceError } from "../../../core/errors.js";
import {
  FUNCTION_DESCRIPTION,
  FUNCTION_HANDLER,
  functionEnvironment,
  queueArn,
  roleArn,
} from "../../../core/setup/policies.js";
import { sdk } from "../live-state.js";
import { pollUntil, propagating, retryWhile } from "../retry.js";
import { createOrUpdate, type ApplyContext, type Executor } from "./context.js";

/** A role created seconds ago is not assumable by Lambda yet. */
const roleNotAssumable = propagating(/cannot be assumed/i);
/** A role policy written seconds ago is not visible to Lambda yet. */
const policyNotVisible = propagating(/execution role does not have permissions/i);

function functionConfig(ctx: ApplyContext) {
  const f = ctx.cfg.function;
  return {
    FunctionName: f.name,
    Runtime: f.runtime,
    // The live role's ARN keeps its IAM path (/service-role/…); a role setup creates has none.
    Role: ctx.live.role?.arn || roleArn(ctx.id, f.roleName),
    Handler: FUNCTION_HANDLER,
    Timeout: f.timeout,
    MemorySize: f.memory,
    Environment: { Variables: functionEnvironment(ctx.cfg) },
    Description: FUNCTION_DESCRIPTION,
  } as const;
}

/**
 * Polled rather than the SDK's waitUntilFunctionActiveV2/UpdatedV2: those sleep on real timers (tests
 * could not inject the sleep), retry any GetFunction error until the deadline, and read a missing State as
 * "not yet" where Lambda's older answers leave it out.
 */
async function waitFunctionReady(ctx: ApplyContext): Promise<void> {
  const { GetFunctionConfigurationCommand } = await sdk.lambda();
  const lambda = await ctx.client("lambda");
  const FunctionName = ctx.cfg.function.name;
  await pollUntil(() => lambda.send(new GetFunctionConfigurationCommand({ FunctionName })), {
    done: (f) => (f.State ?? "Active") === "Active" && f.LastUpdateStatus !== "InProgress",
    fail: (f) =>
      f.State === "Failed"
        ? new ServiceError(`function ${FunctionName} failed to become Active: ${f.StateReason ?? "no reason given"}`)
        : undefined,
    late: (f) =>
      new ServiceError(
        `function ${FunctionName} is still ${f.State}/${f.LastUpdateStatus} after ${ctx.waitMs / 1000} s`,
      ),
    sleep: ctx.sleep,
    waitMs: ctx.waitMs,
  });
}

export const applyFunction: Executor = async (item, ctx) => {
  const lm = await sdk.lambda();
  const lambda = await ctx.client("lambda");
  const config = functionConfig(ctx);
  const name = ctx.cfg.function.name;
  if (item.action === "create") {
    const create = () =>
      lambda.send(new lm.CreateFunctionCommand({ ...config, Code: { ZipFile: ctx.zip }, PackageType: "Zip" }));
    await retryWhile(create, roleNotAssumable, ctx);
    ctx.done({ resource: "function", name, action: "create" });
    await waitFunctionReady(ctx);
    ctx.done({ resource: "function", name, action: "wait", detail: "Active" });
    return;
  }
  // Code first, then configuration: Lambda refuses an update while the previous one is in progress.
  if (item.changes.some((c) => c.field === "codeSha256")) {
    await lambda.send(new lm.UpdateFunctionCodeCommand({ FunctionName: name, ZipFile: ctx.zip }));
    await waitFunctionReady(ctx);
  }
  if (item.changes.some((c) => c.field !== "codeSha256")) {
    await lambda.send(new lm.UpdateFunctionConfigurationCommand(config));
    await waitFunctionReady(ctx);
  }
  ctx.done({ resource: "function", name, action: "update", detail: item.changes.map((c) => c.field).join(", ") });
};

export const applyMapping: Executor = async (item, ctx) => {
  const lm = await sdk.lambda();
  const lambda = await ctx.client("lambda");
  const b = ctx.cfg.batching;
  const FunctionName = ctx.cfg.function.name;
  const common = {
    BatchSize: b.batchSize,
    MaximumBatchingWindowInSeconds: b.windowSeconds,
    FunctionResponseTypes: ["ReportBatchItemFailures" as const],
    // An empty ScalingConfig removes MaximumConcurrency.
    ScalingConfig: b.maximumConcurrency ? { MaximumConcurrency: b.maximumConcurrency } : {},
    Enabled: true,
  };
  let uuid = ctx.live.mapping?.uuid;
  if (item.action === "create") {
    const create = () =>
      lambda.send(
        new lm.CreateEventSourceMappingCommand({
          ...common,
          EventSourceArn: queueArn(ctx.id, ctx.cfg.queue.name),
          FunctionName,
        }),
      );
    uuid = (await retryWhile(create, policyNotVisible, ctx)).UUID;
  } else {
    await lambda.send(new lm.UpdateEventSourceMappingCommand({ ...common, UUID: uuid!, FunctionName }));
  }
  ctx.done({ resource: "event-source-mapping", name: item.name, action: createOrUpdate(item) });
  // Right after an update the state can still read Disabled; only a Disabled that stays is an error.
  let disabledPolls = 0;
  const notEnabled = (m: { State?: string; StateTransitionReason?: string }) =>
    new ServiceError(
      `event source mapping ${uuid} is ${m.State}${m.StateTransitionReason ? ` (${m.StateTransitionReason})` : ""}, not Enabled`,
    );
  await pollUntil(() => lambda.send(new lm.GetEventSourceMappingCommand({ UUID: uuid! })), {
    done: (m) => m.State === "Enabled" || m.State === undefined,
    fail: (m) => (m.State === "Disabled" && ++disabledPolls >= 5 ? notEnabled(m) : undefined),
    late: notEnabled,
    sleep: ctx.sleep,
    waitMs: ctx.waitMs,
  });
  ctx.done({ resource: "event-source-mapping", name: item.name, action: "wait", detail: "Enabled" });
};
