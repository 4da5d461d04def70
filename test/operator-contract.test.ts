// The operator's contract (docs/operator-contract.md): never hang, honour the AWS environment,
// fit the terminal, name the flag or file at fault with the right exit code.
import { createServer, type Server, type Socket } from "node:net";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { BIN, runCliInProcess } from "./support/run-cli.js";
import { ecsSchedules, startFakeScheduler, type FakeScheduler } from "./support/fake-scheduler.js";
import { resolveAwsEnv, forgetSharedConfig } from "../src/adapters/aws/env.js";
import { createUi, preloadRenderers, spinnerAllowed } from "../src/cli/output/output.js";
import { displayWidth, ellipsizeMiddle, fitWidths, renderTable, wrapLine } from "../src/cli/output/table.js";
import { toCliError } from "../src/cli/exit-codes.js";

const env = {
  AWS_ACCESS_KEY_ID: "test",
  AWS_SECRET_ACCESS_KEY: "test",
  AWS_REGION: "us-east-1",
  AWS_PROFILE: undefined,
};

/** Accepts every connection and never answers: the endpoint that used to hang a command forever. */
async function silentServer(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((s) => {
    sockets.add(s);
    s.on("error", () => {});
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

describe("every network call is bounded by --timeout", () => {
  it("AWS: an endpoint that accepts and never answers → exit 3 naming the endpoint and the timeout", async () => {
    const silent = await silentServer();
    try {
      const r = await runCliInProcess(
        ["schedules", "list", "--endpoint-url", `http://127.0.0.1:${silent.port}`, "--timeout", "400ms"],
        {
          env,
          timeoutMs: 15_000, // a hang would be killed here (code null), not exit 3
        },
      );
      expect(r.code).toBe(3);
      expect(r.stderr.trim()).toBe(
        `error: no answer from 127.0.0.1:${silent.port} to EventBridge Scheduler ListSchedules within 0.4 s (--timeout): check --endpoint-url, --region and the network, or raise --timeout`,
      );
    } finally {
      await silent.close();
    }
  });

  it("Slack: a webhook that accepts and never answers → exit 3 naming the timeout, never the URL", async () => {
    const silent = await silentServer();
    const url = `http://127.0.0.1:${silent.port}/services/T0/B0/secretsecret`;
    try {
      const r = await runCliInProcess(["notify", "send", "--sample", "--webhook-url", url, "--timeout", "400ms"], {
        env,
        timeoutMs: 15_000,
      });
      expect(r.code).toBe(3);
      expect(r.stderr).toMatch(/^error: message 1 of \d+: .*time/m);
      expect(r.stderr + r.stdout).not.toContain("secretsecret");
    } finally {
      await silent.close();
    }
  });

  it("--timeout takes a duration and names itself when it is not one", async () => {
    const r = await runCliInProcess(["schedules", "list", "--timeout", "soon"], { env });
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('error: --timeout: "soon" is not a duration (use e.g. 90s, 30m, 2h, 7d, 1h30m)');
  });
});

describe("spinners only where they can work", () => {
  const tty = (columns: number | undefined) => ({ isTTY: true, columns, write: () => true }) as never;
  it("never on a 0-column or unknown-width terminal, TERM=dumb, CI or NO_COLOR", () => {
    expect(spinnerAllowed(tty(120), true, {})).toBe(true);
    expect(spinnerAllowed(tty(0), true, {})).toBe(false);
    expect(spinnerAllowed(tty(undefined), true, {})).toBe(false);
    expect(spinnerAllowed(tty(120), true, { TERM: "dumb" })).toBe(false);
    expect(spinnerAllowed(tty(120), true, { CI: "true" })).toBe(false);
    expect(spinnerAllowed(tty(120), true, { NO_COLOR: "1" })).toBe(false);
    expect(spinnerAllowed(tty(120), false, {})).toBe(false);
    expect(spinnerAllowed({ isTTY: false, columns: 120 } as never, true, {})).toBe(false);
  });

  it("a spinner on a 0-column TTY writes nothing and the command finishes", async () => {
    await preloadRenderers({ spinner: true });
    let written = "";
    const stderr = { isTTY: true, columns: 0, write: (s: string) => ((written += s), true) } as never;
    const stdout = { isTTY: true, columns: 0, write: () => true } as never;
    const ui = createUi({ output: "table", color: true, verbose: false }, { stdout, stderr });
    const spin = ui.spinner("listing schedules…");
    spin.update("reading 1/2…");
    spin.stop();
    expect(written).toBe("");
  });

  describe("in a pseudo-terminal (script(1): 0 columns, as some CI wrappers give)", () => {
    let fake: FakeScheduler | undefined;
    afterEach(async () => {
      await fake?.stop();
      fake = undefined;
    });
    const hasScript = spawnSync("script", ["--version"]).status === 0;
    it.runIf(hasScript)("schedules list finishes; with NO_COLOR the output holds no escape code at all", async () => {
      fake = await startFakeScheduler({ schedules: ecsSchedules(3) });
      const cmd = `${process.execPath} ${BIN} schedules list --endpoint-url ${fake.endpoint} --next 1`;
      // Asynchronous: the fake scheduler answers from this process.
      const run = (extra: Record<string, string>) =>
        new Promise<{ status: number | null; out: string }>((resolve) => {
          const child = spawn("script", ["-qec", cmd, "/dev/null"], {
            env: { ...process.env, ...env, AWS_PROFILE: "", TERM: "xterm-256color", CI: "", ...extra },
            stdio: ["ignore", "pipe", "pipe"],
          });
          let out = "";
          child.stdout.on("data", (d) => (out += d));
          const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
          child.on("close", (status) => {
            clearTimeout(timer);
            resolve({ status, out });
          });
        });
      const colour = await run({ NO_COLOR: "" });
      expect(colour.status).toBe(0);
      expect(colour.out.length).toBeLessThan(20_000); // the old spinner wrote megabytes here
      expect(colour.out).toContain("svc-0000-night-down");
      const plain = await run({ NO_COLOR: "1" });
      expect(plain.status).toBe(0);
      expect(plain.out).toContain("svc-0000-night-down");
      expect(plain.out).not.toMatch(/\u001b/);
    });
  });

  it("NO_COLOR: a table on a colour terminal holds no escape code", async () => {
    await preloadRenderers();
    const stdout = { isTTY: true, columns: 100, write: () => true } as never;
    // The environment comes with the run (main's io), not from process.env.
    const ui = createUi(
      { output: "table", color: true, verbose: false },
      { stdout, stderr: stdout },
      { NO_COLOR: "1" },
    );
    const text = ui.table({ head: ["a", "b"], rows: [[ui.c.green("ok"), ui.c.red("failed")]] });
    expect(text).not.toMatch(/\u001b/);
  });
});

describe("region and profile like the AWS CLI", () => {
  const files = (config: string) => {
    const home = mkdtempSync(join(tmpdir(), "td-region-"));
    writeFileSync(join(home, "config"), config);
    forgetSharedConfig();
    return { AWS_CONFIG_FILE: join(home, "config"), AWS_SHARED_CREDENTIALS_FILE: join(home, "credentials") };
  };
  it("flag > AWS_REGION > AWS_DEFAULT_REGION > profile > config file", async () => {
    const f = files("[default]\nregion = eu-north-1\n[profile ops]\nregion = sa-east-1\n");
    const saved = { ...process.env };
    Object.assign(process.env, f);
    try {
      const r = (input: object, e: NodeJS.ProcessEnv) =>
        resolveAwsEnv({ configRegion: "ap-south-1", ...input }, { ...f, ...e });
      expect(await r({ region: "us-west-2" }, { AWS_REGION: "eu-west-1" })).toMatchObject({
        region: "us-west-2",
        regionSource: "--region",
      });
      expect(await r({}, { AWS_REGION: "eu-west-1", AWS_DEFAULT_REGION: "eu-west-2" })).toMatchObject({
        region: "eu-west-1",
      });
      expect(await r({}, { AWS_DEFAULT_REGION: "eu-west-2" })).toMatchObject({
        region: "eu-west-2",
        regionSource: "AWS_DEFAULT_REGION",
      });
      expect(await r({ profile: "ops" }, {})).toMatchObject({ region: "sa-east-1", regionSource: "profile ops" });
      expect(await r({}, {})).toMatchObject({ region: "eu-north-1", regionSource: "profile default" });
      await expect(r({ profile: "opps" }, {})).rejects.toThrow(
        /^--profile: profile "opps" not found in ~\/.aws\/config or ~\/.aws\/credentials/,
      );
      await expect(r({}, { AWS_PROFILE: "opps" })).rejects.toThrow(/^AWS_PROFILE: profile "opps" not found/);
    } finally {
      process.env = saved;
      forgetSharedConfig();
    }
    const noProfileRegion = files("");
    expect(await resolveAwsEnv({ configRegion: "ap-south-1" }, noProfileRegion)).toMatchObject({
      region: "ap-south-1",
      regionSource: "the config file",
    });
    forgetSharedConfig();
  });

  it("an unknown profile is named as such through the CLI (exit 2), not as a missing region", async () => {
    const f = files("[profile real]\nregion = us-east-1\n");
    const r = await runCliInProcess(["schedules", "list", "--profile", "reall"], {
      env: { ...env, ...f, AWS_REGION: undefined },
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: --profile: profile "reall" not found/);
  });

  it("no region anywhere names every place one can come from", async () => {
    const f = files("");
    const r = await runCliInProcess(["schedules", "list"], {
      env: { ...env, ...f, AWS_REGION: undefined, AWS_DEFAULT_REGION: undefined },
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("no AWS region: pass --region, set AWS_REGION or AWS_DEFAULT_REGION");
  });
});

describe("exit codes: every slip from the issue", () => {
  const dir = mkdtempSync(join(tmpdir(), "td-slips-"));
  const file = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };
  const cases: [string, string[], RegExp][] = [
    [
      "--endpoint-url not a URL",
      ["schedules", "list", "--endpoint-url", "not a url"],
      /^error: --endpoint-url: "not a url" is not an http:\/\/ or https:\/\/ URL$/,
    ],
    [
      "--region ../../x",
      ["schedules", "list", "--region", "../../x"],
      /^error: --region: "..\/..\/x" is not an AWS region \(e.g. us-east-1\)$/,
    ],
    [
      "init --config in a missing directory",
      ["init", "--config", "/missing/dir/x.json"],
      /^error: --config: cannot write \/missing\/dir\/x.json: its directory does not exist$/,
    ],
    [
      "--batch-size 1e3",
      ["notify", "dry-run", "--sample", "--batch-size", "1e3"],
      /^error: --batch-size: "1e3" must be a whole number/,
    ],
    [
      "--batch-size 0x10",
      ["notify", "dry-run", "--sample", "--batch-size", "0x10"],
      /^error: --batch-size: "0x10" must be a whole number/,
    ],
    [
      "a config file holding null",
      ["doctor", "--config", file("null.json", "null")],
      /^error: .*null.json: the config must be an object \(use \{\} for all defaults\), not empty \(null\)$/,
    ],
    [
      "a YAML config holding null",
      ["doctor", "--config", file("null.yaml", "~\n")],
      /^error: .*null.yaml: the config must be an object/,
    ],
    [
      "a !!binary YAML value",
      ["doctor", "--config", file("bin.yaml", `region: !!binary ${"QUJD".repeat(900)}\n`)],
      /^error: .*bin.yaml: not valid YAML: .*binary/,
    ],
    ["trail recent ''", ["trail", "recent", ""], /^error: eventName: empty/],
    [
      "--since 99999999d",
      ["trail", "recent", "UpdateService", "--since", "99999999d"],
      /^error: --since: "99999999d" reaches back past the 90 days/,
    ],
    ["--timezone ''", ["notify", "dry-run", "--sample", "--timezone", ""], /^error: --timezone: empty/],
  ];
  for (const [what, args, message] of cases) {
    it(`${what} → exit 2, one line naming it`, async () => {
      const r = await runCliInProcess(args, { env, cwd: dir });
      expect(r.code).toBe(2);
      const lines = r.stderr.trim().split("\n");
      expect(lines).toHaveLength(1);
      expect(lines[0]!.length).toBeLessThan(300);
      expect(lines[0]).toMatch(message);
    });
  }

  it("a crash (an error nobody mapped) is 70 with a --verbose hint, not 1", () => {
    const e = toCliError(new TypeError("x is not a function"));
    expect(e.exitCode).toBe(70);
    expect(e.message).toBe("internal error: x is not a function (run with --verbose for details)");
  });
});

describe("names round-trip", () => {
  let fake: FakeScheduler | undefined;
  afterEach(async () => {
    await fake?.stop();
    fake = undefined;
  });
  it("schedules show accepts every name schedules list prints", async () => {
    fake = await startFakeScheduler({
      schedules: [
        ...ecsSchedules(2),
        ...ecsSchedules(1, "night").map((s) => ({ ...s, Name: "worker-night-down" })),
        // The same name in two groups: only GROUP/NAME says which.
        ...ecsSchedules(1, "ops").map((s) => ({ ...s, Name: "svc-0000-night-down" })),
      ],
    });
    const list = await runCliInProcess(["schedules", "list", "--endpoint-url", fake.endpoint, "--next", "0"], { env });
    expect(list.code).toBe(0);
    const names = [...list.stdout.matchAll(/^│ (\S+)/gm)].map((m) => m[1]!).filter((n) => n !== "schedule");
    expect(names.sort()).toEqual([
      "night/worker-night-down",
      "ops/svc-0000-night-down",
      "svc-0000-night-down",
      "svc-0001-night-down",
    ]);
    for (const name of names) {
      const show = await runCliInProcess(
        ["schedules", "show", name, "--endpoint-url", fake.endpoint, "--json", "--next", "0"],
        { env },
      );
      expect(show.code).toBe(0);
      const { schedule } = JSON.parse(show.stdout);
      expect(schedule.group === "default" ? schedule.name : `${schedule.group}/${schedule.name}`).toBe(name);
    }
  });

  it("a wrong region that finds nothing says which region it searched (exit 0)", async () => {
    fake = await startFakeScheduler({ schedules: [] });
    const r = await runCliInProcess(["schedules", "list", "--endpoint-url", fake.endpoint, "--region", "eu-west-3"], {
      env,
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^No schedules found in region eu-west-3.*; check --region \/ AWS_REGION and the profile\.$/m,
    );
  });
});

describe("tables fit the terminal", () => {
  const long = "arn:aws:lambda:ap-northeast-2:123456789012:function:traildigest-digest-with-a-very-long-name";
  it("at 80 columns no line is longer than 80, long values lose their middle", () => {
    const text = renderTable({
      head: ["Resource", "Name", "Action", "Changes"],
      rows: [
        ["function", long, "update", `role: ${long} → ${long}-2\nmemory: 128 → 256`],
        ["queue", "traildigest-events", "create", "visibilityTimeout: 360"],
      ],
      width: 80,
    });
    for (const line of text.split("\n")) expect(displayWidth(line)).toBeLessThanOrEqual(80);
    expect(text).toContain("arn:aws:");
    expect(text).toContain("…");
    expect(text).toContain("memory: 128 → 256");
  });

  it("the widest columns shrink first: short names and actions stay whole", () => {
    // setup plan at 80 columns: 67 content columns for Resource, Name, Action and a long Changes.
    expect(fitWidths([14, 13, 9, 100], 67)).toEqual([14, 13, 9, 31]);
    // Columns wider than an equal share meet at one cap; kept columns are never cut.
    expect(fitWidths([20, 17, 15, 6, 30], 64)).toEqual([15, 14, 14, 6, 15]);
    expect(fitWidths([20, 17, 15, 6, 30], 64, [0, 1])).toEqual([20, 17, 10, 6, 11]);
    // Never below MIN_COL (6): the table overflows instead.
    expect(fitWidths([50, 50, 50], 10)).toEqual([6, 6, 6]);
    expect(fitWidths([5, 5], 20)).toEqual([5, 5]);
  });

  it("wrapped columns keep every character: long lines break at a space, else hard", () => {
    expect(wrapLine("retentionSeconds: 1209600", 20)).toEqual(["retentionSeconds:", "1209600"]);
    expect(wrapLine("abcdefghij", 4)).toEqual(["abcd", "efgh", "ij"]);
    const text = renderTable({
      head: ["Resource", "Changes"],
      rows: [
        [
          "queue",
          `visibilityTimeout: 480\nredrive.deadLetterTargetArn: arn:aws:sqs:us-east-1:123456789012:td-events-dlq`,
        ],
      ],
      wrap: [1],
      width: 40,
    });
    for (const line of text.split("\n")) expect(displayWidth(line)).toBeLessThanOrEqual(40);
    expect(text).not.toContain("…");
    expect(text.replace(/[│ \n]/g, "")).toContain("arn:aws:sqs:us-east-1:123456789012:td-events-dlq");
  });

  it("keeps narrow tables as they are and cuts in the middle", () => {
    expect(renderTable({ head: ["a", "b"], rows: [["x", "y\nz"]], width: 80 })).toBe(
      ["┌───┬───┐", "│ a │ b │", "│ x │ y │", "│   │ z │", "└───┴───┘"].join("\n"),
    );
    expect(ellipsizeMiddle("abcdefghij", 5)).toBe("ab…ij");
    expect(ellipsizeMiddle("short", 10)).toBe("short");
  });

  it("the CLI fits a piped table to 80 columns", async () => {
    const fake = await startFakeScheduler({
      schedules: ecsSchedules(2).map((s, i) => ({
        ...s,
        Target: {
          ...s.Target,
          Input: JSON.stringify({
            Cluster: "production-cluster-ap-northeast-2",
            Service: `service-${i}-${"x".repeat(40)}`,
            DesiredCount: 0,
          }),
        },
      })),
    });
    try {
      const r = await runCliInProcess(["schedules", "list", "--endpoint-url", fake.endpoint, "--next", "1"], { env });
      expect(r.code).toBe(0);
      for (const line of r.stdout.trimEnd().split("\n")) expect(displayWidth(line)).toBeLessThanOrEqual(80);
    } finally {
      await fake.stop();
    }
  });
});
