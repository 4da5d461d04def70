// Any input shape → normalised API-call events (design.md §3). Pure: no I/O, no SDK.
// CONTRACT (other modules code against these types; implementation owned by the digest work).

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
}

export interface ApiCallEvent {
  eventId: string;
  /** ISO-8601 UTC. */
  eventTime: string;
  eventName: string;
  eventSource: string;
  region: string;
  account: string;
  /** Names, never ARNs. For ECS calls a missing cluster is "default". */
  cluster?: string;
  service?: string;
  desiredCount?: number;
  /** State at call time, from responseElements.service when present. */
  runningCount?: number;
  pendingCount?: number;
  caller: Caller;
  errorCode?: string;
  errorMessage?: string;
  /** The SQS messageId the event arrived in, when it came from SQS. */
  messageId?: string;
}

export interface InvalidRecord {
  /** Position in the input (0-based). */
  index: number;
  messageId?: string;
  reason: string;
}

export interface NormalizedInput {
  events: ApiCallEvent[];
  invalid: InvalidRecord[];
  /** True when the input was a Lambda SQS event: exactly one batch, as the handler would receive it. */
  lambdaBatch: boolean;
}

/** Text of any supported shape (JSON document or NDJSON) → events + unreadable records. */
export declare function parseInputText(text: string): NormalizedInput;
/** An already-parsed value of any supported shape. */
export declare function normalizeValue(value: unknown): NormalizedInput;
/** One SQS message body (an EventBridge event JSON string) → event, or the reason it is unreadable. */
export declare function normalizeSqsBody(body: string, messageId?: string): ApiCallEvent | { reason: string };
