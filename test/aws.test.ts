import { createServer, type Server } from "node:http";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ListQueuesCommand, ReceiveMessageCommand } from "@aws-sdk/client-sqs";
import { awsClient, clientConfig } from "../src/adapters/aws/clients.js";
import { forgetSharedConfig } from "../src/adapters/aws/env.js";
import { parseAccessDenied, translateAwsError } from "../src/adapters/aws/errors.js";
import { toCliError } from "../src/cli/exit-codes.js";
import { runCliInProcess } from "./support/run-cli.js";

const err = (name: string, message: string, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(message), { name, $metadata: { httpStatusCode: 400 }, ...extra });

describe("AWS error translation", () => {
  it("names the IAM action and principal from an AccessDenied message", () => {
    const e = err(
      "AccessDeniedException",
      "User: arn:aws:sts::123456789012:assumed-role/OnCall/alice@example.com is not authorized to perform: scheduler:GetSchedule on resource: arn:aws:scheduler:us-east-1:123456789012:schedule/default/x",
    );
    const t = translateAwsError(e)!;
    expect(toCliError(t).exitCode).toBe(3);
    expect(t.message).toBe(
      "access denied: scheduler:GetSchedule is not allowed for arn:aws:sts::123456789012:assumed-role/OnCall/alice@example.com",
    );
    expect(parseAccessDenied("is not authorized to perform: sqs:receivemessage")).toEqual({
      action: "sqs:receivemessage",
      principal: undefined,
    });
  });

  it("derives the action from the call when the message does not say", () => {
    const e = err("AccessDenied", "Access to the resource is denied.", {
      $traildigestService: "sqs",
      $traildigestOperation: "ReceiveMessage",
    });
    expect(toCliError(translateAwsError(e))).toMatchObject({
      exitCode: 3,
      message: "access denied: sqs:ReceiveMessage is not allowed for the current credentials",
    });
    expect(
      translateAwsError(
        err("UnauthorizedOperation", "nope", { $traildigestService: "ecs", $traildigestOperation: "DescribeServices" }),
      )!.message,
    ).toContain("ecs:DescribeServices");
  });

  it("tells how to log in when there are no credentials or the SSO token expired", () => {
    expect(
      translateAwsError(err("CredentialsProviderError", "Could not load credentials from any providers"))!.message,
    ).toBe(
      "no AWS credentials found: set AWS_PROFILE or pass --profile, run `aws configure`, or `aws sso login --profile <name>`",
    );
    for (const e of [
      err("ExpiredTokenException", "The security token included in the request is expired"),
      err("TokenProviderError", "SSO Token is expired. Refresh SSO token"),
      err(
        "CredentialsProviderError",
        "Token is expired. To refresh this SSO session run 'aws sso login' with the corresponding profile.",
      ),
    ]) {
      expect(translateAwsError(e)!.message).toMatch(/^your AWS SSO session has expired: run `aws sso login --profile /);
    }
  });

  it("reports throttling with the attempt count, and unreachable endpoints with the host", () => {
    const t = translateAwsError(
      err("ThrottlingException", "Rate exceeded", {
        $metadata: { attempts: 5 },
        $traildigestService: "scheduler",
        $traildigestOperation: "GetSchedule",
      }),
    )!;
    expect(t.message).toBe(
      "throttled by EventBridge Scheduler (GetSchedule) after 5 attempts; try again or lower concurrency",
    );
    const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:9"), {
      code: "ECONNREFUSED",
      $traildigestHost: "127.0.0.1:9",
    });
    expect(translateAwsError(refused)!.message).toBe(
      "cannot reach 127.0.0.1:9 (ECONNREFUSED): check --endpoint-url, --region and the network",
    );
    const dns = Object.assign(new Error("getaddrinfo ENOTFOUND sqs.xx-nowhere-1.amazonaws.com"), {
      code: "ENOTFOUND",
      hostname: "sqs.xx-nowhere-1.amazonaws.com",
    });
    expect(translateAwsError(dns)!.message).toContain("cannot reach sqs.xx-nowhere-1.amazonaws.com");
    expect(
      toCliError(translateAwsError(Object.assign(new Error("timed out"), { name: "TimeoutError" }))).exitCode,
    ).toBe(3);
  });

  it("keeps other AWS errors to one line without key ids, and leaves non-AWS errors alone", () => {
    const t = translateAwsError(
      err("InvalidParameterValue", "Key AKIAABCDEFGHIJKLMNOP is bad\nsecond line", {
        $traildigestService: "sqs",
        $traildigestOperation: "GetQueueUrl",
      }),
    )!;
    expect(t.message).toBe("SQS GetQueueUrl failed: InvalidParameterValue: Key AKIA… is bad");
    expect(translateAwsError(new TypeError("x is undefined"))).toBeUndefined();
    expect(translateAwsError("a string")).toBeUndefined();
  });
});

describe("AWS client factory", () => {
  let server: Server | undefined;
  const hits: { url: string; target?: string }[] = [];
  const saved = { ...process.env };
  afterEach(async () => {
    process.env = { ...saved };
    hits.length = 0;
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
    server = undefined;
  });
  async function fakeSqs(status = 200, payload: unknown = { QueueUrls: [] }, errorType?: string): Promise<string> {
    server = createServer((req, res) => {
      req.resume();
      req.on("end", () => {
        hits.push({ url: req.url ?? "", target: req.headers["x-amz-target"] as string | undefined });
        const h: Record<string, string> = { "content-type": "application/x-amz-json-1.0" };
        if (errorType) h["x-amzn-query-error"] = `${errorType};Sender`;
        res.writeHead(status, h).end(JSON.stringify(payload));
      });
    });
    await new Promise<void>((r) => server!.listen(0, "127.0.0.1", r));
    const a = server.address();
    return `http://127.0.0.1:${typeof a === "object" && a ? a.port : 0}`;
  }

  it("sets retries, region and endpoint; the profile goes to the credential chain", async () => {
    const home = mkdtempSync(join(tmpdir(), "td-aws-"));
    writeFileSync(join(home, "config"), "[profile oncall]\nregion = eu-west-1\n");
    const saved = process.env.AWS_CONFIG_FILE;
    process.env.AWS_CONFIG_FILE = join(home, "config");
    forgetSharedConfig();
    const c = await clientConfig({
      region: "ap-northeast-2",
      endpointUrl: "http://127.0.0.1:1",
      profile: "oncall",
      timeoutMs: 4000,
    });
    if (saved === undefined) delete process.env.AWS_CONFIG_FILE;
    else process.env.AWS_CONFIG_FILE = saved;
    forgetSharedConfig();
    expect(c).toMatchObject({
      maxAttempts: 3,
      retryMode: "adaptive",
      region: "ap-northeast-2",
      endpoint: "http://127.0.0.1:1",
      profile: "oncall",
      requestHandler: { connectionTimeout: 4000, requestTimeout: 4000 },
    });
    expect(typeof c.credentials).toBe("function");
  });

  it("honours AWS_ENDPOINT_URL_SQS without --endpoint-url", async () => {
    const endpoint = await fakeSqs();
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_SQS: endpoint,
      AWS_ACCESS_KEY_ID: "test",
      AWS_SECRET_ACCESS_KEY: "test",
    });
    const sqs = await awsClient("sqs", { region: "us-east-1" });
    await sqs.send(new ListQueuesCommand({}));
    expect(hits).toEqual([{ url: "/", target: "AmazonSQS.ListQueues" }]);
  });

  it("sends queue-URL calls to AWS_ENDPOINT_URL_SQS / AWS_ENDPOINT_URL, not to the queue URL's host, unless endpoints are ignored", async () => {
    const endpoint = await fakeSqs(200, { Messages: [] });
    const elsewhere = "http://sqs.elsewhere.invalid:1/123456789012/q";
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test" });
    for (const name of ["AWS_ENDPOINT_URL_SQS", "AWS_ENDPOINT_URL"]) {
      hits.length = 0;
      process.env[name] = endpoint;
      const sqs = await awsClient("sqs", { region: "us-east-1" });
      await sqs.send(new ReceiveMessageCommand({ QueueUrl: elsewhere }));
      expect(hits).toEqual([{ url: "/", target: "AmazonSQS.ReceiveMessage" }]);
      delete process.env[name];
    }
    process.env.AWS_ENDPOINT_URL_SQS = endpoint;
    process.env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS = "true";
    const ignoring = await awsClient("sqs", { region: "us-east-1" });
    expect((ignoring.config as { useQueueUrlAsEndpoint?: boolean }).useQueueUrlAsEndpoint).not.toBe(false);
  });

  it("tags errors with the operation, so access denied names sqs:ReceiveMessage", async () => {
    const endpoint = await fakeSqs(403, {
      __type: "com.amazon.coral.service#AccessDeniedException",
      message: "Access to the resource is denied.",
    });
    const sqs = await awsClient("sqs", { region: "us-east-1", endpointUrl: endpoint });
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test" });
    const e = await sqs
      .send(new ReceiveMessageCommand({ QueueUrl: `${endpoint}/123456789012/q` }))
      .catch((x: unknown) => x);
    expect(toCliError(e).message).toBe("access denied: sqs:ReceiveMessage is not allowed for the current credentials");
    expect(toCliError(e).exitCode).toBe(3);
  });
});

describe("AWS errors through the CLI", () => {
  const isolated = () => {
    const home = mkdtempSync(join(tmpdir(), "td-aws-"));
    return {
      home,
      env: {
        HOME: home,
        AWS_CONFIG_FILE: join(home, ".aws", "config"),
        AWS_SHARED_CREDENTIALS_FILE: join(home, ".aws", "credentials"),
        AWS_EC2_METADATA_DISABLED: "true",
        AWS_ACCESS_KEY_ID: undefined,
        AWS_SECRET_ACCESS_KEY: undefined,
        AWS_SESSION_TOKEN: undefined,
        AWS_PROFILE: undefined,
        AWS_REGION: "us-east-1",
      },
    };
  };

  it("no credentials → exit 3 with how to log in", async () => {
    const { env } = isolated();
    const r = await runCliInProcess(["queue", "stats", "--queue", "q"], { env });
    expect(r.code).toBe(3);
    expect(r.stderr.trim()).toBe(
      "error: no AWS credentials found: set AWS_PROFILE or pass --profile, run `aws configure`, or `aws sso login --profile <name>`",
    );
  });

  it("no credentials for a named profile → exit 3 naming that profile", async () => {
    const { home, env } = isolated();
    mkdirSync(join(home, ".aws"), { recursive: true });
    writeFileSync(env.AWS_CONFIG_FILE, "[profile night-ops]\nregion = us-east-1\n");
    const r = await runCliInProcess(["queue", "stats", "--queue", "q", "--profile", "night-ops"], { env });
    expect(r.code).toBe(3);
    expect(r.stderr.trim()).toMatch(
      /^error: no AWS credentials for profile "night-ops": run `aws sso login --profile night-ops`/,
    );
  });

  it("expired SSO token → exit 3 naming the profile to log in with", async () => {
    const { home, env } = isolated();
    mkdirSync(join(home, ".aws", "sso", "cache"), { recursive: true });
    writeFileSync(
      env.AWS_CONFIG_FILE,
      "[profile oncall]\nsso_session = corp\nsso_account_id = 123456789012\nsso_role_name = ReadOnly\nregion = us-east-1\n\n" +
        "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = us-east-1\n",
    );
    const key = createHash("sha1").update("corp").digest("hex");
    writeFileSync(
      join(home, ".aws", "sso", "cache", `${key}.json`),
      JSON.stringify({
        accessToken: "x",
        expiresAt: "2020-01-01T00:00:00Z",
        region: "us-east-1",
        startUrl: "https://corp.awsapps.com/start",
      }),
    );
    const r = await runCliInProcess(["queue", "stats", "--queue", "q", "--profile", "oncall"], { env });
    expect(r.code).toBe(3);
    expect(r.stderr.trim()).toBe("error: your AWS SSO session has expired: run `aws sso login --profile oncall`");
  });

  it("an endpoint nobody listens on → exit 3 naming the host", async () => {
    const r = await runCliInProcess(["queue", "stats", "--queue", "q", "--endpoint-url", "http://127.0.0.1:9"], {
      env: { AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test", AWS_REGION: "us-east-1" },
    });
    expect(r.code).toBe(3);
    expect(r.stderr.trim()).toBe(
      "error: cannot reach 127.0.0.1:9 (ECONNREFUSED): check --endpoint-url, --region and the network",
    );
  });
});
