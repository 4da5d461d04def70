// The CLI as a function: main(argv, io) with recorded output, the one report channel, and the forecast's
// previews (which a module-level renderer once dropped unless preloaded).
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runForecast } from "../src/app/forecast.js";
import { recordReports, startProgress } from "../src/app/report.js";
import { renderForecast } from "../src/cli/render/forecast.js";
import { createUi, preloadRenderers } from "../src/cli/output/output.js";
import { uiReporter } from "../src/cli/output/report-ui.js";
import { runCliInProcess, stringStream } from "./support/run-cli.js";

const dir = mkdtempSync(join(tmpdir(), "traildigest-inproc-"));
const config = join(dir, "traildigest.config.json");
writeFileSync(
  config,
  JSON.stringify({
    schedules: [
      {
        name: "svc-night-down",
        expression: "cron(0 22 ? * MON-FRI *)",
        timezone: "Asia/Seoul",
        cluster: "dev",
        service: "svc",
        desiredCount: 0,
        roleArn: "arn:aws:iam::123456789012:role/traildigest-scheduler-role",
      },
    ],
  }),
);

describe("use cases report through one channel", () => {
  it("runForecast's notes and warnings are recorded events, not writes", async () => {
    const rec = recordReports();
    const data = await runForecast(
      { opts: { output: "json", color: false, verbose: false, config }, report: rec, env: {} },
      { from: "2026-11-26T00:00:00Z", hours: 24, fromConfig: true },
    );
    expect(data.waves).toHaveLength(1);
    expect(rec.lines("info")).toEqual([expect.stringMatching(/^forecast from 1 schedule \(config file\)/)]);
  });

  it("the CLI renders reports on stderr: notes as lines, warnings marked, progress as a spinner off a TTY (nothing)", async () => {
    await preloadRenderers();
    const stdout = stringStream();
    const stderr = stringStream();
    const ui = createUi({ output: "table", color: false, verbose: false }, { stdout, stderr }, {});
    const reporter = uiReporter(ui);
    reporter.report({ kind: "info", message: "read 3 schedules" });
    reporter.report({ kind: "warn", message: "no redrive policy" });
    const p = startProgress(reporter, "reading…");
    p.update("reading 1/2…");
    p.stop();
    expect(stderr.text).toBe("read 3 schedules\nwarning: no redrive policy\n");
    expect(stdout.text).toBe("");
  });
});

describe("main(argv, io) in process", () => {
  it("notify forecast's table shows each wave's digest preview without any preloading", async () => {
    const r = await runCliInProcess(
      ["notify", "forecast", "--from-config", "--from", "2026-11-26T00:00:00Z", "--hours", "24"],
      { cwd: dir },
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Wave 1 at 2026-11-26 13:00Z: its digest/);
    expect(r.stdout).toContain("svc → 0");
    expect(r.stderr).toMatch(/^forecast from 1 schedule \(config file\)/);
  });

  it("renderForecast needs nothing loaded first (no module state)", async () => {
    await preloadRenderers();
    const data = await runForecast(
      { opts: { output: "table", color: false, verbose: false, config }, env: {} },
      { from: "2026-11-26T00:00:00Z", hours: 24, fromConfig: true },
    );
    const ui = createUi(
      { output: "table", color: false, verbose: false },
      { stdout: stringStream(), stderr: stringStream() },
      {},
    );
    expect(renderForecast(data, ui)).toContain("Wave 1 at");
  });

  it("reads the config from the run's cwd and its env, not the process's", async () => {
    const r = await runCliInProcess(
      ["notify", "forecast", "--from-config", "--json", "--from", "2026-11-26T00:00:00Z"],
      {
        cwd: dir,
        env: { DIGEST_TIMEZONE: "Asia/Seoul" },
      },
    );
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).waves[0].preview.text).toContain("22:00:00 Asia/Seoul");
  });

  it("stdin comes from io: notify dry-run --input -", async () => {
    const event = { Records: [] };
    const r = await runCliInProcess(["notify", "dry-run", "--input", "-", "--json"], { input: JSON.stringify(event) });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).messages).toEqual([]);
  });
});
