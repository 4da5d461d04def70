// The input options `notify dry-run` and `notify send` share: a file, stdin or the sample; the filters;
// and the live sources (--from-queue, --from-trail). New sources are added here.
import { CALLER_KIND_HELP, KIND_HELP } from "../../../core/events/call-kind.js";
import { intOption, type CommandContext, type OptionSpec } from "../command.js";
import type { NotifyOptions } from "../../../app/notify.js";

export const INPUT_OPTIONS: OptionSpec[] = [
  {
    flags: "--input <file>",
    description:
      "events to digest: a file, or - for stdin (any shape: Lambda SQS event, EventBridge events, NDJSON, CloudTrail log, lookup-events output)",
  },
  {
    flags: "--sample",
    description:
      "use a bundled, realistic wave of 32 scale-down events (shown in Asia/Seoul unless --timezone or DIGEST_TIMEZONE)",
  },
  {
    flags: "--batch-size <n>",
    description: "events per digest for inputs that are not a Lambda SQS event",
    parse: intOption("--batch-size", { max: 10_000 }),
    default: 10,
  },
  { flags: "--timezone <tz>", description: "time zone of the digest's time range (default: DIGEST_TIMEZONE or UTC)" },
  { flags: "--block-kit-url", description: "also print a Slack Block Kit Builder link per message" },
  {
    flags: "--now <time>",
    description:
      "judge event times against this ISO time (default: now; the sample's own day for --sample): events more than a year away are unreadable",
  },
  {
    flags: "--scope <scope>",
    description:
      "only the calls a rule of this scope would send: all or scale, with ,no-autoscaling / ,no-deploys (docs/call-kinds.md)",
  },
  { flags: "--kind <kinds>", description: `only calls of this ${KIND_HELP}` },
  { flags: "--caller-kind <kinds>", description: `only calls by this ${CALLER_KIND_HELP}` },
  // Live sources: app/notify-live.ts.
  {
    flags: "--from-queue",
    description: "digest the messages now waiting in the queue (safe peek: nothing is deleted)",
  },
  { flags: "--queue <name|url|arn>", description: "with --from-queue: the queue (default: the config file's queue)" },
  {
    flags: "--max <n>",
    description: "with --from-queue: read at most this many messages",
    parse: intOption("--max", { max: 10_000 }),
    default: 100,
  },
  {
    flags: "--from-trail",
    description: "digest the UpdateService calls CloudTrail recorded in a past period (with --since)",
  },
  {
    flags: "--since <when>",
    description: "with --from-trail: start of the period, a duration ago (2h) or an ISO time",
  },
  { flags: "--until <when>", description: "with --from-trail: end of the period (default: now)" },
];

/** For --from-queue the config's BatchSize wins unless --batch-size was given. */
export function withGiven<O extends NotifyOptions>(ctx: CommandContext, o: O): O {
  return { ...o, batchSizeGiven: ctx.given("batchSize") };
}
