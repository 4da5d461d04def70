// The Lambda entry (docs/architecture.md §6): SQS batch → one Slack digest → batchItemFailures.
// Bundled by `npm run build:handler` into dist/handler.zip (index.mjs) for nodejs22.x.
import type { Context, SQSBatchResponse, SQSEvent } from "aws-lambda";
import { postMessage } from "../adapters/slack.js";
import { processBatch } from "./process.js";
import { getWebhookUrl } from "./webhook.js";
import { validateTimeZone } from "../core/time/zoned-time.js";
import { redactSecrets } from "../core/text/secret-forms.js";
import { scheduleCallers } from "./schedules-env.js";

/** Leave room to return batchItemFailures before Lambda kills the invocation. */
function safetyMarginMs(remaining: number): number {
  return Math.min(3_000, Math.floor(remaining / 5));
}

const log = (line: string) => console.log(line);

/** A bad DIGEST_TIMEZONE must not stop the digests: fall back to UTC and say so. */
function digestTimeZone(): string | undefined {
  const tz = process.env.DIGEST_TIMEZONE?.trim();
  if (!tz) return undefined;
  try {
    return validateTimeZone(tz);
  } catch {
    log(JSON.stringify({ level: "warn", msg: "DIGEST_TIMEZONE is not an IANA time zone; using UTC", value: tz }));
    return undefined;
  }
}

export const handler = async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
  const remaining = context?.getRemainingTimeInMillis?.() ?? 60_000;
  const deadline = Date.now() + remaining - safetyMarginMs(remaining);
  if (!event?.Records?.length) {
    log(JSON.stringify({ level: "info", msg: "traildigest batch", records: 0, posted: false }));
    return { batchItemFailures: [] };
  }
  // A missing or unreadable webhook is a configuration error: throw so the whole batch retries. The
  // read shares the invocation's deadline.
  const url = await getWebhookUrl(process.env, { deadline });
  // Belt and braces: no form of the URL (escaped, encoded, its token) reaches a log line.
  const safeLog = (line: string) => log(redactSecrets(line, [url], "<webhook>"));
  const outcome = await processBatch(event, {
    post: async (message, opts) => {
      await postMessage(url, message, { deadline: opts.deadline, log: safeLog });
    },
    timeZone: digestTimeZone(),
    classify: scheduleCallers(process.env, log),
    deadline,
    log: safeLog,
  });
  return outcome.response;
};
