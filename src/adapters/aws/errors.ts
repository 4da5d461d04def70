// AWS SDK errors → one line a person can act on, exit 3 (docs/architecture.md §4). No SDK import: works on the
// error's shape (name, $metadata, code) plus the tags clients.ts's middleware adds (operation, host).
import { firstLine, ServiceError, UsageError, type DomainError } from "../../core/errors.js";
import { plural } from "../../core/text/text.js";
import { scrub } from "../../core/text/secret-forms.js";

/** Added to every error by the middleware in clients.ts: which call failed, and where it was sent. */
export interface AwsErrorTags {
  $traildigestService?: string; // IAM service prefix: sqs, scheduler, cloudtrail, …
  $traildigestOperation?: string; // API operation: GetSchedule, ReceiveMessage, …
  $traildigestHost?: string; // host[:port] of the endpoint
}

type AnyErr = Error &
  AwsErrorTags & {
    code?: string;
    $metadata?: { attempts?: number; httpStatusCode?: number };
    $response?: { statusCode?: number };
    /** Set by clients.ts when --timeout ran out for the whole call. */
    $traildigestTimeoutMs?: number;
    cause?: unknown;
    hostname?: string;
  };

let activeProfile: string | undefined;
/** clients.ts records the --profile in use so login advice can name it. */
export function setActiveProfile(profile: string | undefined): void {
  activeProfile = profile;
}
function profileName(): string {
  return activeProfile ?? process.env.AWS_PROFILE ?? "<profile>";
}

/** SDK client class name → IAM service prefix. */
export const IAM_PREFIX: Record<string, string> = {
  SQSClient: "sqs",
  SchedulerClient: "scheduler",
  CloudTrailClient: "cloudtrail",
  EventBridgeClient: "events",
  LambdaClient: "lambda",
  IAMClient: "iam",
  ECSClient: "ecs",
  STSClient: "sts",
  SecretsManagerClient: "secretsmanager",
  SSMClient: "ssm",
};
const SERVICE_LABEL: Record<string, string> = {
  sqs: "SQS",
  scheduler: "EventBridge Scheduler",
  cloudtrail: "CloudTrail",
  events: "EventBridge",
  lambda: "Lambda",
  iam: "IAM",
  ecs: "ECS",
  sts: "STS",
  secretsmanager: "Secrets Manager",
  ssm: "SSM",
};

const ACCESS_DENIED = new Set([
  "AccessDenied",
  "AccessDeniedException",
  "UnauthorizedOperation",
  "UnauthorizedException",
  "AuthorizationError",
  "AuthorizationErrorException",
]);
const THROTTLED = new Set([
  "ThrottlingException",
  "Throttling",
  "ThrottledException",
  "TooManyRequestsException",
  "RequestLimitExceeded",
  "RequestThrottled",
  "RequestThrottledException",
  "SlowDown",
]);
const EXPIRED = new Set(["ExpiredToken", "ExpiredTokenException", "TokenProviderError", "RequestExpired"]);
const BAD_CREDENTIALS = new Set([
  "InvalidClientTokenId",
  "UnrecognizedClientException",
  "InvalidSignatureException",
  "SignatureDoesNotMatch",
  "InvalidAccessKeyId",
  "IncompleteSignature",
]);
const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ETIMEDOUT",
  "ECONNRESET",
  "EHOSTUNREACH",
  "ENETUNREACH",
]);

function isAwsShaped(e: AnyErr): boolean {
  return Boolean(
    e.$metadata || e.$traildigestOperation || e.name === "CredentialsProviderError" || e.name === "TokenProviderError",
  );
}

function networkCode(e: AnyErr): string | undefined {
  for (let cur: unknown = e, depth = 0; cur && depth < 4; cur = (cur as AnyErr).cause, depth++) {
    const c = (cur as AnyErr).code;
    if (c && NETWORK_CODES.has(c)) return c;
    // AggregateError from happy-eyeballs connects carries the codes on its members.
    const errs = (cur as { errors?: AnyErr[] }).errors;
    const inner = errs?.find((x) => x?.code && NETWORK_CODES.has(x.code));
    if (inner) return inner.code;
  }
  return undefined;
}

