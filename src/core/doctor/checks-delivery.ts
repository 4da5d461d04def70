// Doctor's checkers for delivery: the queue and its policy, the DLQ, the event source mapping and the function.
import { recommendedVisibility } from "../setup/config-schema.js";
import { policyAllowsRule } from "../setup/policies.js";
import { plural } from "../text/text.js";
import type { CheckContext, CheckStatus } from "./check-context.js";

const SUPPORTED_RUNTIMES = ["nodejs22.x", "nodejs24.x"];
const DEPRECATED_SOON = ["nodejs20.x"];

/** The queue: exists, lets the rule send, keeps messages invisible long enough. */
export function checkQueue(ctx: CheckContext): void {
  const { cfg, live, cannot, apply, add, qArn, rArn } = ctx;
  const q = live.queue;
  if (cannot.queue) {
    add(
      "queue",
      "queue.exists",
      "warn",
      `could not read queue ${cfg.queue.name}: ${cannot.queue}`,
      "grant sqs:GetQueueUrl and sqs:GetQueueAttributes",
    );
  } else if (!q) {
    add("queue", "queue.exists", "fail", `queue ${cfg.queue.name} not found`, apply);
  } else {
    add("queue", "queue.exists", "pass", `queue ${cfg.queue.name} exists`);
    const allowed = policyAllowsRule(q.policy, qArn, rArn);
    add(
      "queue",
      "queue.policy",
      allowed ? "pass" : "fail",
      allowed
        ? `policy lets rule ${cfg.rule.name} send`
        : `the queue policy does not let events.amazonaws.com send from rule ${cfg.rule.name}: EventBridge drops every event`,
      apply,
    );
    const fnTimeout = live.function?.timeout ?? cfg.function.timeout;
    const window = live.mapping?.windowSeconds ?? cfg.batching.windowSeconds;
    const rec = recommendedVisibility(fnTimeout, window);
    add(
      "queue",
      "queue.visibility-vs-timeout",
      q.visibilityTimeout >= fnTimeout ? "pass" : "fail",
      `visibility timeout ${q.visibilityTimeout} s ${q.visibilityTimeout >= fnTimeout ? "≥" : "<"} function timeout ${fnTimeout} s`,
      `raise queue.visibilityTimeout to at least ${rec} and ${apply}`,
    );
    add(
      "queue",
      "queue.visibility-recommended",
      q.visibilityTimeout >= rec ? "pass" : "warn",
      `visibility timeout ${q.visibilityTimeout} s ${q.visibilityTimeout >= rec ? "≥" : "<"} 6 × ${fnTimeout} s + ${window} s window = ${rec} s`,
      `set queue.visibilityTimeout to ${rec} and ${apply}`,
    );
  }
}

/** The redrive policy and what the DLQ holds. */
export function checkDlq(ctx: CheckContext): void {
  const { s, cfg, live, cannot, apply, add } = ctx;
  const q = live.queue;
  if (q) {
    const r = q.redrive;
    if (!r) {
      add(
        "dlq",
        "dlq.configured",
        "fail",
        `queue ${cfg.queue.name} has no redrive policy: failing messages cycle until retention expires and are lost`,
        apply,
      );
    } else {
      add("dlq", "dlq.configured", "pass", `redrive to ${r.deadLetterTargetArn.split(":").pop()}`);
      add(
        "dlq",
        "dlq.max-receive",
        r.maxReceiveCount >= 5 ? "pass" : "warn",
        `maxReceiveCount ${r.maxReceiveCount}${r.maxReceiveCount >= 5 ? "" : " (< 5: a throttled or briefly failing batch reaches the DLQ early)"}`,
        `set dlq.maxReceiveCount to 5 or more and ${apply}`,
      );
      if (cannot.dlq) {
        add(
          "dlq",
          "dlq.depth",
          "warn",
          `could not read DLQ ${cfg.dlq.name}: ${cannot.dlq}`,
          "grant sqs:GetQueueUrl and sqs:GetQueueAttributes on the DLQ",
        );
      } else if (s.dlqDepth) {
        const n = s.dlqDepth.visible + s.dlqDepth.inFlight;
        add(
          "dlq",
          "dlq.depth",
          n === 0 ? "pass" : "warn",
          n === 0 ? "DLQ is empty" : `DLQ holds ${plural(n, "message")}: digests that never reached Slack`,
          "inspect them with `traildigest queue peek --dlq`, fix the cause, then redrive (aws sqs start-message-move-task)",
        );
      }
    }
  }
}

