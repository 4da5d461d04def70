// `npm run demo`: the whole pipeline on this machine, no AWS account. Starts a local SQS (fauxqs) on a
// free loopback port, creates the queue and its DLQ, sends a night-time scale-down wave exactly as the
// EventBridge rule delivers it, runs the real CLI `traildigest local run` with BatchSize 10 and a short
// window, shows every digest, then a summary. `npm run demo -- --webhook-url URL` also posts to Slack.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { CreateQueueCommand, GetQueueAttributesCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { Chalk } from "chalk";
import { startSqs, type RunningEmulator } from "../tools/emulators.js";
import { demoWave } from "../tools/demo-wave.js";
import { SAMPLE_TIMEZONE } from "../src/core/events/sample.js";

const BIN = fileURLToPath(new URL("../bin/traildigest.js", import.meta.url));
const QUEUE = "traildigest-events";
const DLQ = "traildigest-events-dlq";
const BATCH_SIZE = 10;
const WINDOW_S = 2;
/**
 * Production wants maxReceiveCount >= 5; the demo uses 2 so the unreadable message reaches the DLQ
 * after two deliveries, seconds into the run rather than minutes.
 */
const MAX_RECEIVE_COUNT = 2;

function usage(): never {
  process.stdout.write(
    "usage: npm run demo [-- --webhook-url https://hooks.slack.com/services/…]\n" +
      "Runs the whole pipeline locally against an embedded SQS; with --webhook-url the digests are also posted to Slack.\n",
  );
  process.exit(0);
}

function parseArgs(argv: string[]): { webhookUrl?: string } {
  let webhookUrl: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--help" || a === "-h") usage();
    else if (a === "--webhook-url") webhookUrl = argv[++i];
    else if (a.startsWith("--webhook-url=")) webhookUrl = a.slice("--webhook-url=".length);
    else {
      process.stderr.write(`demo: unknown argument ${JSON.stringify(a)} (only --webhook-url URL)\n`);
      process.exit(2);
    }
  }
  if (webhookUrl !== undefined && !webhookUrl) {
    process.stderr.write("demo: --webhook-url needs a URL\n");
    process.exit(2);
  }
  return { webhookUrl };
}

const c = new Chalk({ level: process.stdout.isTTY && !process.env.NO_COLOR ? 1 : 0 });