/** "…is not authorized to perform: scheduler:GetSchedule on resource…" → action and principal. */
export function parseAccessDenied(message: string): { action?: string; principal?: string } {
  const action = /not authorized to perform:?\s+([A-Za-z0-9-]+:[A-Za-z0-9*]+)/i.exec(message)?.[1];
  const principal = /User:?\s+(arn:[^\s,]+)\s+is not authorized/i.exec(message)?.[1];
  return { action, principal };
}

/** The IAM action a failed call needed, from the message or else from the middleware's tags. */
export function iamAction(e: AnyErr): string | undefined {
  const parsed = parseAccessDenied(e.message ?? "").action;
  if (parsed) return parsed;
  if (e.$traildigestService && e.$traildigestOperation) return `${e.$traildigestService}:${e.$traildigestOperation}`;
  return undefined;
}

/** An answer that is not the service's protocol at all (an HTML 404, a JSON parse failure). */
export function isNotTheService(err: unknown): boolean {
  const e = err as AnyErr;
  if (!(err instanceof Error) || !(e.$metadata || e.$response || e.$traildigestOperation)) return false;
  return (
    /Deserialization error|Unexpected token|is not valid JSON|Unexpected end of JSON|non-xml|Expected .*XML/i.test(
      e.message ?? "",
    ) ||
    e.name === "SyntaxError" ||
    ((e.$metadata?.httpStatusCode === 404 || e.$response?.statusCode === 404) &&
      /^(UnknownError|Unknown|NotFound|Error)$/.test(e.name))
  );
}

/** What the matchers read about one error, worked out once. */
interface ErrorFacts {
  e: AnyErr;
  name: string;
  msg: string;
  /** The service as people name it ("EventBridge Scheduler"), else its prefix, else "AWS". */
  label: string;
  op?: string;
  /** A network error code anywhere in the cause chain. */
  net?: string;
  host: string;
  opts: { cause: unknown };
}

function errorFacts(err: Error): ErrorFacts {
  const e = err as AnyErr;
  return {
    e,
    name: e.name ?? "",
    msg: e.message ?? "",
    label: SERVICE_LABEL[e.$traildigestService ?? ""] ?? e.$traildigestService ?? "AWS",
    op: e.$traildigestOperation,
    net: networkCode(e),
    host: e.$traildigestHost ?? e.hostname ?? "the AWS endpoint",
    opts: { cause: err },
  };
}

interface ErrorMatcher {
  when: (f: ErrorFacts) => boolean;
  error: (f: ErrorFacts) => DomainError;
}

/**
 * The first matcher that fits says what the error means; the order is the precedence (missing region
 * before credentials, credentials before access, a timeout before an unreachable host, anything
 * AWS-shaped last).
 */
