// The one place where a command's environment is resolved and checked: region, profile, endpoint,
// timeout, time zone and webhook. Order follows the AWS CLI (docs/operator-contract.md):
// region = --region > AWS_REGION > AWS_DEFAULT_REGION > the profile's region > the config file's.
import { UsageError } from "../core/errors.js";
import { parseDuration } from "../core/time/duration.js";

/** --timeout when not given: the longest one AWS or Slack call may take, retries included. */
export const DEFAULT_TIMEOUT_MS = 30_000;

const REGION_RE = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

/** "us-east-1" passes; "../../x" is a usage error naming where the value came from. */
export function validateRegion(region: string, label = "--region"): string {
  if (!REGION_RE.test(region)) throw new UsageError(`${label}: "${region}" is not an AWS region (e.g. us-east-1)`);
  return region;
}

/** An http(s) URL with a host, else a usage error naming the flag. */
export function validateEndpointUrl(url: string, label = "--endpoint-url"): string {
  let u: URL | undefined;
  try {
    u = new URL(url);
  } catch {
    u = undefined;
  }
  if (!u || (u.protocol !== "http:" && u.protocol !== "https:") || !u.hostname) {
    throw new UsageError(`${label}: "${url}" is not an http:// or https:// URL`);
  }
  return url;
}

/** "30s", "500ms", "2m" → ms; 100 ms to 15 minutes. */
export function parseTimeout(text: string, label = "--timeout"): number {
  const ms = parseDuration(text, label);
  if (ms < 100 || ms > 900_000) throw new UsageError(`${label}: "${text}" is out of range (100ms to 15m)`);
  return ms;
}

export interface ZoneChoice {
  /** undefined when nothing named a zone and no fallback was given (the caller has its own default). */
  timeZone: string | undefined;
  /** Where it came from, for messages: "--timezone", "DIGEST_TIMEZONE", "the config file" or "default". */
  source: string;
}

/**
 * The one time-zone resolution: --timezone > DIGEST_TIMEZONE > the config file's function.digestTimezone
 * > fallback. A bad value is a usage error naming where it came from; --timezone '' is one too.
 */
export async function resolveZone(
  flag: string | undefined,
  opts: { configTz?: string; fallback?: string } = {},
  env: NodeJS.ProcessEnv = process.env,
): Promise<ZoneChoice> {
  const { validateTimeZone } = await import("../core/time/zoned-time.js");
  if (flag !== undefined) {
    if (!flag.trim()) throw new UsageError(`--timezone: empty (give an IANA zone such as UTC or Asia/Seoul)`);
    return { timeZone: validateTimeZone(flag, "--timezone"), source: "--timezone" };
  }
  const envTz = env.DIGEST_TIMEZONE || undefined;
  if (envTz) return { timeZone: validateTimeZone(envTz, "DIGEST_TIMEZONE"), source: "DIGEST_TIMEZONE" };
  if (opts.configTz)
    return {
      timeZone: validateTimeZone(opts.configTz, "the config file's function.digestTimezone"),
      source: "the config file",
    };
  return { timeZone: opts.fallback, source: "default" };
}

/** resolveZone without a config file: --timezone > DIGEST_TIMEZONE > fallback. */
export async function resolveTimeZone(
  flag: string | undefined,
  fallback = "UTC",
  env: NodeJS.ProcessEnv = process.env,
): Promise<string> {
  return (await resolveZone(flag, { fallback }, env)).timeZone ?? fallback;
}

/** The webhook URL from --webhook-url or SLACK_WEBHOOK_URL, with the label errors should name. */
export function webhookSource(
  flag: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): { raw: string | undefined; label: string } {
  return flag !== undefined
    ? { raw: flag, label: "--webhook-url" }
    : { raw: env.SLACK_WEBHOOK_URL, label: "SLACK_WEBHOOK_URL" };
}

export interface AwsEnvInput {
  region?: string;
  /** The config file's region: last in the chain. */
  configRegion?: string;
  profile?: string;
  endpointUrl?: string;
}
export interface AwsEnv {
  region?: string;
  /** Where the region came from, for messages ("us-east-1 (from AWS_DEFAULT_REGION)"). */
  regionSource?: string;
  profile?: string;
  endpointUrl?: string;
}

