// `traildigest doctor`: check the deployed pipeline end to end.
import { defineCommand } from "./command.js";

export default defineCommand({
  name: "doctor",
  description: "Check the deployed pipeline end to end (trail, rule, queue, DLQ, mapping, function, schedules)",
  options: [{ flags: "--strict", description: "exit 1 on warnings too" }],
  examples: [
    "traildigest doctor                                      the pipeline named in ./traildigest.config.json",
    "traildigest doctor --strict --json                      in CI: exit 1 on warnings too",
  ],
  exitCodes: "Exit codes: 0 every check passed · 1 a check failed (--strict: or warned) · 2 bad config · 3 AWS error",
  async run(ctx, o: { strict?: boolean }) {
    const [{ runDoctor }, { renderChecks }] = await Promise.all([
      import("../../app/doctor.js"),
      import("../render/doctor.js"),
    ]);
    const { checks, exitCode } = await runDoctor(ctx, Boolean(o.strict));
    return {
      data: { checks: checks.map(({ id, status, message, remedy }) => ({ id, status, message, remedy })) },
      render: (_d, ui) => renderChecks(checks, ui),
      exitCode,
    };
  },
});
