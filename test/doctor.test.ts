import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { mockClient } from "aws-sdk-client-mock";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { GetFunctionConfigurationCommand, ListEventSourceMappingsCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { DescribeParametersCommand, SSMClient } from "@aws-sdk/client-ssm";
import { SQSClient } from "@aws-sdk/client-sqs";
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { IAMClient } from "@aws-sdk/client-iam";
import { SchedulerClient } from "@aws-sdk/client-scheduler";
import { CloudTrailClient } from "@aws-sdk/client-cloudtrail";
import { gatherDoctorState } from "../src/adapters/aws/doctor-gather.js";
import { parseConfig } from "../src/core/setup/config-schema.js";
import { doctorExitCode, runChecks, type Check, type DoctorState } from "../src/core/doctor/checks.js";
import { UnsupportedPattern, matchesPattern, sampleEcsCallEvent } from "../src/core/events/event-pattern.js";
import { mergeQueuePolicy, queueArn, ruleArn, rulePattern, ssmParameterName } from "../src/core/setup/policies.js";

const id = { account: "123456789012", region: "us-east-1", partition: "aws" };
const ROLE = "arn:aws:iam::123456789012:role/scheduler-ecs";
const cfg = parseConfig({
  schedules: [
    {
      name: "api-down",
      expression: "cron(0 22 * * ? *)",
      cluster: "dev",
      service: "api",
      desiredCount: 0,
      roleArn: ROLE,
    },
  ],
});

function healthy(): DoctorState {
  const q = queueArn(id, cfg.queue.name);
  return {
    config: cfg,
    identity: id,
    trails: [{ name: "org", homeRegion: "eu-west-1", multiRegion: true, logging: true, managementWrites: true }],
    live: {
      queue: {
        url: "u",
        arn: q,
        visibilityTimeout: 660,
        retentionSeconds: 345600,
        redrive: { deadLetterTargetArn: queueArn(id, cfg.dlq.name), maxReceiveCount: 5 },
        policy: mergeQueuePolicy(undefined, q, ruleArn(id, cfg.rule.name)),
      },
      dlq: { url: "d", arn: queueArn(id, cfg.dlq.name), visibilityTimeout: 30, retentionSeconds: 1209600 },
      rule: { arn: ruleArn(id, cfg.rule.name), state: "ENABLED", pattern: rulePattern(["UpdateService"]) },
      targets: [{ id: "traildigest-queue", arn: q }],
      webhookExists: true,
      function: {
        arn: "f",
        runtime: "nodejs22.x",
        timeout: 60,
        memory: 256,
        env: { SLACK_WEBHOOK_SECRET_ID: "traildigest/slack-webhook" },
        state: "Active",
      },
      mapping: {
        uuid: "m-1",
        eventSourceArn: q,
        batchSize: 10,
        windowSeconds: 300,
        functionResponseTypes: ["ReportBatchItemFailures"],
        state: "Enabled",
      },
      scheduleGroups: ["default"],
      schedules: [
        {
          name: "api-down",
          group: "default",
          expression: "cron(0 22 * * ? *)",
          state: "ENABLED",
          targetArn: "arn:aws:scheduler:::aws-sdk:ecs:updateService",
          roleArn: ROLE,
          input: { Cluster: "dev", Service: "api", DesiredCount: 0 },
          retryPolicy: { maximumRetryAttempts: 185, maximumEventAgeSeconds: 86400 },
        },
      ],
    },
    dlqDepth: { visible: 0, inFlight: 0 },
    deployedWebhookExists: true,
    ecsServices: { "dev/api": "ACTIVE" },
    scheduleRoles: { [ROLE]: "exists" },
  };
}

const status = (checks: Check[]) => Object.fromEntries(checks.map((c) => [c.id, c.status]));
const notPass = (checks: Check[]) => checks.filter((c) => c.status !== "pass").map((c) => `${c.id}:${c.status}`);

describe("runChecks", () => {
  it("passes every check on a healthy pipeline, with stable ids", () => {
    const checks = runChecks(healthy());
    expect(checks.map((c) => c.id)).toEqual([
      "trail.logging",
      "rule.exists",
      "rule.enabled",
      "rule.pattern",
      "rule.scope",
      "rule.target",
      "queue.exists",
      "queue.policy",
      "queue.visibility-vs-timeout",
      "queue.visibility-recommended",
      "dlq.configured",
      "dlq.max-receive",
      "dlq.depth",
      "mapping.exists",
      "mapping.enabled",
      "mapping.batching",
      "mapping.report-failures",
      "function.exists",
      "function.runtime",
      "function.webhook",
      "schedule.api-down.service",
      "schedule.api-down.role",
      "schedule.api-down.retry",
    ]);
    expect(notPass(checks)).toEqual([]);
    expect(checks.every((c) => c.remedy === "")).toBe(true);
    expect(doctorExitCode(checks)).toBe(0);
    expect(status(checks)["rule.pattern"]).toBe("pass");
    expect(checks.find((c) => c.id === "rule.pattern")!.message).toMatch(/local matcher/);
  });

  it("fails the trail when none covers the region, or it is not logging", () => {
    const s = healthy();
    s.trails = [{ name: "eu-only", homeRegion: "eu-west-1", multiRegion: false, logging: true }];
    expect(notPass(runChecks(s))).toEqual(["trail.logging:fail"]);
    s.trails = [{ name: "here", homeRegion: "us-east-1", multiRegion: false, logging: false }];
    const c = runChecks(s).find((x) => x.id === "trail.logging")!;
    expect(c.status).toBe("fail");
    expect(c.remedy).toBe("aws cloudtrail start-logging --name here");
    s.trails = [{ name: "here", homeRegion: "us-east-1", multiRegion: false, logging: true, managementWrites: false }];
    expect(notPass(runChecks(s))).toEqual(["trail.logging:warn"]);
    delete s.trails;
    s.trailError = "AccessDeniedException: no";
    expect(notPass(runChecks(s))).toEqual(["trail.logging:warn"]);
  });

  it("names exactly the broken checks: low visibility, no queue policy, disabled mapping", () => {
    const s = healthy();
    s.live.queue!.visibilityTimeout = 30;
    delete s.live.queue!.policy;
    s.live.mapping!.state = "Disabled";
    const checks = runChecks(s);
    expect(checks.filter((c) => c.status === "fail").map((c) => c.id)).toEqual([
      "queue.policy",
      "queue.visibility-vs-timeout",
      "mapping.enabled",
    ]);
    expect(notPass(checks)).toContain("queue.visibility-recommended:warn");
    expect(doctorExitCode(checks)).toBe(1);
    for (const c of checks.filter((x) => x.status !== "pass")) expect(c.remedy).not.toBe("");
  });

  it("warns (not fails) between the function timeout and the recommendation; --strict turns it into exit 1", () => {
    const s = healthy();
    s.live.queue!.visibilityTimeout = 120;
    const checks = runChecks(s);
    expect(notPass(checks)).toEqual(["queue.visibility-recommended:warn"]);
    expect(doctorExitCode(checks)).toBe(0);
    expect(doctorExitCode(checks, true)).toBe(1);
  });

  it("checks the rule: missing, disabled, pattern that misses UpdateService, wrong target, target with a role", () => {
    const s = healthy();
    s.live.rule!.state = "DISABLED";
    s.live.rule!.pattern = { source: ["aws.ecs"], detail: { eventName: ["CreateService"] } };
    s.live.targets = [{ id: "x", arn: s.live.queue!.arn, roleArn: "arn:aws:iam::123456789012:role/r" }];
    expect(notPass(runChecks(s))).toEqual([
      "rule.enabled:fail",
      "rule.pattern:fail",
      "rule.scope:fail",
      "rule.target:warn",
    ]);
    s.live.targets = [];
    expect(status(runChecks(s))["rule.target"]).toBe("fail");
    delete s.live.rule;
    const c = runChecks(s);
    expect(status(c)["rule.exists"]).toBe("fail");
    expect(c.some((x) => x.id === "rule.pattern")).toBe(false);
  });

  it("believes TestEventPattern when it answers", () => {
    const s = healthy();
    s.testEventPattern = false;
    const c = runChecks(s).find((x) => x.id === "rule.pattern")!;
    expect(c.status).toBe("fail");
    expect(c.message).toMatch(/TestEventPattern/);
  });

  it("checks the DLQ: missing redrive, low maxReceiveCount, messages waiting", () => {
    const s = healthy();
    s.live.queue!.redrive!.maxReceiveCount = 2;
    s.dlqDepth = { visible: 3, inFlight: 1 };
    expect(notPass(runChecks(s))).toEqual(["dlq.max-receive:warn", "dlq.depth:warn"]);
    expect(runChecks(s).find((x) => x.id === "dlq.depth")!.message).toMatch(/4 message/);
    delete s.live.queue!.redrive;
    expect(notPass(runChecks(s))).toEqual(["dlq.configured:fail"]);
  });

  it("checks the mapping: missing, batching drift, ReportBatchItemFailures off", () => {
    const s = healthy();
    s.live.mapping = { ...s.live.mapping!, batchSize: 100, functionResponseTypes: [] };
    expect(notPass(runChecks(s))).toEqual(["mapping.batching:warn", "mapping.report-failures:fail"]);
    delete s.live.mapping;
    expect(notPass(runChecks(s))).toEqual(["mapping.exists:fail"]);
  });

  it("checks the function: missing, old runtime, plain-text webhook, missing secret, no source", () => {
    const s = healthy();
    s.live.function!.runtime = "nodejs20.x";
    expect(notPass(runChecks(s))).toEqual(["function.runtime:warn"]);
    s.live.function!.runtime = "nodejs16.x";
    expect(notPass(runChecks(s))).toEqual(["function.runtime:fail"]);
    s.live.function!.runtime = "nodejs22.x";
    s.live.function!.env = { SLACK_WEBHOOK_URL: "https://hooks.slack.com/services/T/B/secret" };
    const plain = runChecks(s).find((x) => x.id === "function.webhook")!;
    expect(plain.status).toBe("fail");
    expect(JSON.stringify(plain)).not.toContain("hooks.slack.com");
    s.live.function!.env = { SLACK_WEBHOOK_SECRET_ID: "traildigest/slack-webhook" };
    s.deployedWebhookExists = false;
    expect(runChecks(s).find((x) => x.id === "function.webhook")!.message).toBe(
      "secret traildigest/slack-webhook does not exist",
    );
    s.live.function!.env = {};
    expect(notPass(runChecks(s))).toEqual(["function.webhook:fail"]);
    delete s.live.function;
    expect(notPass(runChecks(s))).toEqual(["function.exists:fail"]);
  });

  it("warns 'could not read' for parts the gather could not read, instead of calling them missing", () => {
    const s = healthy();
    delete s.live.rule;
    delete s.live.function;
    delete s.live.mapping;
    s.live.targets = [];
    s.live.unreadable = {
      rule: "AccessDeniedException: no events:DescribeRule",
      function: "AccessDeniedException: no lambda:GetFunctionConfiguration",
      dlq: "AccessDenied: x",
    };
    const checks = runChecks(s);
    expect(notPass(checks)).toEqual([
      "rule.exists:warn",
      "dlq.depth:warn",
      "mapping.exists:warn",
      "function.exists:warn",
    ]);
    expect(checks.find((c) => c.id === "rule.exists")!.message).toContain(
      "could not read the rule: AccessDeniedException",
    );
    expect(doctorExitCode(checks)).toBe(0);
    expect(doctorExitCode(checks, true)).toBe(1);
  });

  it("checks each schedule's service, role and retry policy", () => {
    const s = healthy();
    s.ecsServices = { "dev/api": "MISSING" };
    s.scheduleRoles = { [ROLE]: "missing" };
    s.live.schedules[0]!.retryPolicy = { maximumRetryAttempts: 0, maximumEventAgeSeconds: 60 };
    expect(notPass(runChecks(s))).toEqual([
      "schedule.api-down.service:fail",
      "schedule.api-down.role:fail",
      "schedule.api-down.retry:warn",
    ]);
    delete s.live.schedules[0]!.roleArn;
    expect(status(runChecks(s))["schedule.api-down.role"]).toBe("fail");
    s.live.schedules = [];
    expect(notPass(runChecks(s))).toEqual(["schedule.api-down.exists:fail"]);
  });

  it("names a non-default group in schedule check ids, so one name in two groups gives distinct ids", () => {
    const two = parseConfig({
      schedules: ["default", "team-a", "team-b"].map((group) => ({
        name: "api-down",
        group,
        expression: "cron(0 22 * * ? *)",
        cluster: "dev",
        service: "api",
        desiredCount: 0,
        roleArn: ROLE,
      })),
    });
    const s = { ...healthy(), config: two };
    s.ecsServices = { "dev/api": "ACTIVE" };
    s.live.schedules = ["default", "team-a", "team-b"].map((group) => ({ ...healthy().live.schedules[0]!, group }));
    const ids = runChecks(s)
      .map((c) => c.id)
      .filter((i) => i.startsWith("schedule."));
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.filter((i) => i.endsWith(".service"))).toEqual([
      "schedule.api-down.service",
      "schedule.team-a/api-down.service",
      "schedule.team-b/api-down.service",
    ]);
  });
});