type SharedConfig = {
  configFile: Record<string, Record<string, string | undefined>>;
  credentialsFile: Record<string, unknown>;
};
let shared: Promise<SharedConfig> | undefined;
async function sharedConfig(): Promise<SharedConfig> {
  // The SDK's own reader of ~/.aws/config and ~/.aws/credentials (honours AWS_CONFIG_FILE etc.).
  shared ??= import("@smithy/core/config").then((m) => m.loadSharedConfigFiles() as Promise<SharedConfig>);
  return shared;
}
/** For tests that write a new AWS_CONFIG_FILE. */
export function forgetSharedConfig(): void {
  shared = undefined;
}

/**
 * Region, profile and endpoint as every AWS command uses them. An explicitly named profile
 * (--profile, or AWS_PROFILE without static keys in the environment) must exist.
 */
export async function resolveAwsEnv(input: AwsEnvInput, env: NodeJS.ProcessEnv = process.env): Promise<AwsEnv> {
  const out: AwsEnv = {};
  if (input.endpointUrl) out.endpointUrl = validateEndpointUrl(input.endpointUrl);
  const profile = input.profile ?? (env.AWS_PROFILE || undefined);
  if (input.profile) out.profile = input.profile;
  const mustExist = Boolean(input.profile) || (Boolean(profile) && !env.AWS_ACCESS_KEY_ID);
  let profileSection: Record<string, string | undefined> | undefined;
  if (mustExist || !(input.region || env.AWS_REGION || env.AWS_DEFAULT_REGION)) {
    const files = await sharedConfig();
    profileSection = files.configFile[profile ?? "default"];
    if (mustExist && profile && profile !== "default" && !profileSection && !files.credentialsFile[profile]) {
      const from = input.profile ? "--profile" : "AWS_PROFILE";
      throw new UsageError(
        `${from}: profile "${profile}" not found in ~/.aws/config or ~/.aws/credentials (list them with \`aws configure list-profiles\`)`,
      );
    }
  }
  const candidates: [string | undefined, string][] = [
    [input.region, "--region"],
    [env.AWS_REGION, "AWS_REGION"],
    [env.AWS_DEFAULT_REGION, "AWS_DEFAULT_REGION"],
    [profileSection?.region, `profile ${profile ?? "default"}`],
    [input.configRegion, "the config file"],
  ];
  for (const [value, source] of candidates) {
    if (!value) continue;
    out.region = validateRegion(value, source === "--region" ? "--region" : source);
    out.regionSource = source;
    break;
  }
  return out;
}

/** The global options a queue command's context is resolved from. */
export interface QueueContextInput {
  region?: string;
  profile?: string;
  endpointUrl?: string;
  timeoutMs?: number;
  config?: string;
}

/**
 * The queue a command works on (`queue stats/peek`, `notify … --from-queue`): --queue, else the config
 * file's queue.name; AWS options from the flags, then the config file's region, unless the queue's ARN or
 * URL names a region and --region does not.
 */
export async function resolveQueueTarget(
  opts: QueueContextInput,
  queueArg: string | undefined,
  where: { missing?: string; cwd?: string | undefined } = {},
) {
  const missing =
    where.missing ?? "--queue is required (or a traildigest.config.json / .yaml with queue.name in this directory)";
  const [{ loadConfig }, { awsOptionsFor }, { parseQueueArg }] = await Promise.all([
    import("../adapters/files/config-file.js"),
    import("../core/setup/config-schema.js"),
    import("../adapters/aws/sqs.js"),
  ]);
  const cfg = await loadConfig(opts.config, where.cwd);
  const queue = queueArg ?? cfg?.queue.name;
  if (!queue) throw new UsageError(missing);
  const parsed = parseQueueArg(queue);
  const aws = awsOptionsFor(opts, cfg);
  if (!opts.region && parsed.region) aws.region = parsed.region;
  return { queue, aws, cfg };
}
