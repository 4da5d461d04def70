// The one place where a command's context is resolved and checked: timeout, time zone, webhook and the
// queue a command names. Region, profile and endpoint are resolved where the AWS clients are made
// (adapters/aws/env.ts), in the AWS CLI's order (docs/operator-contract.md).
import { UsageError } from "../core/errors.js";
import { parseDuration } from "../core/time/duration.js";

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

/** The webhook URL from --webhook-url or SLACK_WEBHOOK_URL, with the label errors should name. */
export function webhookSource(
  flag: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): { raw: string | undefined; label: string } {
  return flag !== undefined
    ? { raw: flag, label: "--webhook-url" }
    : { raw: env.SLACK_WEBHOOK_URL, label: "SLACK_WEBHOOK_URL" };
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
