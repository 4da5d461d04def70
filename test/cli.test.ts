import { describe, expect, it } from "vitest";
import { runCli, runCliInProcess } from "./support/run-cli.js";

describe("cli framework", () => {
  // Start-up smoke tests: the built CLI through the bin shim, as a user runs it.
  it("prints help with examples and exit codes", async () => {
    const r = await runCli(["--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Usage: traildigest");
    expect(r.stdout).toContain("Examples:");
    expect(r.stdout).toMatch(/Exit codes:\n {2}0 {3}ok\n[\s\S]* {2}70 {2}internal error/);
  });

  it("maps an unknown flag to exit 2 with one line on stderr and no stack trace", async () => {
    const r = await runCli(["--bogus-flag"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown option '--bogus-flag'");
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it("prints the package version", async () => {
    const r = await runCli(["--version"]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it("in-process: the same help and usage errors from main(argv, io)", async () => {
    const [help, child] = await Promise.all([
      runCliInProcess(["schedules", "audit", "--help"]),
      runCli(["schedules", "audit", "--help"]),
    ]);
    expect(help).toEqual(child);
    const bad = await runCliInProcess(["--bogus-flag"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("unknown option '--bogus-flag'");
  });

  it.each(["notify", "schedules", "queue", "trail", "local", "setup", "doctor"])(
    "%s --help lists examples",
    async (group) => {
      const r = await runCliInProcess([group, "--help"]);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`Usage: traildigest ${group}`);
      const examples = r.stdout.split("Examples:")[1] ?? "";
      expect(examples).toMatch(new RegExp(`\\$ .*traildigest ${group}|npm run demo`));
    },
  );
});
