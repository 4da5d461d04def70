// The one ARN module (src/core/aws/arn.ts): parse and build round trips, the partition of every
// region family, malformed input, and setup in a China region building aws-cn ARNs while the
// Terraform / CloudFormation export stays symbolic (its partition comes from the IaC tool).
import { afterEach, describe, expect, it } from "vitest";
import { mockClient } from "aws-sdk-client-mock";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import {
  assumedRoleArn,
  buildArn,
  ecsUpdateServiceTarget,
  functionLogGroupArn,
  isArn,
  parameterArn,
  parseArn,
  partitionOf,
  queueArn,
  queueNameFromArn,
  roleArn,
  roleNameFromArn,
  ruleArn,
  universalTargetAction,
  universalTargetArn,
} from "../src/core/aws/arn.js";
import { resolveIdentity } from "../src/adapters/aws/live-state.js";
import { parseConfig } from "../src/core/setup/config-schema.js";
import { computePlan, type LiveState } from "../src/core/setup/plan.js";
import { desiredPipeline } from "../src/core/setup/desired.js";
import { renderTerraform } from "../src/core/setup/export/terraform.js";
import { cloudFormationTemplate } from "../src/core/setup/export/cloudformation.js";
import { parseQueueArg } from "../src/adapters/aws/sqs.js";
import { targetKind } from "../src/core/schedule/schedules.js";

describe("parseArn / buildArn", () => {
  const cases = [
    "arn:aws:sqs:us-east-1:123456789012:traildigest-events",
    "arn:aws:iam::123456789012:role/ops/scaler",
    "arn:aws:lambda:eu-west-1:123456789012:function:digest:PROD",
    "arn:aws:ecs:ap-northeast-2:123456789012:task-definition/api:42",
    "arn:aws:ecs:ap-northeast-2:123456789012:service/dev/api",
    "arn:aws-cn:logs:cn-north-1:123456789012:log-group:/aws/lambda/fn:log-stream:*",
    "arn:aws-us-gov:secretsmanager:us-gov-west-1:123456789012:secret:td/hook-AbC123",
    "arn:aws-iso-b:ssm:us-isob-east-1:123456789012:parameter/td/hook",
    "arn:aws:scheduler:::aws-sdk:ecs:updateService",
    "arn:aws:s3:::bucket/key/with:colon",
  ];
  it.each(cases)("round-trips %s", (text) => {
    const a = parseArn(text)!;
    expect(a).toBeDefined();
    expect(buildArn(a)).toBe(text);
  });

  it("keeps a resource with colons and slashes whole", () => {
    expect(parseArn("arn:aws-cn:logs:cn-north-1:123456789012:log-group:/aws/lambda/fn:log-stream:*")).toEqual({
      partition: "aws-cn",
      service: "logs",
      region: "cn-north-1",
      account: "123456789012",
      resource: "log-group:/aws/lambda/fn:log-stream:*",
    });
    expect(parseArn("arn:aws:ecs:r:1:task-definition/api:42")?.resource).toBe("task-definition/api:42");
  });

  it("reads the empty region and account of IAM and Scheduler's universal targets", () => {
    expect(parseArn("arn:aws:iam::123456789012:role/x")).toMatchObject({
      region: "",
      account: "123456789012",
      resource: "role/x",
    });
    expect(parseArn("arn:aws:scheduler:::aws-sdk:ecs:updateService")).toMatchObject({
      region: "",
      account: "",
      resource: "aws-sdk:ecs:updateService",
    });
  });

  it.each([
    ["empty", ""],
    ["a name", "traildigest-events"],
    ["a URL", "https://sqs.us-east-1.amazonaws.com/123456789012/q"],
    ["too few parts", "arn:aws:sqs:us-east-1:123456789012"],
    ["no resource", "arn:aws:sqs:us-east-1:123456789012:"],
    ["no service", "arn:aws::us-east-1:123456789012:q"],
    ["not a partition", "arn:gcp:sqs:us-east-1:123456789012:q"],
    ["a prefix only", "arn:"],
    ["uppercase scheme", "ARN:aws:sqs:us-east-1:123456789012:q"],
  ])("gives undefined for %s", (_what, text) => {
    expect(parseArn(text)).toBeUndefined();
  });
  it("gives undefined for null and undefined", () => {
    expect(parseArn(undefined)).toBeUndefined();
    expect(parseArn(null)).toBeUndefined();
    expect(isArn("arn:aws:sqs:r:1:q")).toBe(true);
    expect(isArn("q")).toBe(false);
  });

  it("builds with the region's partition when none is given", () => {
    expect(buildArn({ service: "sqs", region: "cn-northwest-1", account: "1", resource: "q" })).toBe(
      "arn:aws-cn:sqs:cn-northwest-1:1:q",
    );
    expect(buildArn({ service: "iam", account: "1", resource: "role/r" })).toBe("arn:aws:iam::1:role/r");
  });
});

