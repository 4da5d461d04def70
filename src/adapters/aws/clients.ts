// SDK v3 client factory: region, profile, endpoint, retries. Clients are imported lazily so a
// command pays only for the clients it uses (and `--help` for none).
import type { SQSClient } from "@aws-sdk/client-sqs";
import type { SchedulerClient } from "@aws-sdk/client-scheduler";
import type { CloudTrailClient } from "@aws-sdk/client-cloudtrail";
import type { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import type { LambdaClient } from "@aws-sdk/client-lambda";
import type { IAMClient } from "@aws-sdk/client-iam";
import type { ECSClient } from "@aws-sdk/client-ecs";
import type { STSClient } from "@aws-sdk/client-sts";
import type { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import type { SSMClient } from "@aws-sdk/client-ssm";
import { registerErrorTranslator } from "../../core/errors.js";
import { lookedInText, type LookedIn } from "../../core/text/text.js";
import { IAM_PREFIX, setActiveProfile, translateAwsError } from "./errors.js";
import { resolveAwsEnv, DEFAULT_TIMEOUT_MS } from "./env.js";

// Any command that builds an AWS client gets AWS errors mapped to actionable one-liners (exit 3).
registerErrorTranslator(translateAwsError);

export interface AwsOptions {
  region?: string;
  /** The config file's region: used only when nothing else names one (app/context.ts). */
  configRegion?: string;
  profile?: string;
  /** One endpoint for every client (--endpoint-url). AWS_ENDPOINT_URL[_<SERVICE>] are honoured by the SDK itself. */
  endpointUrl?: string;
  /** The longest one call may take, retries included (--timeout). Default DEFAULT_TIMEOUT_MS. */
  timeoutMs?: number;
  /** Per-client config overrides, e.g. { maxAttempts: 1 } where the caller paces and retries itself. */
  overrides?: Record<string, unknown>;
}

export interface ClientMap {
  sqs: SQSClient;
  scheduler: SchedulerClient;
  cloudtrail: CloudTrailClient;
  eventbridge: EventBridgeClient;
  lambda: LambdaClient;
  iam: IAMClient;
  ecs: ECSClient;
  sts: STSClient;
  secretsmanager: SecretsManagerClient;
  ssm: SSMClient;
}
export type ServiceName = keyof ClientMap;

type Ctor = new (config: Record<string, unknown>) => unknown;
const loaders: Record<ServiceName, () => Promise<Ctor>> = {
  sqs: async () => (await import("@aws-sdk/client-sqs")).SQSClient as unknown as Ctor,
  scheduler: async () => (await import("@aws-sdk/client-scheduler")).SchedulerClient as unknown as Ctor,
  cloudtrail: async () => (await import("@aws-sdk/client-cloudtrail")).CloudTrailClient as unknown as Ctor,
  eventbridge: async () => (await import("@aws-sdk/client-eventbridge")).EventBridgeClient as unknown as Ctor,
  lambda: async () => (await import("@aws-sdk/client-lambda")).LambdaClient as unknown as Ctor,
  iam: async () => (await import("@aws-sdk/client-iam")).IAMClient as unknown as Ctor,
  ecs: async () => (await import("@aws-sdk/client-ecs")).ECSClient as unknown as Ctor,
  sts: async () => (await import("@aws-sdk/client-sts")).STSClient as unknown as Ctor,
  secretsmanager: async () => (await import("@aws-sdk/client-secrets-manager")).SecretsManagerClient as unknown as Ctor,
  ssm: async () => (await import("@aws-sdk/client-ssm")).SSMClient as unknown as Ctor,
};

/** The client config every service shares; exported for tests. */
export async function clientConfig(opts: AwsOptions): Promise<Record<string, unknown>> {
  // Region, profile and endpoint are resolved (and checked) in one place: app/context.ts.
  const env = await resolveAwsEnv(opts);
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const config: Record<string, unknown> = {
    // Bounded: a call also gives up when --timeout runs out (boundSend below), whatever attempt it is on.
    maxAttempts: 3,
    retryMode: "adaptive",
    customUserAgent: "traildigest",
    // An endpoint that accepts the connection and never answers must not hang the command.
    requestHandler: { connectionTimeout: Math.min(timeoutMs, 10_000), requestTimeout: timeoutMs },
  };
  if (env.region) config.region = env.region;
  if (env.endpointUrl) config.endpoint = env.endpointUrl;
  if (env.profile) {
    const { fromNodeProviderChain } = await import("@aws-sdk/credential-providers");
    config.credentials = fromNodeProviderChain({ profile: env.profile });
    config.profile = env.profile;
  }
  return config;
}

export async function awsClient<S extends ServiceName>(service: S, opts: AwsOptions): Promise<ClientMap[S]> {
  const Client = await loaders[service]();
  const config = { ...(await clientConfig(opts)), ...opts.overrides };
  // fauxqs and other emulators hand out queue URLs whose host does not resolve: with an explicit
  // endpoint, send every request there rather than to the queue URL's host.
  // AWS_ENDPOINT_URL(_SQS) is such an explicit endpoint too, unless the SDK is told to ignore it.
  const envEndpoint =
    process.env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS !== "true" &&
    Boolean(process.env.AWS_ENDPOINT_URL_SQS || process.env.AWS_ENDPOINT_URL);
  if (service === "sqs" && (opts.endpointUrl || envEndpoint)) config.useQueueUrlAsEndpoint = false;
  setActiveProfile(config.profile as string | undefined);
  const client = new Client(config) as ClientMap[S];
  tagErrors(client as unknown as TaggableClient);
  boundSend(client as unknown as SendableClient, opts.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  return client;
}

interface SendableClient {
  send(command: unknown, options?: { abortSignal?: AbortSignal }): Promise<unknown>;
}

/**
 * Every call (all its retries included) is aborted when `timeoutMs` runs out, and the abort becomes
 * a TimeoutError that names the timeout; the tagging middleware adds the endpoint. The prototype's
 * send is looked up per call so aws-sdk-client-mock stubs still apply.
 */
export function boundSend(client: SendableClient, timeoutMs: number): void {
  const proto = Object.getPrototypeOf(client) as SendableClient;
  client.send = async (command, options) => {
    const ac = new AbortController();
    const timer = setTimeout(() => ac.abort(), timeoutMs);
    try {
      return await proto.send.call(client, command, { ...options, abortSignal: options?.abortSignal ?? ac.signal });
    } catch (err) {
      if (ac.signal.aborted && err && typeof err === "object") {
        Object.assign(err as object, { name: "TimeoutError", $traildigestTimeoutMs: timeoutMs });
      }
      throw err;
    } finally {
      clearTimeout(timer);
    }
  };
}

interface MiddlewareStack {
  add(mw: unknown, opts: { step: string; name: string; override?: boolean }): void;
}
export interface TaggableClient {
  middlewareStack: MiddlewareStack;
}
type Ctx = { clientName?: string; commandName?: string; traildigestHost?: string };

/**
 * The SDK's errors do not say which operation failed or where the request went; the error
 * translator needs both ("access denied: sqs:ReceiveMessage …", "cannot reach 127.0.0.1:4566").
 * The build step sees the resolved endpoint; the initialize step (outermost, after retries)
 * stamps the tags on whatever is thrown.
 */
export function tagErrors(client: TaggableClient): void {
  client.middlewareStack.add(
    (next: (a: unknown) => Promise<unknown>, context: Ctx) =>
      async (args: { request?: { hostname?: string; port?: number } }) => {
        const req = args.request;
        if (req?.hostname) context.traildigestHost = req.port ? `${req.hostname}:${req.port}` : req.hostname;
        return next(args);
      },
    { step: "build", name: "traildigestRecordHost", override: true },
  );
  client.middlewareStack.add(
    (next: (a: unknown) => Promise<unknown>, context: Ctx) => async (args: unknown) => {
      try {
        return await next(args);
      } catch (err) {
        if (err && typeof err === "object") {
          const e = err as Record<string, unknown>;
          e.$traildigestService ??= IAM_PREFIX[context.clientName ?? ""] ?? context.clientName;
          e.$traildigestOperation ??= context.commandName?.replace(/Command$/, "");
          e.$traildigestHost ??= context.traildigestHost;
        }
        throw err;
      }
    },
    { step: "initialize", name: "traildigestTagErrors", override: true },
  );
}

/**
 * The region and account a command looked in, for "found nothing" messages: a wrong region is the
 * usual reason. Best effort: an unknown part is left out rather than failing the command.
 */
export async function whereLooked(opts: AwsOptions): Promise<LookedIn> {
  const out: LookedIn = {};
  try {
    const sts = await awsClient("sts", { ...opts, timeoutMs: Math.min(opts.timeoutMs ?? DEFAULT_TIMEOUT_MS, 5000) });
    out.region = await sts.config.region();
    const { GetCallerIdentityCommand } = await import("@aws-sdk/client-sts");
    out.account = (await sts.send(new GetCallerIdentityCommand({}))).Account;
  } catch {
    /* leave the part unknown */
  }
  return out;
}

/** "region us-east-1, account 123456789012" (unknown parts left out). */
export async function describeWhere(opts: AwsOptions): Promise<string> {
  return lookedInText(await whereLooked(opts)) || "the configured region";
}