describe("matchesPattern", () => {
  const fixture = JSON.parse(
    readFileSync(new URL("./fixtures/eventbridge-updateservice.json", import.meta.url), "utf8"),
  );
  const event = Array.isArray(fixture) ? fixture[0] : fixture;
  const sample = sampleEcsCallEvent({ account: "123456789012", region: "us-east-1" });

  it("matches the setup pattern against the sample and the captured-shape fixture", () => {
    expect(matchesPattern(rulePattern(["UpdateService"]), sample)).toBe(true);
    expect(matchesPattern(rulePattern(["UpdateService"]), event)).toBe(true);
    expect(matchesPattern(rulePattern(["CreateService", "DeleteService"]), sample)).toBe(false);
  });

  it("requires every key, nested objects included", () => {
    expect(matchesPattern({ source: ["aws.ecs"], detail: { missing: ["x"] } }, sample)).toBe(false);
    expect(matchesPattern({ source: ["aws.ec2"] }, sample)).toBe(false);
    expect(matchesPattern({ detail: { requestParameters: { cluster: ["traildigest-doctor"] } } }, sample)).toBe(true);
    expect(matchesPattern({ "detail-type": { nested: ["x"] } }, sample)).toBe(false);
  });

  it("supports prefix, suffix, anything-but, exists, equals-ignore-case and wildcard", () => {
    expect(matchesPattern({ source: [{ prefix: "aws." }] }, sample)).toBe(true);
    expect(matchesPattern({ detail: { eventSource: [{ suffix: ".amazonaws.com" }] } }, sample)).toBe(true);
    expect(matchesPattern({ detail: { eventName: [{ "anything-but": ["DeleteService"] }] } }, sample)).toBe(true);
    expect(matchesPattern({ detail: { eventName: [{ "anything-but": "UpdateService" }] } }, sample)).toBe(false);
    expect(matchesPattern({ detail: { eventName: [{ "anything-but": { prefix: "Update" } }] } }, sample)).toBe(false);
    expect(matchesPattern({ detail: { errorCode: [{ exists: false }] } }, sample)).toBe(true);
    expect(matchesPattern({ detail: { errorCode: [{ exists: true }] } }, sample)).toBe(false);
    expect(matchesPattern({ detail: { eventName: [{ "equals-ignore-case": "updateservice" }] } }, sample)).toBe(true);
    expect(matchesPattern({ detail: { eventSource: [{ wildcard: "ecs.*.com" }] } }, sample)).toBe(true);
  });

  it("matches when any element of an array value matches", () => {
    expect(matchesPattern({ tags: ["b"] }, { tags: ["a", "b"] })).toBe(true);
    expect(matchesPattern({ tags: ["c"] }, { tags: ["a", "b"] })).toBe(false);
  });

  it("refuses to guess on operators EventBridge does not document or patterns it would refuse", () => {
    expect(() => matchesPattern({ detail: { n: [{ "greater-than": 1 }] } }, { detail: { n: 2 } })).toThrow(
      UnsupportedPattern,
    );
    expect(() => matchesPattern({ $or: [] }, sample)).toThrow(UnsupportedPattern);
  });
});

