import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { UsageError } from "../src/core/errors.js";
import {
  type ApiCallEvent,
  normalizeCaller,
  normalizeCloudTrailRecord,
  normalizeLookupEvent,
  normalizeSqsBody,
  normalizeValue,
} from "../src/core/events/events.js";
import { parseInputText } from "../src/core/events/event-stream.js";

const fixture = (name: string): string => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), "utf8");
const eb = (): Record<string, any> => JSON.parse(fixture("eventbridge-updateservice.json"));
const ebFailed = (): Record<string, any> => JSON.parse(fixture("eventbridge-updateservice-failed.json"));

function asEvent(r: ApiCallEvent | { reason: string }): ApiCallEvent {
  if (!("eventId" in r)) throw new Error(`unreadable: ${r.reason}`);
  return r;
}

/** An EventBridge event around a CloudTrail detail with the given overrides. */
function ebWith(detail: Record<string, unknown>): Record<string, any> {
  const e = eb();
  e.detail = { ...e.detail, ...detail };
  return e;
}

describe("input shapes", () => {
  it("reads a Lambda SQS event as one batch and carries each messageId", () => {
    const r = parseInputText(fixture("sqs-lambda-event.json"));
    expect(r.lambdaBatch).toBe(true);
    expect(r.invalid).toEqual([]);
    expect(r.events.map((e) => e.service)).toEqual(["nestjs", "python-api", "worker", "billing", "nestjs"]);
    expect(r.events.map((e) => e.messageId)).toEqual([
      "98a3f508-aea5-c912-2755-5571a4a9a0e9",
      "ad8c34e6-6bbd-b5f3-2494-6ea003c10547",
      "11fb6c92-2c97-50b9-426c-658b540a3900",
      "51ecc41f-2b2d-0196-40e1-f30f018fc38a",
      "7a98df36-e669-2994-a50d-791bf5f8e601",
    ]);
  });

  it("reads one EventBridge event with names, counts, caller and place", () => {
    const r = parseInputText(fixture("eventbridge-updateservice.json"));
    expect(r.lambdaBatch).toBe(false);
    expect(r.events).toHaveLength(1);
    expect(r.events[0]).toMatchObject({
      eventId: "02d52622-62e6-a8a5-cf4a-f9ad5fc2bf44",
      eventTime: "2026-11-26T13:00:00Z",
      eventName: "UpdateService",
      eventSource: "ecs.amazonaws.com",
      region: "ap-northeast-2",
      account: "123456789012",
      cluster: "dev",
      service: "nestjs",
      desiredCount: 0,
      runningCount: 2,
      pendingCount: 0,
      caller: {
        type: "AssumedRole",
        name: "traildigest-scheduler-role",
        role: "traildigest-scheduler-role",
        session: "a4cdb673bc3db689",
      },
    });
    expect(r.events[0]!.errorCode).toBeUndefined();
    expect(r.events[0]!.messageId).toBeUndefined();
  });

  it("takes errorCode and errorMessage from the top level of a failed call", () => {
    const [e] = parseInputText(fixture("eventbridge-updateservice-failed.json")).events;
    expect(e).toMatchObject({
      service: "billing",
      errorCode: "ServiceNotFoundException",
      errorMessage: "Service not found.",
    });
    expect(e!.runningCount).toBeUndefined(); // responseElements is null
  });

  it("reads `aws cloudtrail lookup-events` output (CloudTrailEvent is a JSON string)", () => {
    const r = parseInputText(fixture("lookup-events-page.json"));
    expect(r.lambdaBatch).toBe(false);
    expect(r.invalid).toEqual([]);
    expect(r.events.map((e) => e.service)).toEqual(["billing", "worker", "python-api", "nestjs"]);
    expect(r.events[0]!.errorCode).toBe("ServiceNotFoundException");
  });

  it("reads a JSON array and NDJSON of EventBridge events alike", () => {
    const events = [eb(), ebFailed()];
    const fromArray = parseInputText(JSON.stringify(events));
    const fromNdjson = parseInputText(events.map((e) => JSON.stringify(e)).join("\n") + "\n");
    expect(fromArray.events.map((e) => e.eventId)).toEqual([
      "02d52622-62e6-a8a5-cf4a-f9ad5fc2bf44",
      "94ab4d42-0fbe-f948-a915-646c59f9e091",
    ]);
    expect(fromNdjson).toEqual(fromArray);
    expect(fromArray.lambdaBatch).toBe(false);
  });

  it("tells a CloudTrail log file from a Lambda SQS event by the shape of its records", () => {
    const log = { Records: [eb().detail, ebFailed().detail] };
    const r = parseInputText(JSON.stringify(log));
    expect(r.lambdaBatch).toBe(false);
    expect(r.events.map((e) => e.service)).toEqual(["nestjs", "billing"]);
    // Region and account come from the record itself, not an envelope.
    expect(r.events[0]).toMatchObject({ region: "ap-northeast-2", account: "123456789012" });
  });

  it("reads an array and NDJSON of CloudTrail records and of SQS records", () => {
    const lambda = JSON.parse(fixture("sqs-lambda-event.json"));
    const sqsArray = parseInputText(JSON.stringify(lambda.Records));
    expect(sqsArray.lambdaBatch).toBe(false); // a bare list is cut into batches by the CLI
    expect(sqsArray.events).toHaveLength(5);
    expect(sqsArray.events[3]!.messageId).toBe("51ecc41f-2b2d-0196-40e1-f30f018fc38a");
    const ctNdjson = parseInputText(`${JSON.stringify(eb().detail)}\n\n${JSON.stringify(ebFailed().detail)}`);
    expect(ctNdjson.events.map((e) => e.service)).toEqual(["nestjs", "billing"]);
  });

  it("reads `aws sqs receive-message` output (PascalCase Messages)", () => {
    const out = { Messages: [{ MessageId: "m-1", ReceiptHandle: "rh", MD5OfBody: "x", Body: JSON.stringify(eb()) }] };
    const r = parseInputText(JSON.stringify(out));
    expect(r.events[0]).toMatchObject({ service: "nestjs", messageId: "m-1" });
  });

  it("reads a stream of pretty-printed objects (jq's default output) and of lookup-events pages", () => {
    const pretty = [eb(), ebFailed()].map((e) => JSON.stringify(e, null, 2)).join("\n");
    expect(parseInputText(pretty).events.map((e) => e.service)).toEqual(["nestjs", "billing"]);
    const page = fixture("lookup-events-page.json");
    const twoPages = parseInputText(`${page}\n${page}`);
    expect(twoPages.events).toHaveLength(8);
    expect(twoPages.lambdaBatch).toBe(false);
    // Braces and quotes inside strings do not confuse the scan.
    const tricky = { ...eb(), detail: { ...eb().detail, errorMessage: 'bad "}{" ] [ \\' } };
    expect(
      parseInputText(`${JSON.stringify(tricky, null, 1)}\n${JSON.stringify(eb(), null, 1)}`).events[0]!.errorMessage,
    ).toBe('bad "}{" ] [ \\');
    // An unbalanced stream is still a broken document.
    expect(() => parseInputText(`${JSON.stringify(eb(), null, 2)}\n{\n  "a": 1`)).toThrow(UsageError);
  });

  it("reads NDJSON whose lines are pages (jq -c of lookup-events, Lambda events, receive-message) like the pretty stream", () => {
    const page = JSON.stringify(JSON.parse(fixture("lookup-events-page.json")));
    const compact = parseInputText(`${page}\n${page}`);
    const pretty = parseInputText(
      `${JSON.stringify(JSON.parse(page), null, 2)}\n${JSON.stringify(JSON.parse(page), null, 2)}`,
    );
    expect(compact.invalid).toEqual([]);
    expect(compact.events).toHaveLength(8);
    expect(compact.events).toEqual(pretty.events);
    const lambda = JSON.stringify(JSON.parse(fixture("sqs-lambda-event.json")));
    const messages = JSON.stringify({
      Messages: [{ MessageId: "m-1", ReceiptHandle: "rh", Body: JSON.stringify(eb()) }],
    });
    const mixed = parseInputText(`${lambda}\n${messages}`);
    expect(mixed.invalid).toEqual([]);
    expect(mixed.events).toHaveLength(6);
    expect(mixed.events[5]).toMatchObject({ service: "nestjs", messageId: "m-1" });
  });

  it("reads an eventTime without a UTC offset as UTC, whatever zone the machine is in", () => {
    const saved = process.env.TZ;
    process.env.TZ = "Asia/Seoul"; // Node applies a changed TZ at once
    try {
      for (const t of ["2026-11-26T13:00:00", "2026-11-26 13:00:00", "2026-11-26T13:00:00.250"]) {
        const r = parseInputText(JSON.stringify(ebWith({ eventTime: t })));
        expect(r.events[0]!.eventTime).toBe(t.endsWith(".250") ? "2026-11-26T13:00:00.250Z" : "2026-11-26T13:00:00Z");
      }
      // An explicit offset is still honoured.
      const off = parseInputText(JSON.stringify(ebWith({ eventTime: "2026-11-26T22:00:00+09:00" })));
      expect(off.events[0]!.eventTime).toBe("2026-11-26T13:00:00Z");
    } finally {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
    }
  });

  it("accepts a BOM and CRLF line ends", () => {
    const r = parseInputText(`\uFEFF${JSON.stringify(eb())}\r\n${JSON.stringify(ebFailed())}\r\n`);
    expect(r.events).toHaveLength(2);
  });
});

