// Any input shape → normalised API-call events (docs/architecture.md §3). Pure: no I/O, no SDK.
// CONTRACT (other modules code against these types; implementation owned by the digest work).
import { UsageError } from "../errors.js";
import { normalizeCaller } from "./caller.js";
import { inputExcerpt } from "./input-excerpt.js";
import { isObj, num, str, type Obj } from "./values.js";
import { isArn, resourceOf } from "../aws/arn.js";

export { normalizeCaller } from "./caller.js";
export { inputExcerpt, jsonErrorText } from "./input-excerpt.js";
export { MAX_EVENT_TIME_SKEW_MS, dropImplausibleTimes, eventTimeProblem } from "./event-time.js";
export { isObj } from "./values.js";

export interface Caller {
  /** userIdentity.type: AssumedRole, IAMUser, Root, AWSService, … */
  type: string;
  arn?: string;
  /** What a person reads: role or user name, or for an assumed role the session when it is a person (SSO e-mail). */
  name: string;
  /** For assumed roles: the role name (sessionContext.sessionIssuer.userName). */
  role?: string;
  /** For assumed roles: the session name. */
  session?: string;
  /** userIdentity.invokedBy: the AWS service that made the call for the principal (call-kind.ts reads it). */
  invokedBy?: string;
  /** userIdentity.sessionCredentialFromConsole was "true": a console session. */
  console?: boolean;
  /** The record's userAgent / sourceIPAddress when they name an AWS service ("….amazonaws.com"). */
  via?: string;
}

export interface ApiCallEvent {
  eventId: string;
  /** ISO-8601 UTC. */
  eventTime: string;
  eventName: string;
  eventSource: string;
  region: string;
  account: string;
  /** Names, never ARNs. For ECS calls a missing cluster is "default" (and clusterDefaulted is set). */
  cluster?: string;
  /** The request named no cluster: ECS used the default cluster. */
  clusterDefaulted?: boolean;
  service?: string;
  desiredCount?: number;
  /** State at call time, from responseElements.service when present. */
  runningCount?: number;
  pendingCount?: number;
  caller: Caller;
  /** UpdateService request: the task definition asked for, "family:revision" (from the response when it names one). */
  taskDefinition?: string;
  forceNewDeployment?: boolean;
  /** Other request fields that change the service (deploymentConfiguration, networkConfiguration, …), sorted. */
  otherChanges?: string[];
  errorCode?: string;
  errorMessage?: string;
  /** The SQS messageId the event arrived in, when it came from SQS. */
  messageId?: string;
}

export interface InvalidRecord {
  /** Position in the input (0-based); -1 when not known (an event set aside after reading, for its time). */
  index: number;
  messageId?: string;
  /** The event's id, for an event set aside after reading. */
  eventId?: string;
  reason: string;
}

export interface NormalizedInput {
  events: ApiCallEvent[];
  invalid: InvalidRecord[];
  /** True when the input was a Lambda SQS event: exactly one batch, as the handler would receive it. */
  lambdaBatch: boolean;
}

/** Why a record could not be read; never a guess at what it might have been. */
export interface Unreadable {
  reason: string;
}

export const SUPPORTED =
  "expected a Lambda SQS event, EventBridge event(s), CloudTrail records, SQS messages or `aws cloudtrail lookup-events` output";

export function isUnreadable(v: ApiCallEvent | Unreadable): v is Unreadable {
  return "reason" in v && !("eventId" in v);
}

// ---------- shapes ----------

function isLambdaSqsRecord(v: Obj): boolean {
  return typeof v.body === "string" && (v.eventSource === "aws:sqs" || typeof v.messageId === "string");
}
/** `aws sqs receive-message` / SDK ReceiveMessage output uses PascalCase. */
function isSdkSqsMessage(v: Obj): boolean {
  return typeof v.Body === "string" && typeof v.MessageId === "string";
}
function isEventBridgeEvent(v: Obj): boolean {
  return "detail" in v || "detail-type" in v;
}
function isLookupEvent(v: Obj): boolean {
  return "CloudTrailEvent" in v;
}
function isCloudTrailRecord(v: Obj): boolean {
  return "eventID" in v || "eventName" in v || "eventTime" in v || "userIdentity" in v;
}