describe("SSM parameter names from ARNs", () => {
  it("a hierarchy gets its leading slash back, a plain name does not; a name stays as it is", () => {
    expect(ssmParameterName("arn:aws:ssm:us-east-1:123456789012:parameter/td/hook")).toBe("/td/hook");
    expect(ssmParameterName("arn:aws:ssm:us-east-1:123456789012:parameter/foo")).toBe("foo");
    expect(ssmParameterName("arn:aws:ssm:us-east-1:123456789012:parameter//td/hook")).toBe("/td/hook");
    expect(ssmParameterName("arn:aws-cn:ssm:cn-north-1:123456789012:parameter/a/b/c")).toBe("/a/b/c");
    expect(ssmParameterName("/td/hook")).toBe("/td/hook");
    expect(ssmParameterName("foo")).toBe("foo");
  });

  describe("doctor's gather", () => {
    const restore: (() => void)[] = [];
    afterEach(() => {
      for (const r of restore.splice(0)) r();
    });

    it("looks the deployed function's SSM parameter up by NAME when its environment holds the ARN", async () => {
      const mocks = [
        mockClient(SQSClient),
        mockClient(EventBridgeClient),
        mockClient(IAMClient),
        mockClient(SchedulerClient),
        mockClient(CloudTrailClient),
      ];
      const sts = mockClient(STSClient);
      const lambda = mockClient(LambdaClient);
      const ssm = mockClient(SSMClient);
      for (const m of [...mocks, sts, lambda, ssm]) restore.push(() => m.restore());
      const missing = Object.assign(new Error("nope"), { name: "ResourceNotFoundException" });
      for (const m of mocks)
        (m as unknown as { onAnyCommand(): { rejects(e: Error): void } }).onAnyCommand().rejects(missing);
      sts.on(GetCallerIdentityCommand).resolves({ Account: "123456789012", Arn: "arn:aws:iam::123456789012:user/t" });
      lambda.on(GetFunctionConfigurationCommand).resolves({
        FunctionName: "traildigest-digest",
        Environment: { Variables: { SLACK_WEBHOOK_PARAMETER: "arn:aws:ssm:us-east-1:123456789012:parameter/td/hook" } },
      });
      lambda.on(ListEventSourceMappingsCommand).resolves({ EventSourceMappings: [] });
      ssm.on(DescribeParametersCommand).callsFake((i: { ParameterFilters?: { Values?: string[] }[] }) => ({
        Parameters: i.ParameterFilters?.[0]?.Values?.[0] === "/td/hook" ? [{ Name: "/td/hook" }] : [],
      }));
      const state = await gatherDoctorState({ region: "us-east-1", endpointUrl: "http://127.0.0.1:9" }, cfg);
      expect(state.deployedWebhookExists).toBe(true);
      expect(
        ssm.commandCalls(DescribeParametersCommand).map((c) => c.args[0].input.ParameterFilters?.[0]?.Values),
      ).toContainEqual(["/td/hook"]);
    });
  });
});

describe("doctor: the live rule against the configured scope", () => {
  it("fails rule.scope when the live pattern is not the scope's, and passes once it is", () => {
    const s = healthy();
    s.config = {
      ...s.config,
      rule: { ...s.config.rule, scope: { calls: "scale", autoScaling: false, deploys: true } },
    };
    const c = runChecks(s).find((x) => x.id === "rule.scope")!;
    expect(c.status).toBe("fail");
    expect(c.message).toMatch(
      /^pattern is not the configured scope \(scale calls only \(desiredCount given\), without Application Auto Scaling\): live \{/,
    );
    s.live.rule!.pattern = rulePattern(["UpdateService"], s.config.rule.scope);
    const after = runChecks(s);
    expect(after.find((x) => x.id === "rule.scope")!.status).toBe("pass");
    // The scoped pattern still matches doctor's sample call (local matcher: $or, exists, anything-but).
    expect(after.find((x) => x.id === "rule.pattern")!.status).toBe("pass");
  });
});