describe("names from ARNs and the default cluster", () => {
  it("turns a cluster ARN and a new-format service ARN into names", () => {
    const e = asEvent(
      normalizeCloudTrailRecord({
        ...eb().detail,
        requestParameters: {
          cluster: "arn:aws:ecs:ap-northeast-2:123456789012:cluster/staging",
          service: "arn:aws:ecs:ap-northeast-2:123456789012:service/staging/api",
          desiredCount: 3,
        },
      }),
    );
    expect(e.cluster).toBe("staging");
    expect(e.service).toBe("api");
    expect(e.desiredCount).toBe(3);
  });

  it("takes the cluster from a new-format service ARN when no cluster is given", () => {
    const e = asEvent(
      normalizeCloudTrailRecord({
        ...eb().detail,
        requestParameters: { service: "arn:aws:ecs:ap-northeast-2:123456789012:service/qa/web", desiredCount: 0 },
        responseElements: null,
      }),
    );
    expect(e).toMatchObject({ cluster: "qa", service: "web" });
  });

  it("reads an old-format service ARN (service/svc) and defaults the cluster", () => {
    const e = asEvent(
      normalizeCloudTrailRecord({
        ...eb().detail,
        requestParameters: { service: "arn:aws:ecs:us-east-1:123456789012:service/legacy-svc", desiredCount: 1 },
        responseElements: null,
      }),
    );
    expect(e).toMatchObject({ cluster: "default", service: "legacy-svc", desiredCount: 1 });
  });

  it("says 'default' for an ECS call without a cluster", () => {
    const e = asEvent(
      normalizeCloudTrailRecord({
        ...eb().detail,
        requestParameters: { service: "nestjs", desiredCount: 0 },
        responseElements: null,
      }),
    );
    expect(e.cluster).toBe("default");
  });

  it("leaves cluster and service unset on calls to other services", () => {
    const e = asEvent(
      normalizeCloudTrailRecord({
        ...eb().detail,
        eventSource: "ec2.amazonaws.com",
        eventName: "StopInstances",
        requestParameters: { instancesSet: { items: [{ instanceId: "i-1" }] } },
        responseElements: null,
      }),
    );
    expect(e.cluster).toBeUndefined();
    expect(e.service).toBeUndefined();
    expect(e.desiredCount).toBeUndefined();
  });

  it("reads running and pending counts from responseElements.service", () => {
    const d = eb().detail;
    d.responseElements.service.runningCount = 5;
    d.responseElements.service.pendingCount = 1;
    d.requestParameters.desiredCount = 2;
    expect(asEvent(normalizeCloudTrailRecord(d))).toMatchObject({ desiredCount: 2, runningCount: 5, pendingCount: 1 });
  });
});