/** The event source mapping: exists, enabled, batching as configured, partial batch failures on. */
export function checkMapping(ctx: CheckContext): void {
  const { cfg, live, cannot, apply, add } = ctx;
  const m = live.mapping;
  if (cannot.function) {
    add(
      "mapping",
      "mapping.exists",
      "warn",
      `could not read the mapping: ${cannot.function}`,
      "grant lambda:GetFunctionConfiguration and lambda:ListEventSourceMappings",
    );
  } else if (!m) {
    add(
      "mapping",
      "mapping.exists",
      "fail",
      `no event source mapping from ${cfg.queue.name} to ${cfg.function.name}`,
      apply,
    );
  } else {
    add("mapping", "mapping.exists", "pass", `mapping ${m.uuid}`);
    const enabled = m.state === "Enabled";
    add(
      "mapping",
      "mapping.enabled",
      enabled ? "pass" : "fail",
      `mapping state is ${m.state ?? "unknown"}`,
      `aws lambda update-event-source-mapping --uuid ${m.uuid} --enabled (or ${apply})`,
    );
    const b = cfg.batching;
    const okBatch = m.batchSize === b.batchSize && (m.windowSeconds ?? 0) === b.windowSeconds;
    add(
      "mapping",
      "mapping.batching",
      okBatch ? "pass" : "warn",
      `BatchSize ${m.batchSize}, window ${m.windowSeconds ?? 0} s${okBatch ? "" : ` (config: ${b.batchSize}, ${b.windowSeconds} s)`}`,
      apply,
    );
    const rbf = m.functionResponseTypes.includes("ReportBatchItemFailures");
    add(
      "mapping",
      "mapping.report-failures",
      rbf ? "pass" : "fail",
      rbf
        ? "ReportBatchItemFailures is on"
        : "ReportBatchItemFailures is off: one bad record replays the whole batch (duplicate digests)",
      apply,
    );
  }
}

/** The function: exists, a supported runtime, the webhook kept out of its environment. */
export function checkFunction(ctx: CheckContext): void {
  const { s, cfg, live, cannot, apply, add } = ctx;
  const f = live.function;
  if (cannot.function) {
    add(
      "function",
      "function.exists",
      "warn",
      `could not read function ${cfg.function.name}: ${cannot.function}`,
      "grant lambda:GetFunctionConfiguration",
    );
  } else if (!f) {
    add("function", "function.exists", "fail", `function ${cfg.function.name} not found`, apply);
  } else {
    add("function", "function.exists", "pass", `function ${cfg.function.name} exists (${f.state ?? "state unknown"})`);
    const rt = f.runtime ?? "unknown";
    const rtStatus: CheckStatus = SUPPORTED_RUNTIMES.includes(rt)
      ? "pass"
      : DEPRECATED_SOON.includes(rt)
        ? "warn"
        : "fail";
    add("function", "function.runtime", rtStatus, `runtime ${rt}`, `set function.runtime to nodejs22.x and ${apply}`);
    const env = f.env;
    if (env.SLACK_WEBHOOK_URL) {
      add(
        "function",
        "function.webhook",
        "fail",
        "SLACK_WEBHOOK_URL sits in plain text in the function's environment",
        `store it in Secrets Manager, set function.webhook {"secretId": …} and ${apply} (it removes the variable)`,
      );
    } else if (env.SLACK_WEBHOOK_SECRET_ID || env.SLACK_WEBHOOK_PARAMETER) {
      const what = env.SLACK_WEBHOOK_SECRET_ID
        ? `secret ${env.SLACK_WEBHOOK_SECRET_ID}`
        : `parameter ${env.SLACK_WEBHOOK_PARAMETER}`;
      if (s.deployedWebhookExists === false)
        add(
          "function",
          "function.webhook",
          "fail",
          `${what} does not exist`,
          `export SLACK_WEBHOOK_URL=… and ${apply} (it creates it without printing the value)`,
        );
      else
        add(
          "function",
          "function.webhook",
          s.deployedWebhookExists ? "pass" : "warn",
          `webhook read from ${what}${s.deployedWebhookExists ? "" : " (could not confirm it exists)"}`,
          "grant secretsmanager:DescribeSecret / ssm:DescribeParameters to check",
        );
    } else {
      add(
        "function",
        "function.webhook",
        "fail",
        "no webhook source: neither SLACK_WEBHOOK_SECRET_ID nor SLACK_WEBHOOK_PARAMETER is set",
        apply,
      );
    }
  }
}
