// `traildigest schedules audit`: expected fires vs CloudTrail UpdateService calls (exit 1 on a miss).
import { defineCommand, intOption } from "../command.js";
import type { AuditOpts } from "../../../app/audit.js";

export default defineCommand({
  name: "audit",
  description: "did every scheduled scale happen? expected fires vs CloudTrail UpdateService calls",
  options: [
    {
      flags: "--since <when>",
      description: "start of the period: a duration ago (24h, 7d) or an ISO time",
      default: "24h",
    },
    { flags: "--until <when>", description: "end of the period: a duration ago or an ISO time (default: now)" },
    {
      flags: "--group <name>",
      description: "report only this schedule group's fires (every group still explains calls)",
    },
    {
      flags: "--pending-margin <duration>",
      description: "fires more recent than this may not be in CloudTrail yet: pending",
      default: "15m",
    },
    {
      flags: "--tolerance <duration>",
      description: "slack after a fire's flexible window (the scheduler's 60 s precision)",
      default: "60s",
    },
    {
      flags: "--concurrency <n>",
      description: "parallel GetSchedule calls",
      parse: intOption("--concurrency", { max: 50 }),
      default: 8,
    },
  ],
  notes: `A fire is ok when its role called UpdateService on that cluster/service with that desired count
within [fire, fire + flexible window + tolerance]; failed when that call has an errorCode; missed when
there is no such call; pending when it is too recent for CloudTrail (about 5 min, not guaranteed).
Calls no schedule explains (a person scaling by hand) are listed as unexpected; deploys and
Application Auto Scaling's calls are listed apart (docs/call-kinds.md).`,
  examples: [
    "traildigest schedules audit                      the last 24 hours",
    "traildigest schedules audit --since 7d --json    a week, for a script",
    "traildigest schedules audit --since 2026-11-25T00:00:00Z --until 2026-11-26T00:00:00Z",
  ],
  exitCodes: "Exit codes: 0 every fire ok or pending · 1 a fire missed or failed · 2 usage · 3 AWS error",
  async run(ctx, o: AuditOpts) {
    const [{ auditCommand }, { renderAudit }] = await Promise.all([
      import("../../../app/audit.js"),
      import("../../render/audit.js"),
    ]);
    const data = await auditCommand(ctx, o);
    const problems = data.summary.missed + data.summary.failed > 0;
    return { data, render: (_d, ui) => renderAudit(data, ui), exitCode: problems ? 1 : 0 };
  },
});