describe("caller", () => {
  const role = eb().detail.userIdentity;

  it("names an assumed role by its role and keeps the hex session", () => {
    expect(normalizeCaller(role)).toMatchObject({
      type: "AssumedRole",
      name: "traildigest-scheduler-role",
      role: "traildigest-scheduler-role",
      session: "a4cdb673bc3db689",
      arn: "arn:aws:sts::123456789012:assumed-role/traildigest-scheduler-role/a4cdb673bc3db689",
    });
  });

  it("parses the role from the assumed-role ARN when there is no sessionIssuer", () => {
    const c = normalizeCaller({
      type: "AssumedRole",
      arn: "arn:aws:sts::123456789012:assumed-role/deployer/ci-run-77",
    });
    expect(c).toMatchObject({ name: "deployer", role: "deployer", session: "ci-run-77" });
  });

  it("names an SSO session by the person (e-mail session name)", () => {
    const c = normalizeCaller({
      type: "AssumedRole",
      arn: "arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_Admin_0123abcd/jane.doe@example.com",
      sessionContext: { sessionIssuer: { type: "Role", userName: "AWSReservedSSO_Admin_0123abcd" } },
    });
    expect(c).toMatchObject({
      name: "jane.doe@example.com",
      role: "AWSReservedSSO_Admin_0123abcd",
      session: "jane.doe@example.com",
    });
  });

  it("names an IAM user, root and an AWS service", () => {
    expect(
      normalizeCaller({ type: "IAMUser", arn: "arn:aws:iam::123456789012:user/jdoe", userName: "jdoe" }).name,
    ).toBe("jdoe");
    expect(normalizeCaller({ type: "IAMUser", arn: "arn:aws:iam::123456789012:user/ops/alice" }).name).toBe("alice");
    expect(normalizeCaller({ type: "Root", arn: "arn:aws:iam::123456789012:root" }).name).toBe("root");
    expect(normalizeCaller({ type: "AWSService", invokedBy: "ecs.amazonaws.com" }).name).toBe("ecs.amazonaws.com");
  });

  it("does not invent a caller for a record without userIdentity", () => {
    expect(normalizeCaller(undefined)).toEqual({ type: "Unknown", name: "unknown" });
  });
});