describe("partitionOf", () => {
  it.each([
    ["us-east-1", "aws"],
    ["eu-west-1", "aws"],
    ["ap-northeast-2", "aws"],
    ["cn-north-1", "aws-cn"],
    ["cn-northwest-1", "aws-cn"],
    ["us-gov-west-1", "aws-us-gov"],
    ["us-gov-east-1", "aws-us-gov"],
    ["us-iso-east-1", "aws-iso"],
    ["us-isob-east-1", "aws-iso-b"],
    ["us-isof-south-1", "aws-iso-f"],
    ["eu-isoe-west-1", "aws-iso-e"],
    ["eusc-de-east-1", "aws-eusc"],
    ["", "aws"],
  ])("%s → %s", (region, partition) => {
    expect(partitionOf(region)).toBe(partition);
  });
  it("defaults to aws without a region", () => expect(partitionOf(undefined)).toBe("aws"));
});

describe("named ARNs", () => {
  const cn = { account: "123456789012", region: "cn-north-1" };
  const aws = { account: "123456789012", region: "us-east-1" };
  it("build in the scope's partition (named, else the region's)", () => {
    expect(queueArn(aws, "q")).toBe("arn:aws:sqs:us-east-1:123456789012:q");
    expect(queueArn(cn, "q")).toBe("arn:aws-cn:sqs:cn-north-1:123456789012:q");
    expect(ruleArn(cn, "r")).toBe("arn:aws-cn:events:cn-north-1:123456789012:rule/r");
    expect(roleArn(cn, "r")).toBe("arn:aws-cn:iam::123456789012:role/r");
    expect(roleArn({ ...cn, partition: "aws" }, "r")).toBe("arn:aws:iam::123456789012:role/r");
    expect(functionLogGroupArn(aws, "fn")).toBe("arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/fn");
    expect(parameterArn(aws, "/td/hook")).toBe("arn:aws:ssm:us-east-1:123456789012:parameter/td/hook");
    expect(assumedRoleArn("aws-us-gov", "1", "role", "s")).toBe("arn:aws-us-gov:sts::1:assumed-role/role/s");
  });

  it("Scheduler's universal target in every partition, and read back", () => {
    expect(ecsUpdateServiceTarget()).toBe("arn:aws:scheduler:::aws-sdk:ecs:updateService");
    expect(ecsUpdateServiceTarget("aws-cn")).toBe("arn:aws-cn:scheduler:::aws-sdk:ecs:updateService");
    expect(universalTargetAction(universalTargetArn("aws-us-gov", "sqs", "sendMessage"))).toEqual({
      service: "sqs",
      action: "sendMessage",
    });
    expect(universalTargetAction("arn:aws:sqs:us-east-1:1:q")).toBeUndefined();
    expect(targetKind("arn:aws-cn:scheduler:::aws-sdk:ecs:updateService")).toBe("ecs:updateService");
    expect(targetKind("arn:aws-cn:ecs:cn-north-1:1:cluster/dev")).toBe("ecs:runTask");
    expect(targetKind("not an arn")).toBe("unknown");
  });

  it("names from ARNs", () => {
    expect(queueNameFromArn("arn:aws-cn:sqs:cn-north-1:1:q-dlq")).toBe("q-dlq");
    expect(queueNameFromArn("arn:aws:sns:us-east-1:1:t")).toBeUndefined();
    expect(roleNameFromArn("arn:aws-cn:iam::1:role/ops/scaler")).toBe("scaler");
    expect(roleNameFromArn("arn:aws-us-gov:sts::1:assumed-role/scaler/sess")).toBe("scaler");
    expect(roleNameFromArn("scaler")).toBe("scaler");
    expect(roleNameFromArn("arn:aws:sqs:us-east-1:1:q")).toBeUndefined();
    expect(parseQueueArg("arn:aws-cn:sqs:cn-north-1:123456789012:q")).toEqual({
      kind: "arn",
      name: "q",
      region: "cn-north-1",
      account: "123456789012",
    });
  });

  it("the config accepts role and dead-letter ARNs in every partition", () => {
    const s = { name: "a", expression: "rate(1 hour)", cluster: "c", service: "s", desiredCount: 0 };
    const cfg = parseConfig({
      region: "cn-north-1",
      schedules: [
        {
          ...s,
          roleArn: "arn:aws-cn:iam::123456789012:role/x",
          deadLetterArn: "arn:aws-cn:sqs:cn-north-1:123456789012:d",
        },
      ],
    });
    expect(cfg.schedules[0]!.roleArn).toBe("arn:aws-cn:iam::123456789012:role/x");
    expect(() => parseConfig({ schedules: [{ ...s, roleArn: "arn:aws-cn:sqs:cn-north-1:123456789012:x" }] })).toThrow(
      /IAM role ARN/,
    );
  });
});