// ---------- names from ARNs ----------

/** "arn:aws:ecs:r:a:cluster/dev" or "dev" → "dev". */
export function clusterName(v: string): string {
  if (isArn(v)) {
    const resource = resourceOf(v);
    const slash = resource.indexOf("/");
    return slash >= 0 ? resource.slice(slash + 1) : resource;
  }
  return v;
}

/** Service ARN, new ("service/cluster/svc") or old ("service/svc") format, or a bare name. */
export function serviceRef(v: string): { service: string; cluster?: string } {
  if (!isArn(v)) return { service: v };
  const resource = resourceOf(v);
  const parts = resource.split("/");
  if (parts.length >= 3) return { cluster: parts[1]!, service: parts.slice(2).join("/") };
  return { service: parts[parts.length - 1]! };
}

// ---------- records ----------

/** An ISO date-time with no offset ("2026-11-26T13:00:00"), which Date would read in the machine's zone. */
const ISO_NO_OFFSET = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)$/;

/** ISO-8601 UTC, second precision like CloudTrail when there are no milliseconds. */
function isoTime(v: unknown): string | undefined {
  let d: Date | undefined;
  if (v instanceof Date) d = v;
  else if (typeof v === "string" && v.length > 0) {
    // CloudTrail times are UTC: read one without an offset as UTC, whatever TZ this runs in.
    const m = ISO_NO_OFFSET.exec(v.trim());
    d = new Date(m ? `${m[1]}T${m[2]}Z` : v);
  } else if (typeof v === "number") d = new Date(v);
  if (!d || Number.isNaN(d.getTime())) return undefined;
  const iso = d.toISOString();
  return iso.endsWith(".000Z") ? `${iso.slice(0, -5)}Z` : iso;
}

// ECS calls that always address a cluster; without one ECS uses "default".
const CLUSTER_SCOPED = new Set([
  "UpdateService",
  "CreateService",
  "DeleteService",
  "RunTask",
  "StartTask",
  "StopTask",
  "CreateTaskSet",
  "UpdateTaskSet",
  "DeleteTaskSet",
  "UpdateServicePrimaryTaskSet",
]);

interface Fallback {
  region?: string;
  account?: string;
  eventTime?: unknown;
  eventId?: string;
}

/** One CloudTrail record (EventBridge `detail`, a log-file record, a parsed CloudTrailEvent). */
export function normalizeCloudTrailRecord(record: unknown, fallback: Fallback = {}): ApiCallEvent | Unreadable {
  if (!isObj(record)) return { reason: "not a CloudTrail record (not an object)" };
  const eventId = str(record.eventID) ?? fallback.eventId;
  const eventName = str(record.eventName);
  const rawTime = record.eventTime ?? fallback.eventTime;
  const missing = [!eventId && "eventID", !eventName && "eventName", rawTime === undefined && "eventTime"].filter(
    Boolean,
  );
  if (missing.length > 0) return { reason: `not an API-call event: no ${missing.join(", ")}` };
  const eventTime = isoTime(rawTime);
  if (!eventTime)
    return { reason: `eventTime is not a time: ${inputExcerpt(JSON.stringify(rawTime) ?? String(rawTime))}` };

  const identity = record.userIdentity;
  const ev: ApiCallEvent = {
    eventId: eventId!,
    eventTime,
    eventName: eventName!,
    eventSource: str(record.eventSource) ?? "",
    region: str(record.awsRegion) ?? fallback.region ?? "",
    account:
      str(record.recipientAccountId) ??
      (isObj(identity) ? str(identity.accountId) : undefined) ??
      fallback.account ??
      "",
    caller: normalizeCaller(identity, record),
  };

  if (ev.eventSource === "ecs.amazonaws.com") {
    const rp = isObj(record.requestParameters) ? record.requestParameters : {};
    const re = isObj(record.responseElements) ? record.responseElements : {};
    const svcState = isObj(re.service) ? re.service : undefined;
    const svcArg = str(rp.service) ?? str(rp.serviceName) ?? (svcState ? str(svcState.serviceName) : undefined);
    let cluster = str(rp.cluster) ? clusterName(rp.cluster as string) : undefined;
    if (svcArg) {
      const ref = serviceRef(svcArg);
      ev.service = ref.service;
      cluster ??= ref.cluster;
    }
    if (!cluster && svcState && str(svcState.clusterArn)) cluster = clusterName(svcState.clusterArn as string);
    if (cluster) ev.cluster = cluster;
    else if (ev.service || CLUSTER_SCOPED.has(ev.eventName)) {
      ev.cluster = "default";
      ev.clusterDefaulted = true;
    }
    const desired = num(rp.desiredCount);
    if (desired !== undefined) ev.desiredCount = desired;
    if (ev.eventName === "UpdateService") readDeployment(ev, rp, svcState);
    if (svcState) {
      const running = num(svcState.runningCount);
      const pending = num(svcState.pendingCount);
      if (running !== undefined) ev.runningCount = running;
      if (pending !== undefined) ev.pendingCount = pending;
    }
  }

  const errorCode = str(record.errorCode);
  if (errorCode) ev.errorCode = errorCode;
  const errorMessage = str(record.errorMessage);
  if (errorMessage) ev.errorMessage = errorMessage;
  return ev;
}

