// Where the Lambda finds its Slack webhook: SLACK_WEBHOOK_URL, a Secrets Manager secret
// (SLACK_WEBHOOK_SECRET_ID) or an SSM SecureString (SLACK_WEBHOOK_PARAMETER). Read once per
// container: the promise is cached, and dropped on failure so the next invocation tries again.
// The read is bounded by the invocation's deadline (an endpoint that never answers must not hold the
// function past its time). The SDK clients come from the nodejs22.x runtime (external in the zip).

export class WebhookConfigError extends Error {
  override name = "WebhookConfigError";
}

let cached: Promise<string> | undefined;

export interface WebhookReadOptions {
  /** Epoch ms by which the read must have finished or failed (default: 10 s from now). */
  deadline?: number;
}

export function getWebhookUrl(env: NodeJS.ProcessEnv = process.env, opts: WebhookReadOptions = {}): Promise<string> {
  const deadline = opts.deadline ?? Date.now() + 10_000;
  cached ??= withDeadline(loadWebhookUrl(env, deadline), deadline).catch((err) => {
    cached = undefined;
    throw err;
  });
  return cached;
}

/** For tests: forget the cached webhook (a new container). */
export function resetWebhookCache(): void {
  cached = undefined;
}

/** A SecretString is either the URL itself or JSON holding it under a usual key. */
export function urlFromSecretString(value: string, where: string): string {
  const v = value.trim();
  if (v.startsWith("{")) {
    let obj: Record<string, unknown>;
    try {
      obj = JSON.parse(v) as Record<string, unknown>;
    } catch {
      throw new WebhookConfigError(`${where}: the secret looks like JSON but does not parse`);
    }
    for (const key of ["url", "webhookUrl", "webhook_url", "SLACK_WEBHOOK_URL"]) {
      const u = obj[key];
      if (typeof u === "string" && u.trim()) return checkUrl(u.trim(), where);
    }
    throw new WebhookConfigError(`${where}: JSON secret has no "url" or "webhookUrl" key`);
  }
  return checkUrl(v, where);
}

function checkUrl(url: string, where: string): string {
  // Never echo the value: it is the secret.
  if (!/^https:\/\/\S+$/.test(url) && !/^http:\/\/(127\.0\.0\.1|localhost)(:\d+)?\//.test(url)) {
    throw new WebhookConfigError(`${where}: the value is not an https:// URL`);
  }
  return url;
}

/** Rejects at the deadline even if the SDK ignores its abort signal (credentials, DNS…). */
function withDeadline<T>(p: Promise<T>, deadline: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new WebhookConfigError("reading the Slack webhook did not finish before the invocation's deadline")),
      Math.max(0, deadline - Date.now()),
    );
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** One attempt of the SDK, aborted at the deadline. */
function sendOptions(deadline: number): { abortSignal: AbortSignal } {
  return { abortSignal: AbortSignal.timeout(Math.max(1, deadline - Date.now())) };
}

function sdkReason(err: unknown): string {
  const e = err as { name?: string; message?: string };
  return e?.name && e.name !== "Error" ? e.name : (e?.message ?? String(err)).split("\n", 1)[0]!;
}

async function loadWebhookUrl(env: NodeJS.ProcessEnv, deadline: number): Promise<string> {
  if (env.SLACK_WEBHOOK_URL?.trim()) return checkUrl(env.SLACK_WEBHOOK_URL.trim(), "SLACK_WEBHOOK_URL");
  const secretId = env.SLACK_WEBHOOK_SECRET_ID?.trim();
  if (secretId) {
    const where = `Secrets Manager secret ${secretId}`;
    const { SecretsManagerClient, GetSecretValueCommand } = await import("@aws-sdk/client-secrets-manager");
    let out;
    try {
      out = await new SecretsManagerClient({ maxAttempts: 2 }).send(
        new GetSecretValueCommand({ SecretId: secretId }),
        sendOptions(deadline),
      );
    } catch (err) {
      throw new WebhookConfigError(`${where}: cannot read it (${sdkReason(err)})`);
    }
    if (!out.SecretString) throw new WebhookConfigError(`${where}: has no SecretString`);
    return urlFromSecretString(out.SecretString, where);
  }
  const parameter = env.SLACK_WEBHOOK_PARAMETER?.trim();
  if (parameter) {
    const where = `SSM parameter ${parameter}`;
    const { SSMClient, GetParameterCommand } = await import("@aws-sdk/client-ssm");
    let out;
    try {
      out = await new SSMClient({ maxAttempts: 2 }).send(
        new GetParameterCommand({ Name: parameter, WithDecryption: true }),
        sendOptions(deadline),
      );
    } catch (err) {
      throw new WebhookConfigError(`${where}: cannot read it (${sdkReason(err)})`);
    }
    const value = out.Parameter?.Value;
    if (!value) throw new WebhookConfigError(`${where}: has no value`);
    return urlFromSecretString(value, where);
  }
  throw new WebhookConfigError(
    "no Slack webhook configured: set SLACK_WEBHOOK_URL, SLACK_WEBHOOK_SECRET_ID (Secrets Manager) or SLACK_WEBHOOK_PARAMETER (SSM SecureString)",
  );
}
