// Shared by bench/package.ts and test/integration/package.test.ts: pack the project and install the
// tarball into an empty folder with an empty npm cache, the way `npx traildigest` meets it.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, statSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface Installed {
  dir: string;
  tarball: string;
  tarballBytes: number;
  installMs: number;
  bin: string;
}

/** `npm pack` into a fresh temp dir; returns the tarball path. */
export function pack(projectDir: string, dest = mkdtempSync(join(tmpdir(), "traildigest-pack-"))): string {
  const out = execFileSync("npm", ["pack", "--silent", "--pack-destination", dest], {
    cwd: projectDir,
    encoding: "utf8",
    env: { ...process.env, npm_config_loglevel: "error" },
  });
  const name = out.trim().split("\n").pop()!.trim();
  return join(dest, name);
}

/** Install a tarball into an empty folder with an empty cache; time the install. */
export function installTarball(tarball: string, binName = "traildigest"): Installed {
  const dir = mkdtempSync(join(tmpdir(), "traildigest-install-"));
  const cache = join(dir, ".npm-cache");
  mkdirSync(cache);
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "empty-app", version: "1.0.0", private: true }));
  const t0 = performance.now();
  const r = spawnSync("npm", ["install", "--no-audit", "--no-fund", "--no-package-lock", "--cache", cache, tarball], {
    cwd: dir,
    encoding: "utf8",
  });
  const installMs = performance.now() - t0;
  if (r.status !== 0) throw new Error(`npm install ${tarball} failed: ${r.stderr}`);
  return {
    dir,
    tarball,
    tarballBytes: statSync(tarball).size,
    installMs,
    bin: join(dir, "node_modules", ".bin", binName),
  };
}

/** Bytes under node_modules (the npm cache excluded). */
export function installedBytes(dir: string): number {
  const walk = (p: string): number => {
    const st = statSync(p, { throwIfNoEntry: false });
    if (!st) return 0;
    if (st.isSymbolicLink()) return 0;
    if (!st.isDirectory()) return st.size;
    return readdirSync(p).reduce((sum, e) => sum + walk(join(p, e)), 0);
  };
  return walk(join(dir, "node_modules"));
}

/** Packages installed (every node_modules/<pkg> or node_modules/@scope/<pkg>, nested ones included). */
export function packageCount(dir: string): number {
  let n = 0;
  const visit = (nm: string) => {
    if (!existsSync(nm)) return;
    for (const e of readdirSync(nm)) {
      if (e.startsWith(".")) continue;
      if (e.startsWith("@")) {
        for (const s of readdirSync(join(nm, e))) {
          n++;
          visit(join(nm, e, s, "node_modules"));
        }
      } else {
        n++;
        visit(join(nm, e, "node_modules"));
      }
    }
  };
  visit(join(dir, "node_modules"));
  return n;
}