// Request fields that are not a change to the service (addressing) or are read on their own.
const NOT_A_CHANGE = new Set(["cluster", "service", "desiredCount", "taskDefinition", "forceNewDeployment"]);

/** "arn:aws:ecs:r:a:task-definition/api:42" or "api:42" or "api" → "api:42" / "api". */
export function taskDefinitionName(v: string): string {
  return isArn(v)
    ? v.slice(v.indexOf("task-definition/") >= 0 ? v.indexOf("task-definition/") + 16 : v.lastIndexOf(":") + 1)
    : v;
}

/** What an UpdateService request asks for besides the desired count (call-kind.ts classifies it). */
function readDeployment(ev: ApiCallEvent, rp: Obj, svcState: Obj | undefined): void {
  const asked = str(rp.taskDefinition);
  if (asked) {
    // A bare family means "latest ACTIVE revision": the response names the revision ECS chose.
    const chosen = svcState ? str(svcState.taskDefinition) : undefined;
    const name = taskDefinitionName(asked);
    ev.taskDefinition =
      !name.includes(":") && chosen && taskDefinitionName(chosen).startsWith(`${name}:`)
        ? taskDefinitionName(chosen)
        : name;
  }
  if (rp.forceNewDeployment === true || rp.forceNewDeployment === "true") ev.forceNewDeployment = true;
  const other = Object.keys(rp)
    .filter((k) => !NOT_A_CHANGE.has(k) && rp[k] !== null && rp[k] !== undefined)
    .sort();
  if (other.length) ev.otherChanges = other;
}

/** One EventBridge event whose detail is a CloudTrail record. */
export function normalizeEventBridgeEvent(event: unknown): ApiCallEvent | Unreadable {
  if (!isObj(event)) return { reason: "not an EventBridge event (not an object)" };
  if (!isObj(event.detail)) return { reason: "EventBridge event without a detail object" };
  const r = normalizeCloudTrailRecord(event.detail, {
    region: str(event.region),
    account: str(event.account),
  });
  if (isUnreadable(r) && str(event["detail-type"]) && event["detail-type"] !== "AWS API Call via CloudTrail") {
    return { reason: `"${inputExcerpt(String(event["detail-type"]))}" event is not an API call via CloudTrail` };
  }
  return r;
}

/** An `Events[]` item of LookupEvents: CloudTrailEvent is a JSON string, EventTime a Date or a string. */
export function normalizeLookupEvent(item: unknown): ApiCallEvent | Unreadable {
  if (!isObj(item)) return { reason: "not a lookup-events item (not an object)" };
  const raw = item.CloudTrailEvent;
  if (typeof raw !== "string") return { reason: "lookup-events item without a CloudTrailEvent string" };
  let record: unknown;
  try {
    record = JSON.parse(raw);
  } catch {
    return { reason: "CloudTrailEvent is not JSON" };
  }
  return normalizeCloudTrailRecord(record, { eventTime: item.EventTime, eventId: str(item.EventId) });
}