describe("setup in a China region", () => {
  const restore: (() => void)[] = [];
  afterEach(() => {
    for (const r of restore.splice(0)) r();
  });

  const base = {
    function: { webhook: { parameter: "/td/slack-webhook" } },
    schedules: [
      {
        name: "night",
        expression: "cron(0 22 * * ? *)",
        cluster: "dev",
        service: "api",
        desiredCount: 0,
        roleArn: "arn:aws-cn:iam::123456789012:role/sched",
      },
    ],
  };
  const EMPTY: LiveState = { targets: [], webhookExists: false, scheduleGroups: ["default"], schedules: [] };

  it("setup plan for cn-north-1 builds arn:aws-cn: ARNs in the queue policy, the role policy and the schedule target", async () => {
    const sts = mockClient(STSClient);
    restore.push(() => sts.restore());
    sts
      .on(GetCallerIdentityCommand)
      .resolves({ Account: "123456789012", Arn: "arn:aws-cn:iam::123456789012:user/ops" });
    const identity = await resolveIdentity({ region: "cn-north-1", endpointUrl: "http://127.0.0.1:9" });
    expect(identity).toEqual({ account: "123456789012", region: "cn-north-1", partition: "aws-cn" });

    const cfg = parseConfig({ region: "cn-north-1", ...base });
    const plan = computePlan({ config: cfg, identity, codeSha256: "x", webhookEnvSet: true }, EMPTY);
    const to = (resource: string, field: string) =>
      plan.plan.find((i) => i.resource === resource)?.changes.find((c) => c.field === field)?.to;

    // The plan names the queue policy's statement; the document apply writes is the desired pipeline's.
    expect(to("queue-policy", "statement")).toMatch(/SendMessage from rule\//);
    const queuePolicy = JSON.stringify(desiredPipeline(cfg, identity).queuePolicy.document);
    expect(queuePolicy).toContain('"Resource":"arn:aws-cn:sqs:cn-north-1:123456789012:traildigest-events"');
    expect(queuePolicy).toContain('"aws:SourceArn":"arn:aws-cn:events:cn-north-1:123456789012:rule/');
    const rolePolicy = JSON.stringify(plan.plan.find((i) => i.resource === "role")?.changes.map((c) => c.to));
    expect(rolePolicy).toContain("arn:aws-cn:sqs:cn-north-1:123456789012:traildigest-events");
    expect(rolePolicy).toContain("arn:aws-cn:logs:cn-north-1:123456789012:log-group:/aws/lambda/traildigest-digest");
    expect(rolePolicy).toContain("arn:aws-cn:ssm:cn-north-1:123456789012:parameter/td/slack-webhook");
    expect(to("schedule", "target.arn")).toBe("arn:aws-cn:scheduler:::aws-sdk:ecs:updateService");
    // No ARN in the whole plan is in the aws partition but the ones the config wrote itself.
    expect(JSON.stringify(plan)).not.toMatch(/arn:aws:/);
  });

  it("the Terraform and CloudFormation export is the same as for an aws region (partition from the IaC tool)", () => {
    const cn = parseConfig({ region: "cn-north-1", ...base });
    const eu = parseConfig({ region: "eu-west-1", ...base });
    const tf = JSON.stringify(renderTerraform(cn));
    const cfn = JSON.stringify(cloudFormationTemplate(cn));
    expect(tf.replaceAll("cn-north-1", "eu-west-1")).toBe(JSON.stringify(renderTerraform(eu)));
    expect(cfn.replaceAll("cn-north-1", "eu-west-1")).toBe(JSON.stringify(cloudFormationTemplate(eu)));
    expect(tf).not.toContain("arn:aws-cn:sqs");
    expect(tf).toContain("data.aws_partition.current.partition");
    expect(cfn).not.toContain("arn:aws-cn:sqs");
    expect(cfn).toContain("AWS::Partition");
  });
});
