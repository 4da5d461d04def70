// `traildigest trail recent`: recent calls of one API: who, what, and whether it failed.
import { defineCommand, intOption } from "../command.js";
import { CALLER_KIND_HELP, KIND_HELP } from "../../../core/events/call-kind.js";
import type { RecentOpts } from "../../../app/trail.js";

export default defineCommand({
  name: "recent <eventName>",
  description: "recent calls of one API (e.g. UpdateService): who, what, and whether it failed; newest first",
  options: [
    { flags: "--since <when>", description: "a duration ago (30m, 2h, 7d) or an ISO time", default: "1h" },
    { flags: "--until <when>", description: "a duration ago or an ISO time (default: now)" },
    {
      flags: "--cluster <name>",
      description: "only calls on this ECS cluster (filtered here: LookupEvents takes one attribute)",
    },
    { flags: "--service <name>", description: "only calls on this ECS service" },
    { flags: "--caller <text>", description: "only calls whose caller (role, user, session, ARN) contains this" },
    { flags: "--kind <kinds>", description: `only calls of this ${KIND_HELP}` },
    { flags: "--caller-kind <kinds>", description: `only calls by this ${CALLER_KIND_HELP}` },
    {
      flags: "--max <n>",
      description: "at most this many events",
      parse: intOption("--max", { max: 10_000 }),
      default: 50,
    },
  ],
  notes: `LookupEvents allows 2 requests per second per account and region: pages are paced to that and
throttling is retried. CloudTrail usually has a call about 5 minutes after it happened (not guaranteed).`,
  examples: [
    "traildigest trail recent UpdateService --since 2h",
    "traildigest trail recent UpdateService --since 7d --cluster dev --service nestjs --json",
  ],
  async run(ctx, eventName: string, o: RecentOpts) {
    const [{ recentCalls }, { renderRecent }] = await Promise.all([
      import("../../../app/trail.js"),
      import("../../render/trail.js"),
    ]);
    const { events, query, lookedIn } = await recentCalls(ctx, eventName, o);
    return {
      data: { events, ...(lookedIn ? { lookedIn } : {}) },
      render: (_d, ui) => renderRecent(events, ui, query, lookedIn),
    };
  },
});
