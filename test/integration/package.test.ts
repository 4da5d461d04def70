// The published package, as `npx` meets it: packed, installed into an empty folder with an empty
// npm cache, and run from there — not from the repo.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { installTarball, installedBytes, pack, packageCount, type Installed } from "../../bench/package-lib.js";
import { startMoto } from "../../tools/emulators.js";

const root = new URL("../..", import.meta.url).pathname;
const version = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).version as string;
let inst: Installed;

function run(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [inst.bin, ...args], {
    cwd: inst.dir,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1", ...env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  inst = installTarball(pack(root));
}, 120_000);

afterAll(() => {
  if (inst) rmSync(inst.dir, { recursive: true, force: true });
});

describe("installed tarball", () => {
  it("is one self-contained package, far below 10 MB", () => {
    expect(packageCount(inst.dir)).toBeLessThanOrEqual(5);
    expect(installedBytes(inst.dir)).toBeLessThan(10 * 1024 * 1024);
    const installed = join(inst.dir, "node_modules", "traildigest");
    expect(existsSync(join(installed, "dist", "handler.zip"))).toBe(true);
    // Nothing from the source tree or the tests is shipped.
    expect(existsSync(join(installed, "src"))).toBe(false);
    expect(existsSync(join(installed, "test"))).toBe(false);
  });

  it("prints its version from the bundle", () => {
    const r = run(["--version"]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(version);
  });

  it("answers --help for the program and every command group", () => {
    const top = run(["--help"]);
    expect(top.code).toBe(0);
    const commands = top.stdout.split(/^Commands:$/m)[1]!.split(/^\S/m)[0]!;
    const groups = [...commands.matchAll(/^ {2}([a-z][a-z-]*)/gm)].map((m) => m[1]!).filter((g) => g !== "help");
    expect(groups).toEqual(
      expect.arrayContaining(["notify", "schedules", "queue", "trail", "local", "setup", "doctor"]),
    );
    for (const g of groups) {
      const r = run([g, "--help"]);
      expect(r.code, `${g} --help`).toBe(0);
      expect(r.stdout).toContain(`Usage: traildigest ${g}`);
    }
  });

  it("previews the bundled sample as JSON", () => {
    const r = run(["notify", "dry-run", "--sample", "--output", "json"]);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.messages.length).toBeGreaterThan(0);
    expect(doc.stats.events).toBeGreaterThan(doc.messages.length);
    for (const m of doc.messages) expect(typeof m.text).toBe("string");
  });

  it("setup finds the handler zip inside the installed package", async () => {
    const moto = await startMoto();
    try {
      const env = { AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test", AWS_REGION: "us-east-1" };
      expect(run(["init"], env).code).toBe(0);
      const r = run(["setup", "plan", "--json", "--endpoint-url", moto.endpoint], env);
      expect(r.stderr).not.toMatch(/building|missing/);
      expect(r.code).toBe(0);
      const fn = JSON.parse(r.stdout).plan.find((i: { resource: string }) => i.resource === "function");
      const zip = readFileSync(join(inst.dir, "node_modules", "traildigest", "dist", "handler.zip"));
      const sha = createHash("sha256").update(zip).digest("base64");
      expect(fn.changes).toContainEqual(expect.objectContaining({ field: "codeSha256", to: sha }));
    } finally {
      await moto.stop();
    }
  });
});

describe("package metadata", () => {
  it("passes publint", () => {
    const r = spawnSync(process.execPath, [join(root, "node_modules", "publint", "src", "cli.js"), "--strict"], {
      cwd: root,
      encoding: "utf8",
    });
    expect(r.stdout + r.stderr).not.toMatch(/error/i);
    expect(r.status).toBe(0);
  });
});
