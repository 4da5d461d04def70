// `traildigest doctor`: Check the deployed pipeline end to end.
import type { Command } from "commander";

export function register(program: Command): void {
  program.command("doctor").description("Check the deployed pipeline end to end");
}
