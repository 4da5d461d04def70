// `traildigest queue`: The SQS queue between EventBridge and the Lambda.
import type { Command } from "commander";

export function register(program: Command): void {
  program.command("queue").description("The SQS queue between EventBridge and the Lambda");
}
