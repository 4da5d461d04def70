// `setup export` against moto_server: the import IDs of a pipeline `setup apply` built, and the
// CloudFormation template deployed with CreateStack, its queue, rule and mapping read back.
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse as parseHcl } from "@cdktf/hcl2json";
import {
  CloudFormationClient,
  CreateStackCommand,
  DescribeStacksCommand,
  DescribeStackResourcesCommand,
} from "@aws-sdk/client-cloudformation";
import { DescribeRuleCommand, EventBridgeClient, ListTargetsByRuleCommand } from "@aws-sdk/client-eventbridge";
import { GetRolePolicyCommand, IAMClient } from "@aws-sdk/client-iam";
import { GetFunctionConfigurationCommand, LambdaClient, ListEventSourceMappingsCommand } from "@aws-sdk/client-lambda";
import { CreateBucketCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { GetQueueAttributesCommand, GetQueueUrlCommand, SQSClient } from "@aws-sdk/client-sqs";
import { startMoto, type RunningEmulator } from "../../tools/emulators.js";
import { runCli } from "../support/run-cli.js";

const ACCOUNT = "123456789012";
const REGION = "us-east-1";
const SCHED_ROLE = `arn:aws:iam::${ACCOUNT}:role/scheduler-ecs-update`;
const CONFIG = {
  region: REGION,
  queue: { name: "tdx-events" },
  dlq: { name: "tdx-events-dlq", maxReceiveCount: 4 },
  rule: { name: "tdx-ecs-calls" },
  function: {
    name: "tdx-digest",
    timeout: 30,
    roleName: "tdx-digest-role",
    webhook: { secretId: "tdx/slack-webhook" },
  },
  batching: { batchSize: 25, windowSeconds: 120 },
  schedules: [
    {
      name: "api-night-down",
      group: "tdx-nightly",
      expression: "cron(0 22 ? * MON-FRI *)",
      cluster: "dev",
      service: "api",
      desiredCount: 0,
      roleArn: SCHED_ROLE,
    },
  ],
};

let moto: RunningEmulator;
let dir: string;
let env: Record<string, string>;
let clientCfg: { region: string; endpoint: string; credentials: { accessKeyId: string; secretAccessKey: string } };
const cli = (args: string[]) =>
  runCli([...args, "--endpoint-url", moto.endpoint], { cwd: dir, env, timeoutMs: 110_000 });

beforeAll(async () => {
  moto = await startMoto();
  dir = await mkdtemp(join(tmpdir(), "td-export-"));
  await writeFile(join(dir, "traildigest.config.json"), JSON.stringify(CONFIG, null, 2));
  env = {
    AWS_ACCESS_KEY_ID: "test",
    AWS_SECRET_ACCESS_KEY: "test",
    AWS_REGION: REGION,
    SLACK_WEBHOOK_URL: "https://hooks.slack.example/services/T0/B0/exportsecret",
  };
  clientCfg = {
    region: REGION,
    endpoint: moto.endpoint,
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  };
});

afterAll(async () => {
  await moto?.stop();
});

describe("setup export on moto", () => {
  it("--import adopts a pipeline setup apply built: every import block carries the live ID", async () => {
    const applied = await cli(["setup", "apply", "--yes"]);
    expect(applied.code, applied.stderr).toBe(0);

    const r = await cli(["setup", "export", "--format", "terraform", "--import", "--out", "tf", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ format: "terraform", imported: 11 });
    const imports = (
      (await parseHcl("imports.tf", await readFile(join(dir, "tf", "imports.tf"), "utf8"))) as {
        import: { to: string; id: string }[];
      }
    ).import;
    const byTo = Object.fromEntries(imports.map((i) => [i.to.replace(/^\$\{|\}$/g, ""), i.id]));

    // The IDs, read independently through the SDK.
    const sqs = new SQSClient({ ...clientCfg, useQueueUrlAsEndpoint: false });
    const url = async (n: string) => (await sqs.send(new GetQueueUrlCommand({ QueueName: n }))).QueueUrl!;
    const lambda = new LambdaClient(clientCfg);
    const mappings = (await lambda.send(new ListEventSourceMappingsCommand({ FunctionName: "tdx-digest" })))
      .EventSourceMappings!;
    const targets = (
      await new EventBridgeClient(clientCfg).send(new ListTargetsByRuleCommand({ Rule: "tdx-ecs-calls" }))
    ).Targets!;
    const fn = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: "tdx-digest" }));
    const policy = await new IAMClient(clientCfg).send(
      new GetRolePolicyCommand({ RoleName: "tdx-digest-role", PolicyName: "traildigest-digest" }),
    );
    expect(byTo).toEqual({
      "aws_sqs_queue.dlq": await url("tdx-events-dlq"),
      "aws_sqs_queue.events": await url("tdx-events"),
      "aws_sqs_queue_policy.events": await url("tdx-events"),
      "aws_cloudwatch_event_rule.ecs_calls": "tdx-ecs-calls",
      "aws_cloudwatch_event_target.queue": `tdx-ecs-calls/${targets[0]!.Id}`,
      "aws_iam_role.digest": "tdx-digest-role",
      "aws_iam_role_policy.digest": `${policy.RoleName}:${policy.PolicyName}`,
      "aws_lambda_function.digest": fn.FunctionName,
      "aws_lambda_event_source_mapping.digest": mappings[0]!.UUID,
      "aws_scheduler_schedule_group.tdx-nightly": "tdx-nightly",
      "aws_scheduler_schedule.tdx-nightly_api-night-down": "tdx-nightly/api-night-down",
    });
    // Every import target is a resource main.tf declares.
    const main = (await parseHcl("main.tf", await readFile(join(dir, "tf", "main.tf"), "utf8"))) as {
      resource: Record<string, Record<string, unknown>>;
    };
    for (const to of Object.keys(byTo)) {
      const [type, label] = to.split(".");
      expect(main.resource[type!]?.[label!], to).toBeDefined();
    }
    const main2 = await readFile(join(dir, "tf", "main.tf"), "utf8");
    expect(main2).not.toContain("exportsecret");

    const c = await cli([
      "setup",
      "export",
      "--format",
      "cloudformation",
      "--import",
      "--out",
      "cfn",
      "--template-format",
      "json",
    ]);
    expect(c.code, c.stderr).toBe(0);
    const toImport = JSON.parse(await readFile(join(dir, "cfn", "resources-to-import.json"), "utf8")) as {
      LogicalResourceId: string;
      ResourceIdentifier: Record<string, string>;
    }[];
    expect(Object.fromEntries(toImport.map((i) => [i.LogicalResourceId, i.ResourceIdentifier]))).toMatchObject({
      EventsQueue: { QueueUrl: await url("tdx-events") },
      DigestEventSourceMapping: { Id: mappings[0]!.UUID },
      EcsCallsRule: { Arn: `arn:aws:events:${REGION}:${ACCOUNT}:rule/tdx-ecs-calls` },
    });
    const importTemplate = JSON.parse(await readFile(join(dir, "cfn", "traildigest-import.json"), "utf8")) as {
      Resources: Record<string, { DeletionPolicy?: string }>;
    };
    expect(Object.values(importTemplate.Resources).every((r) => r.DeletionPolicy === "Retain")).toBe(true);

    // Refuses to overwrite without --force.
    const again = await cli(["setup", "export", "--format", "terraform", "--out", "tf"]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already has main\.tf.*--force/);
  });

  it("the CloudFormation template deploys with CreateStack; queue, rule and mapping come out as configured", async () => {
    // A second pipeline under other names, built by the stack alone. moto's CloudFormation has no
    // AWS::Scheduler types, so this stack leaves schedules out (the spec check in the unit tier covers them).
    const cfg = {
      ...CONFIG,
      queue: { name: "cfn-events" },
      dlq: { name: "cfn-events-dlq", maxReceiveCount: 4 },
      rule: { name: "cfn-ecs-calls" },
      function: { ...CONFIG.function, name: "cfn-digest", roleName: "cfn-digest-role" },
      schedules: [],
    };
    await writeFile(join(dir, "cfn.config.json"), JSON.stringify(cfg));
    const r = await cli([
      "--config",
      "cfn.config.json",
      "setup",
      "export",
      "--format",
      "cloudformation",
      "--out",
      "cfn-stack",
    ]);
    expect(r.code, r.stderr).toBe(0);
    const body = await readFile(join(dir, "cfn-stack", "traildigest.yaml"), "utf8");
    expect(body).not.toContain("exportsecret");

    // The packaging step from NEXT-STEPS.md: handler.zip to S3.
    const s3 = new S3Client({ ...clientCfg, forcePathStyle: true });
    await s3.send(new CreateBucketCommand({ Bucket: "td-code" }));
    await s3.send(
      new PutObjectCommand({
        Bucket: "td-code",
        Key: "traildigest/handler.zip",
        Body: await readFile(join(dir, "cfn-stack", "handler.zip")),
      }),
    );

    const cfn = new CloudFormationClient(clientCfg);
    await cfn.send(
      new CreateStackCommand({
        StackName: "traildigest",
        TemplateBody: body,
        Parameters: [{ ParameterKey: "CodeS3Bucket", ParameterValue: "td-code" }],
        Capabilities: ["CAPABILITY_NAMED_IAM"],
      }),
    );
    let status = "";
    for (let i = 0; i < 100 && !/COMPLETE|FAILED/.test(status); i++) {
      status = (await cfn.send(new DescribeStacksCommand({ StackName: "traildigest" }))).Stacks![0]!.StackStatus!;
      if (!/COMPLETE|FAILED/.test(status)) await new Promise((res) => setTimeout(res, 100));
    }
    const resources = (await cfn.send(new DescribeStackResourcesCommand({ StackName: "traildigest" }))).StackResources!;
    expect(
      status,
      JSON.stringify(resources.map((x) => [x.LogicalResourceId, x.ResourceStatus, x.ResourceStatusReason])),
    ).toBe("CREATE_COMPLETE");
    const stack = (await cfn.send(new DescribeStacksCommand({ StackName: "traildigest" }))).Stacks![0]!;
    const outputs = Object.fromEntries(stack.Outputs!.map((o) => [o.OutputKey, o.OutputValue]));

    const sqs = new SQSClient({ ...clientCfg, useQueueUrlAsEndpoint: false });
    const qUrl = (await sqs.send(new GetQueueUrlCommand({ QueueName: "cfn-events" }))).QueueUrl!;
    // moto answers Ref with its canonical host, GetQueueUrl with the endpoint it was called on.
    expect(outputs.QueueUrl).toMatch(new RegExp(`/${ACCOUNT}/cfn-events$`));
    expect(outputs.FunctionName).toBe("cfn-digest");
    const { Attributes: a } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: qUrl, AttributeNames: ["All"] }),
    );
    expect(Number(a!.VisibilityTimeout)).toBe(6 * 30 + 120);
    expect(JSON.parse(a!.RedrivePolicy!)).toMatchObject({
      deadLetterTargetArn: `arn:aws:sqs:${REGION}:${ACCOUNT}:cfn-events-dlq`,
      maxReceiveCount: 4,
    });
    // moto's CloudFormation lists AWS::SQS::QueuePolicy but does not create it (no type, no policy):
    // the policy document is checked against the spec and by the plan comparison in the unit tier.
    expect(
      resources
        .filter((x) => x.ResourceType)
        .map((x) => x.LogicalResourceId)
        .sort(),
    ).toEqual([
      "DeadLetterQueue",
      "DigestEventSourceMapping",
      "DigestFunction",
      "DigestRole",
      "EcsCallsRule",
      "EventsQueue",
    ]);

    const eb = new EventBridgeClient(clientCfg);
    const rule = await eb.send(new DescribeRuleCommand({ Name: "cfn-ecs-calls" }));
    expect(outputs.RuleArn).toBe(rule.Arn);
    expect(rule.State).toBe("ENABLED");
    expect(JSON.parse(rule.EventPattern!)).toEqual({
      source: ["aws.ecs"],
      "detail-type": ["AWS API Call via CloudTrail"],
      detail: { eventSource: ["ecs.amazonaws.com"], eventName: ["UpdateService"] },
    });
    const targets = (await eb.send(new ListTargetsByRuleCommand({ Rule: "cfn-ecs-calls" }))).Targets!;
    expect(targets.map((t) => [t.Id, t.Arn, t.RoleArn])).toEqual([
      ["traildigest-queue", `arn:aws:sqs:${REGION}:${ACCOUNT}:cfn-events`, undefined],
    ]);

    const lambda = new LambdaClient(clientCfg);
    const [m] = (await lambda.send(new ListEventSourceMappingsCommand({ FunctionName: "cfn-digest" })))
      .EventSourceMappings!;
    expect(m).toMatchObject({
      EventSourceArn: `arn:aws:sqs:${REGION}:${ACCOUNT}:cfn-events`,
      BatchSize: 25,
      MaximumBatchingWindowInSeconds: 120,
      FunctionResponseTypes: ["ReportBatchItemFailures"],
    });
    const fn = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: "cfn-digest" }));
    expect(fn.Environment?.Variables).toEqual({ DIGEST_TIMEZONE: "UTC", SLACK_WEBHOOK_SECRET_ID: "tdx/slack-webhook" });
    expect(fn.Role).toBe(`arn:aws:iam::${ACCOUNT}:role/cfn-digest-role`);

    // The role's inline policy is there under setup's name (moto stores a stack's policy document as
    // a Python dict, so GetRolePolicy answers it in a form setup cannot parse: plan reports it).
    const inline = await new IAMClient(clientCfg).send(
      new GetRolePolicyCommand({ RoleName: "cfn-digest-role", PolicyName: "traildigest-digest" }),
    );
    expect(inline.PolicyDocument).toContain("ConsumeQueue");

    // And `setup plan` sees the stack's pipeline as its own, but for those two moto gaps.
    const plan = await cli(["--config", "cfn.config.json", "setup", "plan", "--json"]);
    const items = JSON.parse(plan.stdout).plan as { resource: string; action: string; changes: { field: string }[] }[];
    expect(
      items
        .filter((i) => i.action !== "noop")
        .map((i) => `${i.resource}:${i.action}:${i.changes.map((c) => c.field).join(",")}`),
    ).toEqual(["queue-policy:create:statement", "role:update:inlinePolicy"]);
  });
});