const MATCHERS: ErrorMatcher[] = [
  {
    when: ({ msg }) => /^Region is missing/i.test(msg),
    error: ({ opts }) => {
      const profile = activeProfile ?? process.env.AWS_PROFILE ?? "default";
      return new UsageError(
        `no AWS region: pass --region, set AWS_REGION or AWS_DEFAULT_REGION, or set region in profile "${profile}" or the config file`,
        opts,
      );
    },
  },
  {
    when: ({ name, msg }) =>
      EXPIRED.has(name) || /sso.*(expired|refresh)|token.*(has )?expired|expired.*token/i.test(msg),
    error: ({ opts }) =>
      new ServiceError(`your AWS SSO session has expired: run \`aws sso login --profile ${profileName()}\``, opts),
  },
  {
    when: ({ name, msg }) =>
      name === "CredentialsProviderError" ||
      /could not load credentials|credentials? (is|are) missing|no credentials/i.test(msg),
    error: ({ opts }) => {
      const profile = activeProfile ?? process.env.AWS_PROFILE;
      return new ServiceError(
        profile
          ? `no AWS credentials for profile "${profile}": run \`aws sso login --profile ${profile}\` (SSO) or check ~/.aws/config and ~/.aws/credentials`
          : "no AWS credentials found: set AWS_PROFILE or pass --profile, run `aws configure`, or `aws sso login --profile <name>`",
        opts,
      );
    },
  },
  {
    when: ({ name }) => BAD_CREDENTIALS.has(name),
    error: ({ name, opts }) =>
      new ServiceError(
        `AWS rejected the credentials (${name}): check AWS_PROFILE / AWS_ACCESS_KEY_ID, or run \`aws sso login --profile ${profileName()}\``,
        opts,
      ),
  },
  {
    when: ({ e, name, msg }) =>
      ACCESS_DENIED.has(name) || (e.$metadata?.httpStatusCode === 403 && /denied|not authorized/i.test(msg)),
    error: ({ e, msg, opts }) => {
      const { principal } = parseAccessDenied(msg);
      const action = iamAction(e) ?? "this call";
      return new ServiceError(
        `access denied: ${action} is not allowed for ${principal ?? "the current credentials"}`,
        opts,
      );
    },
  },
  {
    when: ({ name }) => THROTTLED.has(name),
    error: ({ e, label, op, opts }) => {
      const attempts = e.$metadata?.attempts ?? 1;
      return new ServiceError(
        `throttled by ${label}${op ? ` (${op})` : ""} after ${plural(attempts, "attempt")}; try again or lower concurrency`,
        opts,
      );
    },
  },
  {
    when: ({ name, net }) => name === "TimeoutError" || name === "RequestTimeout" || net === "ETIMEDOUT",
    error: ({ e, msg, label, op, host, opts }) => {
      const after = e.$traildigestTimeoutMs
        ? ` within ${e.$traildigestTimeoutMs / 1000} s (--timeout)`
        : ` (${firstLine(msg) || "timed out"})`;
      return new ServiceError(
        `no answer from ${host}${op ? ` to ${label} ${op}` : ""}${after}: check --endpoint-url, --region and the network, or raise --timeout`,
        opts,
      );
    },
  },
  {
    when: ({ net }) => Boolean(net),
    error: ({ net, host, opts }) =>
      new ServiceError(`cannot reach ${host} (${net}): check --endpoint-url, --region and the network`, opts),
  },
  {
    when: ({ e }) => isNotTheService(e),
    error: ({ e, label, op, host, opts }) => {
      const status = e.$metadata?.httpStatusCode ?? e.$response?.statusCode;
      return new ServiceError(
        `${host} did not answer ${op ? `${label} ${op}` : label} like AWS${status ? ` (HTTP ${status})` : ""}: does this endpoint provide ${label}? (moto and LocalStack do not emulate every service)`,
        opts,
      );
    },
  },
  {
    when: ({ e }) => isAwsShaped(e),
    error: ({ name, msg, label, op, opts }) => {
      const what = op ? `${label} ${op}` : label;
      const detail = firstLine(msg) || name;
      return new ServiceError(
        scrub(`${what} failed: ${name && name !== "Error" && !detail.includes(name) ? `${name}: ` : ""}${detail}`),
        opts,
      );
    },
  },
];

/** One error → a domain error, or undefined when it is not an AWS error this module understands. */
export function translateAwsError(err: unknown): DomainError | undefined {
  if (!(err instanceof Error)) return undefined;
  const f = errorFacts(err);
  return MATCHERS.find((m) => m.when(f))?.error(f);
}

/** The ways AWS services say "no such resource". */
const NOT_FOUND = new Set([
  "QueueDoesNotExist",
  "AWS.SimpleQueueService.NonExistentQueue",
  "ResourceNotFoundException",
  "NoSuchEntity",
  "NoSuchEntityException",
  "ParameterNotFound",
  "NotFoundException",
]);

export function isNotFound(err: unknown): boolean {
  const e = err as { name?: string; Code?: string; $metadata?: { httpStatusCode?: number } };
  return NOT_FOUND.has(e?.name ?? "") || NOT_FOUND.has(e?.Code ?? "");
}

/** SQS's "no such queue", by name, code or message (emulators word it differently). */
export function isMissingQueue(err: unknown): boolean {
  return (
    err instanceof Error &&
    /QueueDoesNotExist|NonExistentQueue|AWS\.SimpleQueueService\.NonExistentQueue|ResourceNotFound/i.test(
      `${err.name} ${(err as { Code?: string }).Code ?? ""} ${err.message}`,
    )
  );
}
