// `traildigest trail`: CloudTrail API calls (LookupEvents).
import type { Command } from "commander";

export function register(program: Command): void {
  program.command("trail").description("CloudTrail API calls (LookupEvents)");
}
