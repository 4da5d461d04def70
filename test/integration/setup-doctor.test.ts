// `setup apply|plan` and `doctor` against moto_server, driving the built CLI; every created part
// is verified field by field through the SDK.
import { createHash } from "node:crypto";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CloudTrailClient, CreateTrailCommand, StartLoggingCommand } from "@aws-sdk/client-cloudtrail";
import {
  CreateClusterCommand,
  CreateServiceCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
} from "@aws-sdk/client-ecs";
import {
  DescribeRuleCommand,
  EventBridgeClient,
  ListTargetsByRuleCommand,
  PutEventsCommand,
} from "@aws-sdk/client-eventbridge";
import { CreateRoleCommand, GetRoleCommand, GetRolePolicyCommand, IAMClient } from "@aws-sdk/client-iam";
import {
  GetFunctionConfigurationCommand,
  LambdaClient,
  ListEventSourceMappingsCommand,
  UpdateEventSourceMappingCommand,
} from "@aws-sdk/client-lambda";
import {
  CreateScheduleCommand,
  CreateScheduleGroupCommand,
  DeleteScheduleCommand,
  GetScheduleCommand,
  ListScheduleGroupsCommand,
  ListSchedulesCommand,
  SchedulerClient,
} from "@aws-sdk/client-scheduler";
import { DescribeSecretCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import {
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SQSClient,
  SetQueueAttributesCommand,
} from "@aws-sdk/client-sqs";
import { startMoto, type RunningEmulator } from "../../tools/emulators.js";
import { runCli } from "../support/run-cli.js";

const ACCOUNT = "123456789012"; // moto's default account
const REGION = "us-east-1";
const WEBHOOK = "https://hooks.slack.example/services/T0TEST/B0TEST/integrationsecretvalue";
const SCHED_ROLE = `arn:aws:iam::${ACCOUNT}:role/scheduler-ecs-update`;
const QUEUE_ARN = `arn:aws:sqs:${REGION}:${ACCOUNT}:td-events`;
const RULE_ARN = `arn:aws:events:${REGION}:${ACCOUNT}:rule/td-ecs-calls`;

const CONFIG = {
  region: REGION,
  queue: { name: "td-events", visibilityTimeout: 480, retentionSeconds: 86400 },
  dlq: { name: "td-events-dlq", maxReceiveCount: 5 },
  rule: { name: "td-ecs-calls" },
  function: {
    name: "td-digest",
    timeout: 30,
    memory: 256,
    roleName: "td-digest-role",
    digestTimezone: "Asia/Seoul",
    webhook: { secretId: "td/slack-webhook" },
  },
  batching: { batchSize: 10, windowSeconds: 300 },
  schedules: [
    {
      name: "api-night-down",
      group: "td-nightly",
      expression: "cron(0 22 ? * MON-FRI *)",
      timezone: "Asia/Seoul",
      cluster: "dev",
      service: "api",
      desiredCount: 0,
      roleArn: SCHED_ROLE,
      flexibleWindowMinutes: 5,
      retryPolicy: { maximumRetryAttempts: 3, maximumEventAgeSeconds: 3600 },
    },
  ],
};

let moto: RunningEmulator;
let dir: string;
let env: Record<string, string>;
let clientCfg: { region: string; endpoint: string; credentials: { accessKeyId: string; secretAccessKey: string } };

const cli = (args: string[], extraEnv: Record<string, string | undefined> = {}) =>
  runCli([...args, "--endpoint-url", moto.endpoint], { cwd: dir, env: { ...env, ...extraEnv }, timeoutMs: 110_000 });

async function queueUrl(name: string): Promise<string> {
  const sqs = new SQSClient({ ...clientCfg, useQueueUrlAsEndpoint: false });
  return (await sqs.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl!;
}

type DoctorJson = { checks: { id: string; status: string; message: string; remedy: string }[] };
const failed = (d: DoctorJson) => d.checks.filter((c) => c.status === "fail").map((c) => c.id);

beforeAll(async () => {
  moto = await startMoto();
  dir = await mkdtemp(join(tmpdir(), "td-setup-"));
  await writeFile(join(dir, "traildigest.config.json"), JSON.stringify(CONFIG, null, 2));
  env = { AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test", AWS_REGION: REGION, SLACK_WEBHOOK_URL: WEBHOOK };
  clientCfg = {
    region: REGION,
    endpoint: moto.endpoint,
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  };
});

afterAll(async () => {
  await moto?.stop();
});

describe("setup and doctor on moto", () => {
  it("setup plan from nothing lists every part as create and exits 1 with --exit-code", async () => {
    const r = await cli(["setup", "plan", "--exit-code", "--json"]);
    expect(r.code, r.stderr).toBe(1);
    const plan = JSON.parse(r.stdout).plan as { resource: string; action: string }[];
    expect(plan.map((i) => `${i.resource}:${i.action}`)).toEqual([
      "dlq:create",
      "queue:create",
      "rule:create",
      "queue-policy:create",
      "rule-target:create",
      "webhook-secret:create",
      "role:create",
      "function:create",
      "event-source-mapping:create",
      "schedule-group:create",
      "schedule:create",
    ]);
  });

  it("setup apply refuses to run without --yes when not on a terminal", async () => {
    const r = await cli(["setup", "apply"]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain("refusing to apply without --yes when not on a terminal");
  });

  it('on a terminal, setup apply shows the plan, asks, and applies nothing on "n"', async () => {
    // util-linux `script` gives the CLI a pseudo-terminal; the answer is typed once the question shows.
    const { spawn } = await import("node:child_process");
    const { BIN } = await import("../support/run-cli.js");
    const cmd = `stty cols 150 rows 40; exec ${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} setup apply --endpoint-url ${moto.endpoint}`;
    const child = spawn("script", ["-qefc", cmd, "/dev/null"], {
      cwd: dir,
      env: { ...process.env, ...env, NO_COLOR: "1" },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let out = "";
    let answered = false;
    child.stdout.on("data", (d) => {
      out += d;
      if (!answered && out.includes("Apply these changes? [y/N]")) {
        answered = true;
        child.stdin.write("n\r");
      }
    });
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    expect(answered, out).toBe(true);
    expect(code).toBe(0);
    expect(out).toContain("Plan: 11 to create, 0 to update, 0 unchanged.");
    expect(out).toContain("Nothing applied.");
    const plan = await cli(["setup", "plan", "--exit-code", "--json"]);
    expect(plan.code).toBe(1);
    expect((JSON.parse(plan.stdout).plan as { action: string }[]).every((i) => i.action === "create")).toBe(true);
  });

  it("setup apply --yes creates every part, as configured, without printing the webhook", async () => {
    const r = await cli(["setup", "apply", "--yes", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout + r.stderr).not.toContain(WEBHOOK);
    expect(r.stderr).toMatch(/webhook-secret td\/slack-webhook created from SLACK_WEBHOOK_URL \(value not shown\)/);
    const out = JSON.parse(r.stdout) as { applied: boolean; steps: { resource: string; action: string }[] };
    expect(out.applied).toBe(true);
    expect(out.steps.map((s) => `${s.resource}:${s.action}`)).toEqual([
      "dlq:create",
      "queue:create",
      "rule:create",
      "queue-policy:create",
      "rule-target:create",
      "webhook-secret:create",
      "role:create",
      "function:create",
      "function:wait",
      "event-source-mapping:create",
      "event-source-mapping:wait",
      "schedule-group:create",
      "schedule:create",
    ]);

    // Queue + DLQ + redrive + policy
    const sqs = new SQSClient({ ...clientCfg, useQueueUrlAsEndpoint: false });
    const qa = (
      await sqs.send(new GetQueueAttributesCommand({ QueueUrl: await queueUrl("td-events"), AttributeNames: ["All"] }))
    ).Attributes!;
    expect(qa.VisibilityTimeout).toBe("480");
    expect(qa.MessageRetentionPeriod).toBe("86400");
    expect(JSON.parse(qa.RedrivePolicy!)).toEqual({
      deadLetterTargetArn: `arn:aws:sqs:${REGION}:${ACCOUNT}:td-events-dlq`,
      maxReceiveCount: 5,
    });
    const policy = JSON.parse(qa.Policy!);
    expect(policy.Statement).toEqual([
      {
        Sid: "TraildigestEventsToQueue",
        Effect: "Allow",
        Principal: { Service: "events.amazonaws.com" },
        Action: "sqs:SendMessage",
        Resource: QUEUE_ARN,
        Condition: { ArnEquals: { "aws:SourceArn": RULE_ARN } },
      },
    ]);
    const da = (
      await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: await queueUrl("td-events-dlq"), AttributeNames: ["All"] }),
      )
    ).Attributes!;
    expect(da.MessageRetentionPeriod).toBe("1209600");

    // Rule + target
    const eb = new EventBridgeClient(clientCfg);
    const rule = await eb.send(new DescribeRuleCommand({ Name: "td-ecs-calls" }));
    expect(rule.State).toBe("ENABLED");
    expect(JSON.parse(rule.EventPattern!)).toEqual({
      source: ["aws.ecs"],
      "detail-type": ["AWS API Call via CloudTrail"],
      detail: { eventSource: ["ecs.amazonaws.com"], eventName: ["UpdateService"] },
    });
    const targets = (await eb.send(new ListTargetsByRuleCommand({ Rule: "td-ecs-calls" }))).Targets!;
    expect(targets).toHaveLength(1);
    expect(targets[0]!.Arn).toBe(QUEUE_ARN);
    expect(targets[0]!.RoleArn).toBeUndefined();

    // Secret exists (its value is not read here either)
    const sm = new SecretsManagerClient(clientCfg);
    expect((await sm.send(new DescribeSecretCommand({ SecretId: "td/slack-webhook" }))).Name).toBe("td/slack-webhook");

    // Role: trust + least-privilege inline policy
    const iam = new IAMClient(clientCfg);
    const role = (await iam.send(new GetRoleCommand({ RoleName: "td-digest-role" }))).Role!;
    const trust = JSON.parse(decodeURIComponent(role.AssumeRolePolicyDocument!));
    expect(trust.Statement).toEqual([
      { Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" },
    ]);
    const inline = JSON.parse(
      decodeURIComponent(
        (await iam.send(new GetRolePolicyCommand({ RoleName: "td-digest-role", PolicyName: "traildigest-digest" })))
          .PolicyDocument!,
      ),
    );
    const bySid = Object.fromEntries(inline.Statement.map((s: { Sid: string }) => [s.Sid, s]));
    expect(bySid.ConsumeQueue).toMatchObject({
      Action: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"],
      Resource: QUEUE_ARN,
    });
    expect(bySid.ReadWebhook).toMatchObject({
      Action: "secretsmanager:GetSecretValue",
      Resource: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:td/slack-webhook-??????`,
    });
    expect(bySid.WriteLogs.Resource).toBe(
      `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/lambda/td-digest:log-stream:*`,
    );
    expect(Object.keys(bySid).sort()).toEqual(["ConsumeQueue", "CreateLogGroup", "ReadWebhook", "WriteLogs"]);

    // Function: code is dist/handler.zip, config as configured, webhook only by reference
    const lambda = new LambdaClient(clientCfg);
    const fn = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: "td-digest" }));
    expect(fn.Runtime).toBe("nodejs22.x");
    expect(fn.Handler).toBe("index.handler");
    expect(fn.Timeout).toBe(30);
    expect(fn.MemorySize).toBe(256);
    expect(fn.Role).toBe(`arn:aws:iam::${ACCOUNT}:role/td-digest-role`);
    expect(fn.Environment?.Variables).toEqual({
      DIGEST_TIMEZONE: "Asia/Seoul",
      SLACK_WEBHOOK_SECRET_ID: "td/slack-webhook",
      // The configured schedules, so the handler names the schedule behind a scheduled call (docs/call-kinds.md).
      TRAILDIGEST_SCHEDULES: JSON.stringify({
        v: 1,
        s: { "scheduler-ecs-update": { "td-nightly": [["api-night-down", "dev", "api", 0]] } },
      }),
    });
    const zip = await readFile(new URL("../../dist/handler.zip", import.meta.url));
    expect(fn.CodeSha256).toBe(createHash("sha256").update(zip).digest("base64"));

    // Event source mapping
    const maps = (await lambda.send(new ListEventSourceMappingsCommand({ FunctionName: "td-digest" })))
      .EventSourceMappings!;
    expect(maps).toHaveLength(1);
    expect(maps[0]).toMatchObject({
      EventSourceArn: QUEUE_ARN,
      BatchSize: 10,
      MaximumBatchingWindowInSeconds: 300,
      FunctionResponseTypes: ["ReportBatchItemFailures"],
      State: "Enabled",
    });

    // Schedule group + schedule (universal target, full definition)
    const sch = new SchedulerClient(clientCfg);
    const groups = (await sch.send(new ListScheduleGroupsCommand({}))).ScheduleGroups!.map((g) => g.Name);
    expect(groups).toContain("td-nightly");
    const s = await sch.send(new GetScheduleCommand({ Name: "api-night-down", GroupName: "td-nightly" }));
    expect(s.ScheduleExpression).toBe("cron(0 22 ? * MON-FRI *)");
    expect(s.ScheduleExpressionTimezone).toBe("Asia/Seoul");
    expect(s.State).toBe("ENABLED");
    expect(s.Description).toContain("managed-by:traildigest");
    expect(s.FlexibleTimeWindow).toEqual({ Mode: "FLEXIBLE", MaximumWindowInMinutes: 5 });
    expect(s.Target?.Arn).toBe("arn:aws:scheduler:::aws-sdk:ecs:updateService");
    expect(s.Target?.RoleArn).toBe(SCHED_ROLE);
    expect(JSON.parse(s.Target!.Input!)).toEqual({ Cluster: "dev", Service: "api", DesiredCount: 0 });
    expect(s.Target?.RetryPolicy).toEqual({ MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 });
  });

  it("a second plan has no changes (--exit-code exits 0) and a second apply does nothing", async () => {
    const plan = await cli(["setup", "plan", "--exit-code", "--json"]);
    expect(plan.code, plan.stdout + plan.stderr).toBe(0);
    expect((JSON.parse(plan.stdout).plan as { action: string }[]).every((i) => i.action === "noop")).toBe(true);
    const table = await cli(["setup", "plan"]);
    expect(table.stdout).toMatch(/No changes: the pipeline matches the config \(\d+ resources checked\)\./);
    const again = await cli(["setup", "apply", "--yes", "--json"]);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout).steps).toEqual([]);
  });

  it("a CloudTrail-shaped UpdateService event on the default bus reaches the queue setup created", async () => {
    const fixture = JSON.parse(
      await readFile(new URL("../fixtures/eventbridge-updateservice.json", import.meta.url), "utf8"),
    );
    const eb = new EventBridgeClient(clientCfg);
    const put = await eb.send(
      new PutEventsCommand({
        Entries: [
          { Source: fixture.source, DetailType: fixture["detail-type"], Detail: JSON.stringify(fixture.detail) },
        ],
      }),
    );
    expect(put.FailedEntryCount).toBe(0);
    // An event the rule must not match (another API call) is put too; it must not arrive.
    await eb.send(
      new PutEventsCommand({
        Entries: [
          {
            Source: "aws.ecs",
            DetailType: "AWS API Call via CloudTrail",
            Detail: JSON.stringify({ ...fixture.detail, eventName: "DescribeServices" }),
          },
        ],
      }),
    );
    const sqs = new SQSClient({ ...clientCfg, useQueueUrlAsEndpoint: false });
    const got = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: await queueUrl("td-events"),
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 2,
        VisibilityTimeout: 0,
      }),
    );
    const bodies = (got.Messages ?? []).map((m) => JSON.parse(m.Body!));
    expect(bodies).toHaveLength(1);
    expect(bodies[0]).toMatchObject({
      source: "aws.ecs",
      "detail-type": "AWS API Call via CloudTrail",
      detail: { eventName: "UpdateService", eventID: fixture.detail.eventID },
    });
  });

  it("doctor fails without a trail and ECS service, and passes once they exist", async () => {
    const before = await cli(["doctor", "--json"]);
    expect(before.code, before.stderr).toBe(1);
    expect(failed(JSON.parse(before.stdout))).toEqual([
      "trail.logging",
      "schedule.td-nightly/api-night-down.service",
      "schedule.td-nightly/api-night-down.role",
    ]);

    // A logging trail, the ECS service the schedule scales, and the scheduler's role.
    await fetch(`${moto.endpoint}/td-trail-bucket`, { method: "PUT" });
    const ct = new CloudTrailClient(clientCfg);
    await ct.send(
      new CreateTrailCommand({ Name: "td-trail", S3BucketName: "td-trail-bucket", IsMultiRegionTrail: true }),
    );
    await ct.send(new StartLoggingCommand({ Name: "td-trail" }));
    const ecs = new ECSClient(clientCfg);
    await ecs.send(new CreateClusterCommand({ clusterName: "dev" }));
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: "api",
        containerDefinitions: [{ name: "api", image: "nginx", memory: 128 }],
      }),
    );
    await ecs.send(
      new CreateServiceCommand({ cluster: "dev", serviceName: "api", taskDefinition: "api", desiredCount: 1 }),
    );
    await new IAMClient(clientCfg).send(
      new CreateRoleCommand({
        RoleName: "scheduler-ecs-update",
        AssumeRolePolicyDocument: JSON.stringify({
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Principal: { Service: "scheduler.amazonaws.com" }, Action: "sts:AssumeRole" }],
        }),
      }),
    );

    const after = await cli(["doctor", "--json"]);
    const d = JSON.parse(after.stdout) as DoctorJson;
    expect(
      d.checks.filter((c) => c.status !== "pass"),
      after.stderr,
    ).toEqual([]);
    expect(after.code).toBe(0);
    expect(d.checks.find((c) => c.id === "rule.pattern")!.message).toMatch(/local matcher/); // moto gives TestEventPattern no answer
    expect(JSON.stringify(d)).not.toContain(WEBHOOK);

    const table = await cli(["doctor"]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/CloudTrail\n  ✔ trail\.logging/);
    expect(table.stdout).toMatch(/\d+ passed, 0 warnings, 0 failed/);
  });

  it("doctor names exactly the broken checks after visibility, queue policy and mapping are broken; apply repairs them", async () => {
    const sqs = new SQSClient({ ...clientCfg, useQueueUrlAsEndpoint: false });
    const url = await queueUrl("td-events");
    await sqs.send(
      new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { VisibilityTimeout: "10", Policy: "" } }),
    );
    const lambda = new LambdaClient(clientCfg);
    const [m] = (await lambda.send(new ListEventSourceMappingsCommand({ FunctionName: "td-digest" })))
      .EventSourceMappings!;
    await lambda.send(new UpdateEventSourceMappingCommand({ UUID: m!.UUID!, Enabled: false }));

    const r = await cli(["doctor", "--json"]);
    expect(r.code, r.stderr).toBe(1);
    const d = JSON.parse(r.stdout) as DoctorJson;
    expect(failed(d).sort()).toEqual(["mapping.enabled", "queue.policy", "queue.visibility-vs-timeout"]);
    for (const c of d.checks.filter((x) => x.status === "fail")) expect(c.remedy).not.toBe("");

    const table = await cli(["doctor"]);
    expect(table.code).toBe(1);
    expect(table.stdout).toMatch(/✖ queue\.visibility-vs-timeout +visibility timeout 10 s < function timeout 30 s/);

    const plan = await cli(["setup", "plan", "--exit-code", "--json"]);
    expect(plan.code).toBe(1);
    const changed = (
      JSON.parse(plan.stdout).plan as {
        resource: string;
        action: string;
        changes: { field: string; from: unknown; to: unknown }[];
      }[]
    ).filter((i) => i.action !== "noop");
    expect(changed.map((i) => `${i.resource}:${i.action}`)).toEqual([
      "queue:update",
      "queue-policy:create",
      "event-source-mapping:update",
    ]);
    expect(changed[0]!.changes).toEqual([{ field: "visibilityTimeout", from: 10, to: 480 }]);
    expect(changed[2]!.changes).toEqual([{ field: "enabled", from: false, to: true }]);

    const fix = await cli(["setup", "apply", "--yes"]);
    expect(fix.code, fix.stderr).toBe(0);
    const healthy = await cli(["doctor", "--json"]);
    expect(failed(JSON.parse(healthy.stdout))).toEqual([]);
    expect(healthy.code).toBe(0);
  });

  it("apply refuses, before changing anything, when the secret must be created and SLACK_WEBHOOK_URL is unset", async () => {
    const other = { ...CONFIG, function: { ...CONFIG.function, webhook: { secretId: "td/other-webhook" } } };
    await writeFile(join(dir, "other.json"), JSON.stringify(other));
    // A wide terminal: this test reads the plan's wording; fitting to 80 columns is tested in operator-contract.test.ts.
    const plan = await cli(["setup", "plan", "--config", "other.json"], {
      SLACK_WEBHOOK_URL: undefined,
      COLUMNS: "200",
    });
    expect(plan.code).toBe(0);
    expect(plan.stdout).toMatch(/webhook-secret .*td\/other-webhook .*create/);
    expect(plan.stdout).toContain("SLACK_WEBHOOK_URL is not set: apply will refuse until it is");
    const r = await cli(["setup", "apply", "--yes", "--config", "other.json"], { SLACK_WEBHOOK_URL: undefined });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: secret td\/other-webhook does not exist and SLACK_WEBHOOK_URL is not set/m);
    const fn = await new LambdaClient(clientCfg).send(
      new GetFunctionConfigurationCommand({ FunctionName: "td-digest" }),
    );
    expect(fn.Environment?.Variables?.SLACK_WEBHOOK_SECRET_ID).toBe("td/slack-webhook"); // untouched
  });

  it("--prune deletes only marked schedules in the config's groups that the config no longer names", async () => {
    const sch = new SchedulerClient(clientCfg);
    const base = {
      GroupName: "td-nightly",
      ScheduleExpression: "rate(1 hour)",
      FlexibleTimeWindow: { Mode: "OFF" as const },
      Target: { Arn: "arn:aws:scheduler:::aws-sdk:ecs:updateService", RoleArn: SCHED_ROLE, Input: "{}" },
    };
    await sch.send(
      new CreateScheduleCommand({
        ...base,
        Name: "old-marked",
        Description: "scale dev/api to 1 (managed-by:traildigest)",
      }),
    );
    await sch.send(new CreateScheduleCommand({ ...base, Name: "hand-made", Description: "made in the console" }));
    // The marker as a substring, in the managed group and in another: not ours.
    await sch.send(new CreateScheduleCommand({ ...base, Name: "unmanaged", Description: "unmanaged-by:traildigest" }));
    await sch.send(
      new CreateScheduleCommand({
        ...base,
        Name: "copied",
        Description: "copied from a managed-by:traildigest schedule",
      }),
    );
    await sch.send(new CreateScheduleGroupCommand({ Name: "td-other" }));
    await sch.send(
      new CreateScheduleCommand({
        ...base,
        GroupName: "td-other",
        Name: "copied",
        Description: "copied from a managed-by:traildigest schedule",
      }),
    );

    const plain = await cli(["setup", "plan", "--exit-code", "--json"]);
    expect(plain.code).toBe(0); // without --prune, extra schedules are not the plan's business
    const plan = await cli(["setup", "plan", "--prune", "--json"]);
    const deletes = (JSON.parse(plan.stdout).plan as { name: string; action: string }[]).filter(
      (i) => i.action === "delete",
    );
    expect(deletes.map((i) => i.name)).toEqual(["td-nightly/old-marked"]);

    const r = await cli(["setup", "apply", "--yes", "--prune", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).steps).toEqual([
      { resource: "schedule", name: "td-nightly/old-marked", action: "delete" },
    ]);
    const left = (await sch.send(new ListSchedulesCommand({ GroupName: "td-nightly" })))
      .Schedules!.map((x) => x.Name)
      .sort();
    expect(left).toEqual(["api-night-down", "copied", "hand-made", "unmanaged"]);
    expect((await sch.send(new ListSchedulesCommand({ GroupName: "td-other" }))).Schedules!.map((x) => x.Name)).toEqual(
      ["copied"],
    );
  });

  it("a hand-made schedule with a config entry's name is a conflict: not rewritten (nor pruned) without --adopt", async () => {
    const sch = new SchedulerClient(clientCfg);
    await sch.send(new DeleteScheduleCommand({ Name: "api-night-down", GroupName: "td-nightly" }));
    const mine = {
      Name: "api-night-down",
      GroupName: "td-nightly",
      ScheduleExpression: "rate(2 hours)",
      Description: "the on-call's own schedule",
      FlexibleTimeWindow: { Mode: "OFF" as const },
      Target: { Arn: "arn:aws:scheduler:::aws-sdk:ecs:updateService", RoleArn: SCHED_ROLE, Input: "{}" },
    };
    await sch.send(new CreateScheduleCommand(mine));
    const plan = await cli(["setup", "plan", "--prune", "--json"]);
    const item = (JSON.parse(plan.stdout).plan as { name: string; action: string; note?: string }[]).find(
      (i) => i.name === "td-nightly/api-night-down",
    )!;
    expect(item.action).toBe("conflict");
    expect(item.note).toContain("--adopt td-nightly/api-night-down");
    const table = await cli(["setup", "plan"]);
    expect(table.stdout).toMatch(/conflict/);
    const r = await cli(["setup", "apply", "--yes", "--prune"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^error: refusing to rewrite a schedule traildigest did not create: td-nightly\/api-night-down \(pass --adopt td-nightly\/api-night-down/m,
    );
    const after = await sch.send(new GetScheduleCommand({ Name: "api-night-down", GroupName: "td-nightly" }));
    expect(after).toMatchObject({ Description: mine.Description, ScheduleExpression: mine.ScheduleExpression });
    const adopted = await cli(["setup", "apply", "--yes", "--adopt", "td-nightly/api-night-down", "--json"]);
    expect(adopted.code, adopted.stderr).toBe(0);
    const now = await sch.send(new GetScheduleCommand({ Name: "api-night-down", GroupName: "td-nightly" }));
    expect(now.Description).toBe("scale dev/api to 0 (managed-by:traildigest)");
  });
});
