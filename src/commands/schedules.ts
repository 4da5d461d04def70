// `traildigest schedules`: EventBridge Scheduler schedules: what scales what, and when.
import type { Command } from "commander";

export function register(program: Command): void {
  program.command("schedules").description("EventBridge Scheduler schedules: what scales what, and when");
}
