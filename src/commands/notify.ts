// `traildigest notify`: Preview and send Slack digests (the same code the Lambda runs).
import type { Command } from "commander";

export function register(program: Command): void {
  program.command("notify").description("Preview and send Slack digests (the same code the Lambda runs)");
}
