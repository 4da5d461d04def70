// One SQS batch → one Slack digest, shared by the Lambda handler and `traildigest local run`.
// Unreadable records are reported in batchItemFailures (they retry, then reach the DLQ); the rest
// become ONE digest; if posting fails after retries every record is reported, so nothing is lost.
import type { SQSBatchResponse, SQSEvent } from "aws-lambda";
import { eventTimeProblem, normalizeSqsBody, type ApiCallEvent, type InvalidRecord } from "../core/events/events.js";
import { buildDigest, type SlackMessage } from "../core/digest/digest.js";
import { plural } from "../core/text/text.js";
import type { ClassifyContext } from "../core/events/call-kind.js";

export interface ProcessDeps {
  post(message: SlackMessage, opts: { deadline: number }): Promise<void>;
  timeZone?: string;
  /** Schedules to name scheduler calls by (TRAILDIGEST_SCHEDULES in the Lambda, the config in the CLI). */
  classify?: ClassifyContext;
  /** Epoch ms by which the batch must be done (posting included). */
  deadline: number;
  log?(line: string): void;
  /** The batch's receipt time (epoch ms), against which event times are judged. Default: Date.now(). */
  now?: number;
}

export interface BatchOutcome {
  response: SQSBatchResponse;
  message: SlackMessage | null;
  posted: boolean;
  stats: { records: number; events: number; duplicates: number; invalid: number; failed: number };
}

export async function processBatch(event: SQSEvent, deps: ProcessDeps): Promise<BatchOutcome> {
  const log = deps.log ?? (() => {});
  const records = Array.isArray(event?.Records) ? event.Records : [];
  const events: ApiCallEvent[] = [];
  const invalid: InvalidRecord[] = [];
  const receivedAt = deps.now ?? Date.now();
  records.forEach((record, index) => {
    const messageId = record?.messageId;
    const r =
      typeof record?.body === "string"
        ? normalizeSqsBody(record.body, messageId)
        : { reason: "record has no string body" };
    // An event time years away is forged or broken: counted as unreadable, never stretches the digest's range.
    const why = "reason" in r ? r.reason : eventTimeProblem(r, receivedAt);
    if (why !== undefined) invalid.push({ index, messageId, reason: why });
    else events.push(r as ApiCallEvent);
  });

  const usable = (id: unknown): id is string => typeof id === "string" && id.length > 0;
  // A record SQS must get back but that has no messageId cannot be named in batchItemFailures:
  // throw so the whole batch is retried rather than silently dropping it (docs/architecture.md §6).
  const failures = (ids: (string | undefined)[], why: string) => {
    const missing = ids.filter((id) => !usable(id)).length;
    if (missing > 0) {
      const msg = `${plural(missing, "record")} ${why} ha${missing === 1 ? "s" : "ve"} no messageId; failing the whole batch so SQS retries it`;
      log(JSON.stringify({ level: "error", msg: "traildigest batch", records: records.length, error: msg }));
      throw new Error(msg);
    }
    return ids.filter(usable).map((itemIdentifier) => ({ itemIdentifier }));
  };
  const invalidIds = invalid.map((r) => r.messageId);
  // Before posting, so a batch that will be retried whole is not also posted.
  let batchItemFailures = failures(invalidIds, "that could not be read");

  let message: SlackMessage | null = null;
  let digestStats = { events: 0, duplicates: 0, failed: 0 };
  if (events.length > 0) {
    const digest = buildDigest(events, {
      timeZone: deps.timeZone,
      invalidCount: invalid.length,
      classify: deps.classify,
    });
    message = digest.message;
    digestStats = digest.stats;
  }

  let posted = false;
  let error: string | undefined;
  if (message) {
    try {
      await deps.post(message, { deadline: deps.deadline });
      posted = true;
    } catch (err) {
      // Slack never took it: hand every record back to SQS so the digest is retried as a whole.
      error = err instanceof Error ? err.message : String(err);
      batchItemFailures = failures(
        records.map((r) => r?.messageId),
        `to hand back after the failed post (${error})`,
      );
    }
  }

  const stats = {
    records: records.length,
    events: digestStats.events,
    duplicates: digestStats.duplicates,
    invalid: invalid.length,
    failed: digestStats.failed,
  };
  log(
    JSON.stringify({
      level: error ? "error" : invalid.length ? "warn" : "info",
      msg: "traildigest batch",
      ...stats,
      posted,
      batchItemFailures: batchItemFailures.length,
      ...(invalid.length
        ? { invalidReasons: invalid.slice(0, 5).map((r) => ({ messageId: r.messageId, reason: r.reason })) }
        : {}),
      ...(error ? { error } : {}),
    }),
  );
  return { response: { batchItemFailures }, message, posted, stats };
}
