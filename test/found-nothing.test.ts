// Issue 12: a command that finds nothing names the region and account it looked in (stdout, and `lookedIn`
// in --json), since a wrong region or profile is the usual reason; and it asks STS only when it found nothing.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { CreateQueueCommand, GetQueueAttributesCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { runCliInProcess } from "./support/run-cli.js";
import { runCliInVirtualTime } from "./support/virtual-time.js";
import { startFakeSts, type FakeSts } from "./support/fake-sts.js";
import { startFakeCloudTrail, type FakeCloudTrail } from "./support/fake-cloudtrail.js";
import { ecsSchedules, startFakeScheduler, type FakeScheduler } from "./support/fake-scheduler.js";
import { startSqs, type RunningEmulator } from "../tools/emulators.js";

const base = { AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test" };

let sts: FakeSts;
beforeAll(async () => {
  sts = await startFakeSts("210987654321");
});
afterAll(async () => sts?.stop());
afterEach(() => void sts.requests.splice(0));

describe("queue peek of an empty queue", () => {
  let sqs: RunningEmulator;
  let client: SQSClient;
  beforeAll(async () => {
    sqs = await startSqs();
    client = new SQSClient({
      region: "us-east-1",
      endpoint: sqs.endpoint,
      useQueueUrlAsEndpoint: false,
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
    });
  });
  afterAll(async () => {
    client?.destroy();
    await sqs?.stop();
  });

  it("names the queue with its region and account, taken from its ARN (no STS call)", async () => {
    const { QueueUrl } = await client.send(new CreateQueueCommand({ QueueName: "found-nothing-empty" }));
    const { Attributes } = await client.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }));
    const [, , , region, account] = Attributes!.QueueArn!.split(":");
    const env = {
      ...base,
      AWS_REGION: "us-east-1",
      AWS_ENDPOINT_URL_SQS: sqs.endpoint,
      AWS_ENDPOINT_URL_STS: sts.endpoint,
    };
    const args = ["queue", "peek", "--queue", "found-nothing-empty", "--wait", "0"];

    const r = await runCliInProcess(args, { env, cwd: "/" });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(
      `No messages received from found-nothing-empty in region ${region}, account ${account} (the queue is empty, or every message is in flight).`,
    );
    const json = await runCliInProcess([...args, "--json"], { env, cwd: "/" });
    expect(JSON.parse(json.stdout).lookedIn).toEqual({ region, account });
    expect(sts.requests).toHaveLength(0);

    // With a message there is nothing to explain: no lookedIn.
    await client.send(new SendMessageCommand({ QueueUrl, MessageBody: "{}" }));
    const some = await runCliInProcess([...args, "--json"], { env, cwd: "/" });
    expect(some.code, some.stderr).toBe(0);
    expect(JSON.parse(some.stdout).lookedIn).toBeUndefined();
  });
});

// Both scan CloudTrail, which is paced to 2 requests a second: in virtual time, so the pacing costs nothing.
describe("trail recent with no calls", () => {
  let trail: FakeCloudTrail | undefined;
  afterEach(async () => {
    await trail?.stop();
    trail = undefined;
  });
  const env = (endpoint: string) => ({
    ...base,
    AWS_REGION: "ap-northeast-2",
    AWS_ENDPOINT_URL_CLOUDTRAIL: endpoint,
    AWS_ENDPOINT_URL_STS: sts.endpoint,
  });

  it("names the region and account searched", async () => {
    trail = await startFakeCloudTrail({ events: [] });
    const r = await runCliInVirtualTime(["trail", "recent", "UpdateService", "--since", "1h"], {
      env: env(trail.endpoint),
      cwd: "/",
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split("\n")[0]).toMatch(
      /^No UpdateService calls between \S+Z and \S+Z in region ap-northeast-2, account 210987654321\.$/,
    );
    const json = await runCliInVirtualTime(["trail", "recent", "UpdateService", "--json"], {
      env: env(trail.endpoint),
      cwd: "/",
    });
    expect(JSON.parse(json.stdout)).toEqual({
      events: [],
      lookedIn: { region: "ap-northeast-2", account: "210987654321" },
    });
  });

  it("asks STS nothing when it found calls", async () => {
    const at = new Date(Date.now() - 10 * 60_000).toISOString();
    const detail = {
      eventID: "e-1",
      eventTime: at,
      eventName: "UpdateService",
      eventSource: "ecs.amazonaws.com",
      awsRegion: "ap-northeast-2",
      userIdentity: { type: "IAMUser", arn: "arn:aws:iam::210987654321:user/oncall", userName: "oncall" },
      requestParameters: { cluster: "dev", service: "api", desiredCount: 2 },
    };
    trail = await startFakeCloudTrail({
      events: [{ EventId: "e-1", EventName: "UpdateService", EventTime: at, CloudTrailEvent: JSON.stringify(detail) }],
    });
    const r = await runCliInVirtualTime(["trail", "recent", "UpdateService", "--json"], {
      env: env(trail.endpoint),
      cwd: "/",
    });
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.events).toHaveLength(1);
    expect(out.lookedIn).toBeUndefined();
    expect(sts.requests).toHaveLength(0);
  });
});

describe("schedules audit with no schedules", () => {
  let trail: FakeCloudTrail | undefined;
  let scheduler: FakeScheduler | undefined;
  afterEach(async () => {
    await trail?.stop();
    await scheduler?.stop();
    trail = scheduler = undefined;
  });
  const env = () => ({
    ...base,
    AWS_REGION: "eu-west-3",
    AWS_ENDPOINT_URL_CLOUDTRAIL: trail!.endpoint,
    AWS_ENDPOINT_URL_SCHEDULER: scheduler!.endpoint,
    AWS_ENDPOINT_URL_STS: sts.endpoint,
  });

  it("says no schedule was found in which region and account (exit 0)", async () => {
    [trail, scheduler] = await Promise.all([
      startFakeCloudTrail({ events: [] }),
      startFakeScheduler({ schedules: [] }),
    ]);
    const r = await runCliInVirtualTime(["schedules", "audit", "--since", "2h"], { env: env(), cwd: "/" });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      /^No schedules found in region eu-west-3, account 210987654321; check --region \/ AWS_REGION and the profile\.$/m,
    );
    expect(r.stdout).not.toContain("No scheduled ECS scaling was due");
    const json = await runCliInVirtualTime(["schedules", "audit", "--since", "2h", "--json"], { env: env(), cwd: "/" });
    expect(json.code, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout).lookedIn).toEqual({ region: "eu-west-3", account: "210987654321" });
  });

  it("asks STS nothing when there are schedules", async () => {
    [trail, scheduler] = await Promise.all([
      startFakeCloudTrail({ events: [] }),
      startFakeScheduler({ schedules: ecsSchedules(1) }),
    ]);
    const r = await runCliInVirtualTime(["schedules", "audit", "--since", "2h", "--json"], { env: env(), cwd: "/" });
    expect(JSON.parse(r.stdout).lookedIn).toBeUndefined();
    expect(sts.requests).toHaveLength(0);
  });
});