/** One SQS message body (an EventBridge event JSON string) → event, or the reason it is unreadable. */
export function normalizeSqsBody(body: string, messageId?: string): ApiCallEvent | Unreadable {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return { reason: "message body is not JSON" };
  }
  let r: ApiCallEvent | Unreadable;
  if (!isObj(value)) r = { reason: "message body is not a JSON object" };
  else if (isEventBridgeEvent(value)) r = normalizeEventBridgeEvent(value);
  else if (isCloudTrailRecord(value)) r = normalizeCloudTrailRecord(value);
  else r = { reason: "message body is not an EventBridge event" };
  if (!isUnreadable(r) && messageId) r.messageId = messageId;
  return r;
}

/** Any single item of any list shape. */
function normalizeItem(item: unknown): { event: ApiCallEvent } | { reason: string; messageId?: string } {
  if (!isObj(item)) return { reason: "not an object" };
  let r: ApiCallEvent | Unreadable;
  let messageId: string | undefined;
  if (isLambdaSqsRecord(item)) {
    messageId = str(item.messageId);
    r = normalizeSqsBody(item.body as string, messageId);
  } else if (isSdkSqsMessage(item)) {
    messageId = str(item.MessageId);
    r = normalizeSqsBody(item.Body as string, messageId);
  } else if (isLookupEvent(item)) r = normalizeLookupEvent(item);
  else if (isEventBridgeEvent(item)) r = normalizeEventBridgeEvent(item);
  else if (isCloudTrailRecord(item)) r = normalizeCloudTrailRecord(item);
  else r = { reason: "not an API-call event (no eventID, eventTime or eventName)" };
  if (isUnreadable(r)) return messageId ? { reason: r.reason, messageId } : { reason: r.reason };
  return { event: r };
}

function normalizeList(items: unknown[], lambdaBatch: boolean): NormalizedInput {
  const out: NormalizedInput = { events: [], invalid: [], lambdaBatch };
  normalizeItems(items, out, 0);
  return out;
}

/**
 * Items of one value → `out`, numbered from `index` (returns the next index). `line`: the NDJSON line they came
 * from, named in each unreadable record's reason. The one place a list item becomes an event or a reason.
 */
export function normalizeItems(items: unknown[], out: NormalizedInput, index: number, line?: number): number {
  for (const item of items) {
    const r = normalizeItem(item);
    if ("event" in r) out.events.push(r.event);
    else {
      const reason = line === undefined ? r.reason : `line ${line}: ${r.reason}`;
      out.invalid.push(r.messageId ? { index, messageId: r.messageId, reason } : { index, reason });
    }
    index++;
  }
  return index;
}

/** An already-parsed value of any supported shape. */
export function normalizeValue(value: unknown): NormalizedInput {
  if (Array.isArray(value)) return normalizeList(value, false);
  if (!isObj(value))
    throw new UsageError(`not a supported input (a JSON ${value === null ? "null" : typeof value}): ${SUPPORTED}`);
  if (Array.isArray(value.Records)) {
    // Same key for a Lambda SQS event and a CloudTrail log file: tell them apart by the records.
    const lambda = value.Records.some((r) => isObj(r) && isLambdaSqsRecord(r));
    return normalizeList(value.Records, lambda);
  }
  if (Array.isArray(value.Events)) return normalizeList(value.Events, false);
  if (Array.isArray(value.Messages)) return normalizeList(value.Messages, false);
  if (
    isLambdaSqsRecord(value) ||
    isSdkSqsMessage(value) ||
    isLookupEvent(value) ||
    isEventBridgeEvent(value) ||
    isCloudTrailRecord(value)
  ) {
    return normalizeList([value], false);
  }
  throw new UsageError(`not a supported input shape: ${SUPPORTED}`);
}

/** One value of a stream or NDJSON line → its items: an array, a page of Records/Events/Messages, or itself. */
export function flattenPage(v: unknown): unknown[] {
  if (Array.isArray(v)) return v;
  if (isObj(v)) for (const k of ["Records", "Events", "Messages"]) if (Array.isArray(v[k])) return v[k] as unknown[];
  return [v];
}
