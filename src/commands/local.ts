// `traildigest local`: Run the pipeline locally against any SQS endpoint.
import type { Command } from "commander";

export function register(program: Command): void {
  program.command("local").description("Run the pipeline locally against any SQS endpoint");
}
