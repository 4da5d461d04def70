// apply's waits and retries, which moto cannot show (its role is assumable, its function Active and
// its mapping Enabled at once): driven through aws-sdk-client-mock with a fake sleep.
import { afterEach, describe, expect, it } from "vitest";
import { mockClient } from "aws-sdk-client-mock";
import {
  CreateEventSourceMappingCommand,
  CreateFunctionCommand,
  GetEventSourceMappingCommand,
  GetFunctionConfigurationCommand,
  LambdaClient,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
} from "@aws-sdk/client-lambda";
import { EventBridgeClient, PutTargetsCommand } from "@aws-sdk/client-eventbridge";
import { applyPlan } from "../src/adapters/aws/apply.js";
import { parseConfig } from "../src/core/setup/config-schema.js";
import { computePlan, type Desired, type LiveState } from "../src/core/setup/plan.js";
import { functionEnvironment, lambdaInlinePolicy, lambdaTrustPolicy } from "../src/core/setup/policies.js";

const id = { account: "123456789012", region: "us-east-1", partition: "aws" };
const cfg = parseConfig({});
const want: Desired = { config: cfg, identity: id, codeSha256: "NEW", webhookEnvSet: true };
const aws = { region: "us-east-1", endpointUrl: "http://127.0.0.1:9" };

/** Everything but the function and mapping already in place, so only Lambda calls are made. */
function liveWithoutFunction(): LiveState {
  const q = `arn:aws:sqs:us-east-1:123456789012:${cfg.queue.name}`;
  return {
    dlq: {
      url: "d",
      arn: `arn:aws:sqs:us-east-1:123456789012:${cfg.dlq.name}`,
      visibilityTimeout: 30,
      retentionSeconds: cfg.dlq.retentionSeconds,
    },
    queue: {
      url: "q",
      arn: q,
      visibilityTimeout: cfg.queue.visibilityTimeout,
      retentionSeconds: cfg.queue.retentionSeconds,
      redrive: { deadLetterTargetArn: `arn:aws:sqs:us-east-1:123456789012:${cfg.dlq.name}`, maxReceiveCount: 5 },
      policy: {
        Statement: [
          {
            Effect: "Allow",
            Principal: { Service: "events.amazonaws.com" },
            Action: "sqs:SendMessage",
            Resource: q,
            Condition: {
              ArnEquals: { "aws:SourceArn": `arn:aws:events:us-east-1:123456789012:rule/${cfg.rule.name}` },
            },
          },
        ],
      },
    },
    rule: {
      arn: "r",
      state: "ENABLED",
      pattern: {
        source: ["aws.ecs"],
        "detail-type": ["AWS API Call via CloudTrail"],
        detail: { eventSource: ["ecs.amazonaws.com"], eventName: ["UpdateService"] },
      },
    },
    targets: [{ id: "traildigest-queue", arn: q }],
    webhookExists: true,
    role: {
      arn: "arn:aws:iam::123456789012:role/traildigest-digest-role",
      trustPolicy: lambdaTrustPolicy(),
      inlinePolicy: lambdaInlinePolicy(id, cfg),
    },
    scheduleGroups: ["default"],
    schedules: [],
  };
}

const lambda = mockClient(LambdaClient);
afterEach(() => lambda.reset());

describe("applyPlan batch answers", () => {
  it("fails when PutTargets answers 200 with a failed entry", async () => {
    const eb = mockClient(EventBridgeClient);
    try {
      eb.on(PutTargetsCommand).resolves({
        FailedEntryCount: 1,
        FailedEntries: [
          { TargetId: "traildigest-queue", ErrorCode: "ValidationException", ErrorMessage: "Target ARN is invalid" },
        ],
      });
      const live = { ...liveWithoutFunction(), targets: [] };
      const plan = computePlan(want, live);
      const steps: string[] = [];
      await expect(
        applyPlan({
          aws,
          want,
          live,
          plan,
          zip: new Uint8Array([1]),
          report: (s) => steps.push(s.resource),
          sleep: async () => {},
        }),
      ).rejects.toMatchObject({
        name: "ServiceError",
        message: expect.stringMatching(/ValidationException: Target ARN is invalid/),
      });
      expect(steps).not.toContain("rule-target");
      expect(lambda.commandCalls(CreateFunctionCommand)).toHaveLength(0);
    } finally {
      eb.restore();
    }
  });
});