async function main(): Promise<number> {
  const { webhookUrl } = parseArgs(process.argv.slice(2));
  const started = Date.now();
  // The function timeout the local run enforces; posting to real Slack gets more room for retries.
  const handlerTimeoutS = webhookUrl ? 6 : 3;
  // local run refuses a visibility timeout shorter than window + handler timeout; no longer than that,
  // so a record returned in batchItemFailures comes back within seconds.
  const visibilityS = WINDOW_S + handlerTimeoutS;
  const wave = demoWave();

  let sqs: RunningEmulator | undefined;
  let client: SQSClient | undefined;
  let child: ReturnType<typeof spawn> | undefined;
  const cleanup = async () => {
    const c = child;
    if (c && c.exitCode === null && c.signalCode === null) {
      // Wait for the CLI to go (SIGKILL after 5 s) so nothing outlives the demo.
      const gone = new Promise<void>((r) => c.once("exit", () => r()));
      c.kill("SIGTERM");
      const t = setTimeout(() => c.kill("SIGKILL"), 5000);
      await gone;
      clearTimeout(t);
    }
    client?.destroy();
    await sqs?.stop();
  };
  let interrupted = false;
  const onSignal = () => {
    interrupted = true;
    process.stderr.write("demo: interrupted, stopping the local SQS\n");
    void cleanup().then(() => process.exit(130));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);

  try {
    sqs = await startSqs({ region: "us-east-1" });
    const env = {
      ...process.env,
      AWS_ACCESS_KEY_ID: "demo",
      AWS_SECRET_ACCESS_KEY: "demo",
      AWS_REGION: "us-east-1",
      AWS_PROFILE: undefined,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
      ...(process.stdout.isTTY && !process.env.NO_COLOR ? { FORCE_COLOR: "1" } : {}),
    };
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
    client = new SQSClient({
      region: "us-east-1",
      endpoint: sqs.endpoint,
      useQueueUrlAsEndpoint: false,
      credentials: { accessKeyId: "demo", secretAccessKey: "demo" },
    });

    const dlqUrl = (await client.send(new CreateQueueCommand({ QueueName: DLQ }))).QueueUrl!;
    const dlqArn = (
      await client.send(new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ["QueueArn"] }))
    ).Attributes!.QueueArn!;
    const queueUrl = (
      await client.send(
        new CreateQueueCommand({
          QueueName: QUEUE,
          Attributes: {
            VisibilityTimeout: String(visibilityS),
            RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: MAX_RECEIVE_COUNT }),
          },
        }),
      )
    ).QueueUrl!;
    // One SendMessage per event, body = the EventBridge event, as the rule's SQS target does.
    for (const body of wave.bodies)
      await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));

    const out = (s = "") => process.stdout.write(s + "\n");
    out(c.bold("traildigest demo — the whole pipeline on this machine, no AWS account"));
    out(`  local SQS (fauxqs)  ${sqs.endpoint}`);
    out(
      `  queue               ${QUEUE}: visibility timeout ${visibilityS}s, DLQ ${DLQ} after ${MAX_RECEIVE_COUNT} receives ` +
        c.dim(`(production: >= 5; 2 here so the unreadable message reaches the DLQ within seconds)`),
    );
    out(
      `  sent                ${wave.bodies.length} messages as the EventBridge rule delivers them: ${wave.events} UpdateService calls ` +
        `of a 22:00 scale-down over ${wave.clusters.length} clusters (${wave.failedCalls} failed), ` +
        `${wave.duplicates} duplicate delivery, ${wave.unreadable} unreadable message`,
    );
    const args = [
      "local",
      "run",
      "--queue",
      QUEUE,
      "--endpoint-url",
      sqs.endpoint,
      "--region",
      "us-east-1",
      "--batch-size",
      String(BATCH_SIZE),
      "--window",
      `${WINDOW_S}s`,
      "--handler-timeout",
      `${handlerTimeoutS}s`,
      "--timezone",
      SAMPLE_TIMEZONE,
      "--until-empty",
      ...(webhookUrl ? ["--sink", "slack", "--webhook-url", webhookUrl] : []),
    ];
    const shown = args.map((a) => (a === webhookUrl ? "***" : a)).join(" ");
    out(`  running             traildigest ${shown}`);
    out(
      c.dim(
        `  (handler timeout ${handlerTimeoutS}s: local run refuses a visibility timeout shorter than window + handler timeout, ` +
          `and a short visibility timeout brings a failed record back quickly)`,
      ),
    );
    out();

    // stdout (the digests) goes straight to the terminal; stderr (one line per invocation) is shown and kept.
    let stderr = "";
    const code = await new Promise<number>((resolve, reject) => {
      child = spawn(process.execPath, [BIN, ...args], { env, stdio: ["ignore", "inherit", "pipe"] });
      child.stderr!.on("data", (d: Buffer) => {
        stderr += d;
        process.stderr.write(d);
      });
      child.on("error", reject);
      child.on("close", (code, signal) => resolve(code ?? (signal ? 128 : 1)));
    });
    if (interrupted) return 130;
    if (code !== 0) {
      process.stderr.write(`demo: traildigest local run exited with code ${code}\n`);
      return code;
    }

    const lines = stderr.split("\n").filter((l) => /^#\d+ /.test(l));
    const sizes = lines.map((l) => Number(/ (\d+) records?/.exec(l)?.[1] ?? 0));
    const digests = lines.filter((l) => /digest (posted|printed)/.test(l)).length;
    const depth = async (url: string) => {
      const a = (await client!.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["All"] })))
        .Attributes!;
      return (
        Number(a.ApproximateNumberOfMessages) +
        Number(a.ApproximateNumberOfMessagesNotVisible) +
        Number(a.ApproximateNumberOfMessagesDelayed)
      );
    };
    const inDlq = await depth(dlqUrl);
    const left = await depth(queueUrl);
    const secs = ((Date.now() - started) / 1000).toFixed(1);
    out();
    out(c.bold("Demo summary"));
    out(
      `  events in         ${wave.bodies.length} messages: ${wave.events} API calls + ${wave.duplicates} duplicate delivery + ${wave.unreadable} unreadable`,
    );
    out(`  batches           ${lines.length} (${sizes.join(" / ")} records)`);
    out(`  digests           ${digests}${webhookUrl ? " (posted to Slack)" : ""}`);
    out(`  sent to the DLQ   ${inDlq} ${c.dim(`(the unreadable message, after ${MAX_RECEIVE_COUNT} deliveries)`)}`);
    out(`  left in queue     ${left}`);
    out(`  took              ${secs}s`);
    out();
    out(
      c.dim(
        "In AWS the same events arrive through EventBridge → SQS → Lambda (BatchSize 10, window 300 s); several pollers\n" +
          "may split a wave into more, smaller batches. Next: `traildigest notify dry-run --sample`, or point\n" +
          "`traildigest local run --endpoint-url` at LocalStack or moto (see docs/local-run.md).",
      ),
    );
    return 0;
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    await cleanup();
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`demo: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
