// One example (or two) for the commands whose own file gives none, so every `--help` shows how
// a real call looks. Keyed by the command path; program.ts adds them when it builds the program.
export const EXAMPLES: Record<string, string[]> = {
  "notify dry-run": [
    "traildigest notify dry-run --sample                    the digest for a bundled wave of 32 events",
    "traildigest notify dry-run --input events.json --timezone Asia/Seoul",
  ],
  "notify send": [
    'SLACK_WEBHOOK_URL=… traildigest notify send --sample     post the sample digest to Slack',
    "traildigest notify send --input events.json --webhook-url \"$SLACK_WEBHOOK_URL\" --timeout 10s",
  ],
  "schedules list": [
    "traildigest schedules list --region ap-northeast-2",
    "traildigest schedules list --group night --next 5 --json",
  ],
  "schedules show": [
    "traildigest schedules show nestjs-night-down",
    "traildigest schedules show night/worker-night-down      GROUP/NAME, as `schedules list` prints it",
  ],
  "queue stats": [
    "traildigest queue stats                                the queue named in the config file",
    "traildigest queue stats --queue arn:aws:sqs:us-east-1:123456789012:traildigest-events --json",
  ],
  "queue peek": [
    "traildigest queue peek --dlq                           what the Lambda failed (the safe peek)",
    "traildigest queue peek --queue traildigest-events --max 5",
  ],
  "setup plan": [
    "traildigest setup plan                                 what would change (unchanged rows counted, not listed)",
    "traildigest setup plan --exit-code --json              CI drift check",
  ],
  "setup apply": [
    "traildigest setup apply                                shows the plan and asks first",
    "SLACK_WEBHOOK_URL=… traildigest setup apply --yes",
  ],
  init: [
    "traildigest init                                       ./traildigest.config.json",
    "traildigest init --config ops/traildigest.config.yaml --region eu-west-1",
  ],
};

export function examplesHelp(path: string): string | undefined {
  const lines = EXAMPLES[path];
  return lines ? `\nExamples:\n${lines.map((l) => `  $ ${l}`).join("\n")}` : undefined;
}