describe("unreadable records", () => {
  it("counts each unreadable SQS record with its index, messageId and reason; the rest are read", () => {
    const lambda = JSON.parse(fixture("sqs-lambda-event.json"));
    lambda.Records[1].body = "this is not json";
    const noId = JSON.parse(lambda.Records[2].body);
    delete noId.detail.eventID;
    lambda.Records[2].body = JSON.stringify(noId);
    lambda.Records[3].body = JSON.stringify({
      "detail-type": "ECS Service Action",
      source: "aws.ecs",
      detail: { eventType: "INFO" },
    });
    const r = normalizeValue(lambda);
    expect(r.lambdaBatch).toBe(true);
    expect(r.events.map((e) => e.messageId)).toEqual([lambda.Records[0].messageId, lambda.Records[4].messageId]);
    expect(r.invalid).toEqual([
      { index: 1, messageId: lambda.Records[1].messageId, reason: expect.stringMatching(/not JSON/) },
      { index: 2, messageId: lambda.Records[2].messageId, reason: expect.stringMatching(/eventID/) },
      { index: 3, messageId: lambda.Records[3].messageId, reason: expect.stringMatching(/ECS Service Action/) },
    ]);
  });

  it("reports non-objects and records without eventTime or eventName, never guessing", () => {
    const noTime = { ...eb().detail };
    delete noTime.eventTime;
    const badTime = { ...eb().detail, eventID: "x", eventTime: "yesterday" };
    const r = normalizeValue([42, "str", noTime, badTime, { hello: "world" }, eb()]);
    expect(r.events).toHaveLength(1);
    expect(r.invalid.map((i) => i.index)).toEqual([0, 1, 2, 3, 4]);
    expect(r.invalid[0]!.reason).toMatch(/not an object/);
    expect(r.invalid[2]!.reason).toMatch(/eventTime/);
    expect(r.invalid[3]!.reason).toMatch(/not a time/);
    expect(r.invalid[4]!.reason).toMatch(/not an API-call event/);
  });

  it("counts a bad NDJSON line by position and line number", () => {
    const text = [JSON.stringify(eb()), "{oops", JSON.stringify(ebFailed())].join("\n");
    const r = parseInputText(text);
    expect(r.events).toHaveLength(2);
    expect(r.invalid).toEqual([{ index: 1, reason: "line 2 is not JSON" }]);
  });

  it("rejects a whole document that is neither JSON nor NDJSON with a one-line UsageError", () => {
    for (const text of ["", "   \n", "hello world", "hello\nworld\n", '{\n  "Records": [\n    {"messageId": "x",\n']) {
      let err: unknown;
      try {
        parseInputText(text);
      } catch (e) {
        err = e;
      }
      expect(err, JSON.stringify(text)).toBeInstanceOf(UsageError);
      expect((err as Error).message).not.toContain("\n");
      expect((err as Error).message).toMatch(/^(input is empty|not valid JSON or NDJSON)/);
    }
  });

  it("rejects JSON of an unknown shape as a usage error", () => {
    expect(() => parseInputText('{"foo": 1}')).toThrow(UsageError);
    expect(() => parseInputText("42")).toThrow(UsageError);
    expect(() => parseInputText("null")).toThrow(UsageError);
  });
});

