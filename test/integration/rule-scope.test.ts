// Each rule scope on moto: the pattern setup writes, on a real rule → queue, gets exactly the records
// the local matcher and `notify dry-run --scope` say it does (PutEvents of every call-kind fixture).
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  DeleteMessageCommand,
  SetQueueAttributesCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import {
  DeleteRuleCommand,
  EventBridgeClient,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
} from "@aws-sdk/client-eventbridge";
import { startMoto, type RunningEmulator } from "../../tools/emulators.js";
import { rulePattern } from "../../src/core/setup/policies.js";
import { matchesPattern } from "../../src/core/events/event-pattern.js";
import { parseScope } from "../../src/core/events/rule-scope.js";

const REGION = "us-east-1";
const creds = { accessKeyId: "test", secretAccessKey: "test" };
const records = JSON.parse(readFileSync(new URL("../fixtures/call-kinds.json", import.meta.url), "utf8")) as {
  detail: { eventID: string };
}[];
const no = (eventID: string) => Number(eventID.slice(-2));

let moto: RunningEmulator;
let sqs: SQSClient;
let eb: EventBridgeClient;

beforeAll(async () => {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
  moto = await startMoto();
  sqs = new SQSClient({ region: REGION, endpoint: moto.endpoint, credentials: creds, useQueueUrlAsEndpoint: false });
  eb = new EventBridgeClient({ region: REGION, endpoint: moto.endpoint, credentials: creds });
});
afterAll(async () => {
  sqs?.destroy();
  eb?.destroy();
  await moto?.stop();
});

async function ruleToQueue(name: string, pattern: Record<string, unknown>): Promise<string> {
  const url = (await sqs.send(new CreateQueueCommand({ QueueName: name }))).QueueUrl!;
  const arn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["QueueArn"] })))
    .Attributes!.QueueArn!;
  const rule = await eb.send(
    new PutRuleCommand({ Name: `${name}-rule`, EventPattern: JSON.stringify(pattern), State: "ENABLED" }),
  );
  await sqs.send(
    new SetQueueAttributesCommand({
      QueueUrl: url,
      Attributes: {
        Policy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            {
              Effect: "Allow",
              Principal: { Service: "events.amazonaws.com" },
              Action: "sqs:SendMessage",
              Resource: arn,
              Condition: { ArnEquals: { "aws:SourceArn": rule.RuleArn } },
            },
          ],
        }),
      },
    }),
  );
  await eb.send(new PutTargetsCommand({ Rule: `${name}-rule`, Targets: [{ Id: "queue", Arn: arn }] }));
  return url;
}

async function drain(url: string): Promise<number[]> {
  const got: number[] = [];
  for (;;) {
    const r = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
    if (!r.Messages?.length) return got.sort((a, b) => a - b);
    for (const msg of r.Messages) {
      got.push(no((JSON.parse(msg.Body!) as { detail: { eventID: string } }).detail.eventID));
      await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: msg.ReceiptHandle! }));
    }
  }
}

const scopes: [string, number[]][] = [
  ["all", [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]],
  ["scale", [1, 2, 3, 5, 6, 9, 11]],
  ["all,no-autoscaling", [1, 2, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]],
  ["all,no-deploys", [1, 2, 3, 5, 6, 7, 9, 11, 12, 13]],
  ["all,no-deploys,no-autoscaling", [1, 2, 5, 6, 7, 9, 11, 12, 13]],
  ["scale,no-autoscaling", [1, 2, 5, 6, 9, 11]],
];

describe("rule scopes on moto: PutEvents → rule → queue delivers exactly the scope's records", () => {
  for (const [text, want] of scopes) {
    it(`--scope ${text}`, async () => {
      const pattern = rulePattern(["UpdateService"], parseScope(text));
      // The local matcher says the same (it is what doctor falls back on).
      expect(
        records
          .filter((r) => matchesPattern(pattern, r as unknown as Record<string, unknown>))
          .map((r) => no(r.detail.eventID)),
      ).toEqual(want);
      const url = await ruleToQueue(`scope-${text.replace(/[^a-z]+/g, "-")}`, pattern);
      for (let i = 0; i < records.length; i += 10) {
        const put = await eb.send(
          new PutEventsCommand({
            Entries: records.slice(i, i + 10).map((r) => ({
              Source: "aws.ecs",
              DetailType: "AWS API Call via CloudTrail",
              Detail: JSON.stringify(r.detail),
            })),
          }),
        );
        expect(put.FailedEntryCount ?? 0).toBe(0);
      }
      expect(await drain(url)).toEqual(want);
      // One rule on the bus at a time: moto tries every rule on every event, so each left behind slows the next.
      const rule = `scope-${text.replace(/[^a-z]+/g, "-")}-rule`;
      await eb.send(new RemoveTargetsCommand({ Rule: rule, Ids: ["queue"] }));
      await eb.send(new DeleteRuleCommand({ Name: rule }));
    });
  }
});
