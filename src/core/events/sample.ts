// A bundled, deterministic night-time scale-down wave (`notify dry-run --sample`): raw EventBridge
// events exactly as the rule delivers them, detail = CloudTrail record. No randomness, no file reads.
import { assumedRoleArn, buildArn, roleArn } from "../aws/arn.js";

/** The zone the sample reads best in: the wave starts at 22:00 Seoul time. */
export const SAMPLE_TIMEZONE = "Asia/Seoul";

const REGION = "ap-northeast-2";
const ACCOUNT = "123456789012";
const ROLE = "traildigest-scheduler-role";
const SESSION = "a4cdb673bc3db689";
const AT = { region: REGION, account: ACCOUNT };
const ecsArn = (resource: string) => buildArn({ service: "ecs", ...AT, resource });
/** When the sample wave starts (22:00 in Asia/Seoul); its events are judged against this, not the clock. */
export const SAMPLE_START_MS = Date.parse("2026-11-26T13:00:00Z");
const START_MS = SAMPLE_START_MS;

/** [cluster, service, runningCount at call time]; ~32 services in 4 clusters. */
const WAVE: [string, string, number][] = [
  ["dev", "nestjs", 2],
  ["dev", "python-api", 2],
  ["dev", "worker", 1],
  ["dev", "billing", 0], // the one that fails: the service was deleted, its schedule was not
  ["dev", "web", 2],
  ["dev", "auth", 1],
  ["dev", "notifier", 1],
  ["dev", "search", 1],
  ["dev", "admin", 1],
  ["staging", "nestjs", 3],
  ["staging", "python-api", 3],
  ["staging", "worker", 2],
  ["staging", "web", 3],
  ["staging", "auth", 2],
  ["staging", "billing", 2],
  ["staging", "notifier", 1],
  ["staging", "search", 2],
  ["staging", "gateway", 2],
  ["qa", "nestjs", 1],
  ["qa", "python-api", 1],
  ["qa", "worker", 1],
  ["qa", "web", 1],
  ["qa", "e2e-runner", 2],
  ["qa", "mock-payments", 1],
  ["qa", "mailhog", 1],
  ["data", "airflow-scheduler", 1],
  ["data", "airflow-webserver", 1],
  ["data", "airflow-worker", 4],
  ["data", "spark-history", 1],
  ["data", "jupyterhub", 1],
  ["data", "metabase", 1],
  ["data", "kafka-connect", 3],
];
const FAILING = "dev/billing";

/** A UUID-shaped id from a counter and a salt: stable across runs, distinct across kinds. */
function fakeUuid(n: number, salt: number): string {
  // Two rounds of a 32-bit integer hash give enough hex for one id.
  const h = (x: number) => {
    x = Math.imul(x ^ (x >>> 16), 0x45d9f3b);
    x = Math.imul(x ^ (x >>> 16), 0x45d9f3b);
    return ((x ^ (x >>> 16)) >>> 0).toString(16).padStart(8, "0");
  };
  const s =
    h(n * 4 + salt * 7919) + h(n * 4 + salt * 7919 + 1) + h(n * 4 + salt * 7919 + 2) + h(n * 4 + salt * 7919 + 3);
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20, 32)}`;
}

const iso = (ms: number) => new Date(ms).toISOString().replace(".000Z", "Z");

/** The wave as EventBridge events, in call order, spread over ~40 s from 13:00:00Z. */
export function sampleEvents(): object[] {
  const identity = {
    type: "AssumedRole",
    principalId: `AROAEXAMPLETRAI:${SESSION}`,
    arn: assumedRoleArn("aws", ACCOUNT, ROLE, SESSION),
    accountId: ACCOUNT,
    accessKeyId: "ASIAEXAMPLEKEY",
    sessionContext: {
      sessionIssuer: {
        type: "Role",
        principalId: "AROAEXAMPLETRAI",
        arn: roleArn(AT, ROLE),
        accountId: ACCOUNT,
        userName: ROLE,
      },
      attributes: { creationDate: iso(START_MS), mfaAuthenticated: "false" },
    },
  };
  // Schedules fire independently within the same minute, so calls interleave across clusters:
  // a fixed stride (coprime with the wave's length) mixes them deterministically.
  const order = WAVE.map((_, k) => WAVE[(k * 13) % WAVE.length]!);
  return order.map(([cluster, service, running], i) => {
    // Schedules fire within their minute; spread deterministically over 0–40 s.
    const at = iso(START_MS + Math.round((i * 40_000) / (WAVE.length - 1) / 1000) * 1000);
    const failed = `${cluster}/${service}` === FAILING;
    const serviceArn = ecsArn(`service/${cluster}/${service}`);
    const detail: Record<string, unknown> = {
      eventVersion: "1.11",
      userIdentity: structuredClone(identity),
      eventTime: at,
      eventSource: "ecs.amazonaws.com",
      eventName: "UpdateService",
      awsRegion: REGION,
      sourceIPAddress: "scheduler.amazonaws.com",
      userAgent: "scheduler.amazonaws.com",
      requestParameters: { cluster, service, desiredCount: 0 },
      responseElements: failed
        ? null
        : {
            service: {
              serviceArn,
              serviceName: service,
              clusterArn: ecsArn(`cluster/${cluster}`),
              status: "ACTIVE",
              desiredCount: 0,
              runningCount: running,
              pendingCount: 0,
              launchType: "FARGATE",
              taskDefinition: ecsArn(`task-definition/${service}:${(i % 40) + 3}`),
            },
          },
      requestID: fakeUuid(i, 2),
      eventID: fakeUuid(i, 1),
      readOnly: false,
      eventType: "AwsApiCall",
      managementEvent: true,
      recipientAccountId: ACCOUNT,
      eventCategory: "Management",
    };
    if (failed) {
      detail.errorCode = "ServiceNotFoundException";
      detail.errorMessage = "Service not found.";
    }
    return {
      version: "0",
      id: fakeUuid(i, 3),
      "detail-type": "AWS API Call via CloudTrail",
      source: "aws.ecs",
      account: ACCOUNT,
      time: at,
      region: REGION,
      resources: [],
      detail,
    };
  });
}
