// What `npx traildigest` costs on a cold machine: the bundled package vs the same CLI published the
// ordinary way (transpiled files + its libraries as dependencies). Run: npx tsx bench/package.ts
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import { installTarball, installedBytes, pack, packageCount } from "./package-lib.js";

const root = new URL("..", import.meta.url).pathname;
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/**
 * Start-up time of `args` against a bare `node -e 0`, runs interleaved (A B A B …) so that machine
 * noise hits both alike. Returns medians and minimums in ms.
 */
function timeAgainstNode(args: string[], n = 31): { ms: number; min: number; nodeMs: number; nodeMin: number } {
  const once = (a: string[]) => {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, a, { env: { ...process.env, NO_COLOR: "1" } });
    if (r.status !== 0) throw new Error(`node ${a.join(" ")} exited ${r.status}: ${r.stderr}`);
    return performance.now() - t0;
  };
  once(args); // warm the file cache; we measure start-up, not disk
  const runs: number[] = [];
  const base: number[] = [];
  for (let i = 0; i < n; i++) {
    base.push(once(["-e", "0"]));
    runs.push(once(args));
  }
  return { ms: median(runs), min: Math.min(...runs), nodeMs: median(base), nodeMin: Math.min(...base) };
}

/** The same CLI as an ordinary package: src transpiled file by file, libraries as dependencies. */
async function ordinaryTarball(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "traildigest-ordinary-"));
  const files: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else if (e.name.endsWith(".ts")) files.push(join(d, e.name));
    }
  };
  walk(join(root, "src"));
  await build({
    entryPoints: files,
    outdir: join(dir, "lib"),
    outbase: join(root, "src"),
    format: "esm",
    platform: "node",
    target: "node20.19",
    bundle: false,
    define: { __TRAILDIGEST_VERSION__: JSON.stringify(pkg.version) },
    logLevel: "error",
  });
  // Which libraries does the transpiled code import at run time?
  const deps: Record<string, string> = {};
  const scan = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) scan(p);
      else
        for (const m of readFileSync(p, "utf8").matchAll(/(?:from|import)\s*\(?\s*["']([^"'.][^"']*)["']/g)) {
          const spec = m[1]!;
          if (spec.startsWith("node:")) continue;
          const name = spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0]!;
          const v = pkg.devDependencies[name];
          if (v) deps[name] = v;
        }
    }
  };
  scan(join(dir, "lib"));
  mkdirSync(join(dir, "bin"));
  writeFileSync(join(dir, "bin", "traildigest.js"), '#!/usr/bin/env node\nimport "../lib/cli/main.js";\n', {
    mode: 0o755,
  });
  mkdirSync(join(dir, "dist"));
  cpSync(join(root, "dist", "handler.zip"), join(dir, "dist", "handler.zip"));
  writeFileSync(
    join(dir, "package.json"),
    JSON.stringify({
      name: "traildigest",
      version: pkg.version,
      type: "module",
      bin: { traildigest: "bin/traildigest.js" },
      files: ["bin/", "lib/", "dist/handler.zip"],
      dependencies: deps,
    }),
  );
  console.error(`ordinary variant depends on: ${Object.keys(deps).join(", ")}`);
  return pack(dir);
}

interface Row {
  variant: string;
  tarballKB: number;
  installedMB: number;
  packages: number;
  coldInstallS: number;
  helpMs: number;
  helpVsNode: string;
  helpVsNodeMin: string;
}

async function measure(variant: string, tarball: string): Promise<Row> {
  const inst = installTarball(tarball);
  const t = timeAgainstNode([inst.bin, "--help"]);
  return {
    variant,
    tarballKB: Math.round(inst.tarballBytes / 1024),
    installedMB: Math.round((installedBytes(inst.dir) / 1024 / 1024) * 10) / 10,
    packages: packageCount(inst.dir),
    coldInstallS: Math.round(inst.installMs / 100) / 10,
    helpMs: Math.round(t.ms),
    helpVsNode: `${(t.ms / t.nodeMs).toFixed(2)}× (node -e 0: ${Math.round(t.nodeMs)} ms)`,
    helpVsNodeMin: `${(t.min / t.nodeMin).toFixed(2)}× (${Math.round(t.min)} / ${Math.round(t.nodeMin)} ms)`,
  };
}

export async function runPackageBench(): Promise<Row[]> {
  execFileSync("npm", ["run", "build", "--silent"], { cwd: root, stdio: "inherit" });
  const rows = [
    await measure("bundled (published)", pack(root)),
    await measure("ordinary dependencies", await ordinaryTarball()),
  ];
  console.log("\n--help: median of 31 runs interleaved with `node -e 0`; the min ratio is the least noisy figure");
  console.table(rows);
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) await runPackageBench();
