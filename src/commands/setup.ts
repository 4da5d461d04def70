// `traildigest setup`: Create or update the pipeline from the config file.
import type { Command } from "commander";

export function register(program: Command): void {
  program.command("setup").description("Create or update the pipeline from the config file");
}