describe("applyPlan waits", () => {
  it("retries CreateFunction while the new role cannot be assumed, then waits for Active and Enabled", async () => {
    const live = liveWithoutFunction();
    const plan = computePlan(want, live);
    expect(plan.plan.filter((i) => i.action !== "noop").map((i) => i.resource)).toEqual([
      "function",
      "event-source-mapping",
    ]);

    const notYet = Object.assign(new Error("The role defined for the function cannot be assumed by Lambda."), {
      name: "InvalidParameterValueException",
    });
    lambda
      .on(CreateFunctionCommand)
      .rejectsOnce(notYet)
      .rejectsOnce(notYet)
      .resolves({ FunctionName: cfg.function.name });
    lambda
      .on(GetFunctionConfigurationCommand)
      .resolvesOnce({ State: "Pending" })
      .resolvesOnce({ State: "Pending" })
      .resolves({ State: "Active", LastUpdateStatus: "Successful" });
    lambda.on(CreateEventSourceMappingCommand).resolves({ UUID: "m-1", State: "Creating" });
    lambda.on(GetEventSourceMappingCommand).resolvesOnce({ State: "Creating" }).resolves({ State: "Enabled" });

    const sleeps: number[] = [];
    const reported: string[] = [];
    const steps = await applyPlan({
      aws,
      want,
      live,
      plan,
      zip: new Uint8Array([1, 2, 3]),
      report: (s) => reported.push(`${s.resource}:${s.action}`),
      sleep: async (ms) => void sleeps.push(ms),
    });
    expect(steps.map((s) => `${s.resource}:${s.action}`)).toEqual([
      "function:create",
      "function:wait",
      "event-source-mapping:create",
      "event-source-mapping:wait",
    ]);
    expect(reported).toEqual(steps.map((s) => `${s.resource}:${s.action}`));
    expect(lambda.commandCalls(CreateFunctionCommand)).toHaveLength(3);
    expect(lambda.commandCalls(GetFunctionConfigurationCommand)).toHaveLength(3);
    expect(lambda.commandCalls(GetEventSourceMappingCommand)).toHaveLength(2);
    expect(sleeps).toHaveLength(2 + 2 + 1); // two role retries, two Pending polls, one Creating poll

    const create = lambda.commandCalls(CreateFunctionCommand)[0]!.args[0].input;
    expect(create).toMatchObject({
      FunctionName: "traildigest-digest",
      Runtime: "nodejs22.x",
      Handler: "index.handler",
      Role: "arn:aws:iam::123456789012:role/traildigest-digest-role",
      Timeout: 60,
      MemorySize: 256,
      Environment: { Variables: { DIGEST_TIMEZONE: "UTC", SLACK_WEBHOOK_SECRET_ID: "traildigest/slack-webhook" } },
    });
    const esm = lambda.commandCalls(CreateEventSourceMappingCommand)[0]!.args[0].input;
    expect(esm).toEqual({
      EventSourceArn: "arn:aws:sqs:us-east-1:123456789012:traildigest-events",
      FunctionName: "traildigest-digest",
      BatchSize: 10,
      MaximumBatchingWindowInSeconds: 300,
      FunctionResponseTypes: ["ReportBatchItemFailures"],
      ScalingConfig: {},
      Enabled: true,
    });
  });

  it("retries CreateEventSourceMapping while the role's new SQS permissions propagate; a mapping that stays Disabled is an error", async () => {
    const live = liveWithoutFunction();
    live.function = {
      arn: "f",
      runtime: "nodejs22.x",
      memory: 256,
      timeout: 60,
      handler: "index.handler",
      role: "arn:aws:iam::123456789012:role/traildigest-digest-role",
      codeSha256: "NEW",
      env: { DIGEST_TIMEZONE: "UTC", SLACK_WEBHOOK_SECRET_ID: "traildigest/slack-webhook" },
      state: "Active",
    };
    const plan = computePlan(want, live);
    expect(plan.plan.filter((i) => i.action !== "noop").map((i) => i.resource)).toEqual(["event-source-mapping"]);
    const notYet = Object.assign(
      new Error("The provided execution role does not have permissions to call ReceiveMessage on SQS"),
      { name: "InvalidParameterValueException" },
    );
    lambda.on(CreateEventSourceMappingCommand).rejectsOnce(notYet).resolves({ UUID: "m-2" });
    lambda.on(GetEventSourceMappingCommand).resolves({ State: "Disabled", StateTransitionReason: "USER_INITIATED" });
    await expect(
      applyPlan({ aws, want, live, plan, zip: new Uint8Array(), report: () => {}, sleep: async () => {} }),
    ).rejects.toThrow(/event source mapping m-2 is Disabled \(USER_INITIATED\), not Enabled/);
    expect(lambda.commandCalls(CreateEventSourceMappingCommand)).toHaveLength(2);
    expect(lambda.commandCalls(GetEventSourceMappingCommand)).toHaveLength(5);
  });

  it("creates the function with the live role's ARN when the existing role has an IAM path", async () => {
    const live = liveWithoutFunction();
    const pathed = "arn:aws:iam::123456789012:role/service-role/traildigest-digest-role";
    live.role = { ...live.role!, arn: pathed };
    const plan = computePlan(want, live);
    lambda.on(CreateFunctionCommand).resolves({ FunctionName: cfg.function.name });
    lambda.on(GetFunctionConfigurationCommand).resolves({ State: "Active", LastUpdateStatus: "Successful" });
    lambda.on(CreateEventSourceMappingCommand).resolves({ UUID: "m-1", State: "Enabled" });
    lambda.on(GetEventSourceMappingCommand).resolves({ State: "Enabled" });
    await applyPlan({ aws, want, live, plan, zip: new Uint8Array([1]), report: () => {}, sleep: async () => {} });
    expect(lambda.commandCalls(CreateFunctionCommand)[0]!.args[0].input.Role).toBe(pathed);
  });

  it("does not retry other CreateFunction errors", async () => {
    const live = liveWithoutFunction();
    lambda
      .on(CreateFunctionCommand)
      .rejects(Object.assign(new Error("Memory size out of range"), { name: "InvalidParameterValueException" }));
    await expect(
      applyPlan({
        aws,
        want,
        live,
        plan: computePlan(want, live),
        zip: new Uint8Array(),
        report: () => {},
        sleep: async () => {},
      }),
    ).rejects.toThrow(/Memory size/);
    expect(lambda.commandCalls(CreateFunctionCommand)).toHaveLength(1);
  });

  it("updates code first, waits for it, then the configuration", async () => {
    const live = liveWithoutFunction();
    live.function = {
      arn: "f",
      runtime: "nodejs20.x",
      memory: 256,
      timeout: 60,
      handler: "index.handler",
      role: "arn:aws:iam::123456789012:role/traildigest-digest-role",
      codeSha256: "OLD",
      env: { DIGEST_TIMEZONE: "UTC", SLACK_WEBHOOK_SECRET_ID: "traildigest/slack-webhook" },
      state: "Active",
    };
    live.mapping = {
      uuid: "m-1",
      eventSourceArn: live.queue!.arn,
      batchSize: 10,
      windowSeconds: 300,
      functionResponseTypes: ["ReportBatchItemFailures"],
      state: "Enabled",
    };
    const plan = computePlan(want, live);
    expect(plan.plan.find((i) => i.resource === "function")!.changes.map((c) => c.field)).toEqual([
      "runtime",
      "codeSha256",
    ]);
    lambda.on(UpdateFunctionCodeCommand).resolves({});
    lambda.on(UpdateFunctionConfigurationCommand).resolves({});
    lambda
      .on(GetFunctionConfigurationCommand)
      .resolvesOnce({ State: "Active", LastUpdateStatus: "InProgress" })
      .resolves({ State: "Active", LastUpdateStatus: "Successful" });
    const steps = await applyPlan({
      aws,
      want,
      live,
      plan,
      zip: new Uint8Array([9]),
      report: () => {},
      sleep: async () => {},
    });
    expect(steps).toEqual([
      { resource: "function", name: "traildigest-digest", action: "update", detail: "runtime, codeSha256" },
    ]);
    expect(lambda.commandCalls(UpdateFunctionCodeCommand)).toHaveLength(1);
    expect(lambda.commandCalls(UpdateFunctionConfigurationCommand)[0]!.args[0].input).toMatchObject({
      Runtime: "nodejs22.x",
    });
  });
  it("writes TRAILDIGEST_SCHEDULES into a deployed function's environment, keeping the webhook and time zone variables", async () => {
    const withSchedules = parseConfig({
      schedules: [
        {
          name: "api-night",
          expression: "cron(0 22 * * ? *)",
          cluster: "dev",
          service: "api",
          desiredCount: 0,
          roleArn: "arn:aws:iam::123456789012:role/sched",
        },
      ],
    });
    const w: Desired = { ...want, config: withSchedules };
    const live = liveWithoutFunction();
    live.function = {
      arn: "f",
      runtime: "nodejs22.x",
      memory: 256,
      timeout: 60,
      handler: "index.handler",
      role: "arn:aws:iam::123456789012:role/traildigest-digest-role",
      codeSha256: "NEW",
      env: { DIGEST_TIMEZONE: "UTC", SLACK_WEBHOOK_SECRET_ID: "traildigest/slack-webhook" },
      state: "Active",
    };
    live.mapping = {
      uuid: "m-1",
      eventSourceArn: live.queue!.arn,
      batchSize: 10,
      windowSeconds: 300,
      functionResponseTypes: ["ReportBatchItemFailures"],
      state: "Enabled",
    };
    const plan = computePlan(w, live);
    expect(
      plan.plan.filter((i) => i.action !== "noop").map((i) => `${i.resource}:${i.changes.map((c) => c.field)}`),
    ).toEqual([
      "function:environment",
      "schedule:expression,timezone,state,description,target.arn,target.roleArn,target.input,target.retryPolicy",
    ]);
    lambda.on(UpdateFunctionConfigurationCommand).resolves({});
    lambda.on(GetFunctionConfigurationCommand).resolves({ State: "Active", LastUpdateStatus: "Successful" });
    const fnOnly = { plan: plan.plan.filter((i) => i.resource === "function") };
    await applyPlan({
      aws,
      want: w,
      live,
      plan: fnOnly,
      zip: new Uint8Array([1]),
      report: () => {},
      sleep: async () => {},
    });
    expect(lambda.commandCalls(UpdateFunctionCodeCommand)).toHaveLength(0);
    expect(lambda.commandCalls(UpdateFunctionConfigurationCommand)[0]!.args[0].input.Environment).toEqual({
      Variables: {
        DIGEST_TIMEZONE: "UTC",
        SLACK_WEBHOOK_SECRET_ID: "traildigest/slack-webhook",
        TRAILDIGEST_SCHEDULES: '{"v":1,"s":{"sched":{"default":[["api-night","dev","api",0]]}}}',
      },
    });
    expect(functionEnvironment(withSchedules)).toEqual(
      lambda.commandCalls(UpdateFunctionConfigurationCommand)[0]!.args[0].input.Environment!.Variables,
    );
  });
});
