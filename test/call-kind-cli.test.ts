// --kind / --caller-kind / --scope on the real CLI: notify dry-run over a file, trail recent over a local CloudTrail.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { runCliInProcess } from "./support/run-cli.js";
import { startFakeCloudTrail, type FakeCloudTrail } from "./support/fake-cloudtrail.js";

const FIXTURE = fileURLToPath(new URL("./fixtures/call-kinds.json", import.meta.url));
const records = (JSON.parse(readFileSync(FIXTURE, "utf8")) as { detail: Record<string, unknown> }[]).map(
  (r) => r.detail,
);
const no = (id: string) => Number(id.slice(-2));

describe("notify dry-run --scope / --kind / --caller-kind", () => {
  it("--json carries kind and callerKind for every event", async () => {
    const r = await runCliInProcess(["notify", "dry-run", "--input", FIXTURE, "--batch-size", "50", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const { events } = JSON.parse(r.stdout) as {
      events: { eventId: string; kind: string; callerKind: string; caller: string; cluster: string | null }[];
    };
    expect(events.map((e) => [no(e.eventId), e.kind, e.callerKind])).toEqual([
      [1, "scale", "scheduler"],
      [2, "scale", "role"],
      [3, "scale", "autoscaling"],
      [4, "deploy", "role"],
      [5, "scale+deploy", "deploy-service"],
      [6, "scale", "person"],
      [7, "config", "role"],
      [8, "deploy", "person"],
      [9, "scale", "person"],
      [10, "deploy", "role"],
      [11, "scale", "role"],
      [12, "config", "role"],
      [13, "config", "person"],
    ]);
    expect(events.find((e) => no(e.eventId) === 11)!.cluster).toBeNull(); // not given, not "default"
  });

  it("--scope previews what a rule of that scope would send, and says how many were kept", async () => {
    const r = await runCliInProcess([
      "notify",
      "dry-run",
      "--input",
      FIXTURE,
      "--batch-size",
      "50",
      "--scope",
      "scale,no-autoscaling",
      "--json",
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as { events: { eventId: string }[] }).events.map((e) => no(e.eventId))).toEqual([
      1, 2, 5, 6, 9, 11,
    ]);
    expect(r.stderr).toContain(
      "6 events of 13 kept (scope scale calls only (desiredCount given), without Application Auto Scaling)",
    );
  });

  it("--kind failed and --caller-kind filter; a bad value is one line and exit 2", async () => {
    const r = await runCliInProcess([
      "notify",
      "dry-run",
      "--input",
      FIXTURE,
      "--kind",
      "failed",
      "--caller-kind",
      "role",
      "--json",
    ]);
    expect((JSON.parse(r.stdout) as { events: { eventId: string }[] }).events.map((e) => no(e.eventId))).toEqual([
      10, 12,
    ]);
    const bad = await runCliInProcess(["notify", "dry-run", "--input", FIXTURE, "--caller-kind", "robot"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe(
      'error: --caller-kind: unknown value "robot" (use scheduler, autoscaling, deploy-service, person, role, service, unknown)\n',
    );
  });
});

describe("trail recent --kind / --caller-kind", () => {
  let fake: FakeCloudTrail | undefined;
  afterEach(async () => {
    await fake?.stop();
    fake = undefined;
  });
  it("filters CloudTrail's answer by kind and caller kind and shows both", async () => {
    const now = Date.now();
    const items = records.map((d, i) => ({
      EventId: String(d.eventID),
      EventName: "UpdateService",
      EventTime: new Date(now - (20 - i) * 60_000).toISOString(),
      CloudTrailEvent: JSON.stringify({ ...d, eventTime: new Date(now - (20 - i) * 60_000).toISOString() }),
    }));
    fake = await startFakeCloudTrail({ events: items });
    const env = {
      AWS_ACCESS_KEY_ID: "test",
      AWS_SECRET_ACCESS_KEY: "test",
      AWS_REGION: "ap-northeast-2",
      AWS_ENDPOINT_URL_CLOUDTRAIL: fake.endpoint,
    };
    const r = await runCliInProcess(
      [
        "trail",
        "recent",
        "UpdateService",
        "--since",
        "1h",
        "--kind",
        "scale,scale+deploy",
        "--caller-kind",
        "autoscaling,deploy-service",
        "--json",
      ],
      { env, cwd: "/" },
    );
    expect(r.code, r.stderr).toBe(0);
    const { events } = JSON.parse(r.stdout) as {
      events: { eventId: string; kind: string; callerKind: string; callerName: string }[];
    };
    expect(events.map((e) => [no(e.eventId), e.kind, e.callerKind, e.callerName])).toEqual([
      [5, "scale+deploy", "deploy-service", "CloudFormation (role cfn-exec-role)"],
      [3, "scale", "autoscaling", "Application Auto Scaling"],
    ]);
    const table = await runCliInProcess(["trail", "recent", "UpdateService", "--since", "1h", "--kind", "deploy"], {
      env: { ...env, COLUMNS: "200" },
      cwd: "/",
    });
    expect(table.stdout).toContain("github-deploy (role)");
    expect(table.stdout).toMatch(/3 calls, 1 failed/);
  });
});