describe("single-record entry points", () => {
  it("normalizeSqsBody reads one body and carries the messageId", () => {
    const e = asEvent(normalizeSqsBody(JSON.stringify(eb()), "m-9"));
    expect(e).toMatchObject({ service: "nestjs", messageId: "m-9" });
    expect(normalizeSqsBody("{", "m-9")).toEqual({ reason: "message body is not JSON" });
    expect(normalizeSqsBody("[1]")).toEqual({ reason: "message body is not a JSON object" });
  });

  it("normalizeLookupEvent accepts an SDK item whose EventTime is a Date", () => {
    const page = JSON.parse(fixture("lookup-events-page.json"));
    const item = { ...page.Events[1], EventTime: new Date("2026-11-26T13:00:02Z") };
    const record = JSON.parse(item.CloudTrailEvent);
    delete record.eventTime; // fall back to the item's own EventTime
    item.CloudTrailEvent = JSON.stringify(record);
    const e = asEvent(normalizeLookupEvent(item));
    expect(e.eventTime).toBe("2026-11-26T13:00:02Z");
    expect(e.service).toBe("worker");
    expect(normalizeLookupEvent({ EventId: "x" })).toEqual({ reason: expect.stringMatching(/CloudTrailEvent/) });
    expect(normalizeLookupEvent({ CloudTrailEvent: "{nope" })).toEqual({ reason: "CloudTrailEvent is not JSON" });
  });

  it("normalises eventTime to ISO UTC", () => {
    const e = asEvent(normalizeCloudTrailRecord({ ...eb().detail, eventTime: "2026-11-26T22:00:00+09:00" }));
    expect(e.eventTime).toBe("2026-11-26T13:00:00Z");
  });
});
