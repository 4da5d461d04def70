// Region, profile, endpoint and timeout as every AWS client uses them, read from the flags, the
// environment and the shared AWS config files (the SDK's own reader). Order follows the AWS CLI
// (docs/operator-contract.md): --region > AWS_REGION > AWS_DEFAULT_REGION > the profile's > the config file's.
import { UsageError } from "../../core/errors.js";

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
