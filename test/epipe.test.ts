// A reader that stops early (`traildigest … | head -1`) ends the command quietly with exit 0, in every output mode.
import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { BIN } from "./support/run-cli.js";

/** Runs the built CLI with its stdout closed by the reader before anything is written. */
function runClosedPipe(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...process.env, NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout.destroy(); // the reader is gone: every write gets EPIPE
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stderr }));
  });
}

describe("a closed pipe", () => {
  for (const [mode, args] of [
    ["table", ["notify", "dry-run", "--sample", "--batch-size", "1"]],
    ["JSON", ["notify", "dry-run", "--sample", "--batch-size", "1", "--json"]],
    ["help", ["--help"]],
    ["subcommand help", ["schedules", "audit", "--help"]],
    ["version", ["--version"]],
  ] as const) {
    it(`ends ${mode} output quietly with exit 0`, async () => {
      const r = await runClosedPipe([...args]);
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
    });
  }
});
