// `npm run bench`: runs every benchmark under bench/ in turn (each is also runnable on its own
// with `npx tsx bench/<name>.ts`). Pass names to run a subset: `npm run bench -- digest package`.
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";

const dir = fileURLToPath(new URL(".", import.meta.url));
const wanted = process.argv.slice(2);
const benches = readdirSync(dir)
  .filter((f) => f.endsWith(".ts") && !f.endsWith("-lib.ts") && f !== "run.ts")
  .filter((f) => wanted.length === 0 || wanted.includes(f.replace(/\.ts$/, "")));
let failed = 0;
for (const f of benches) {
  console.log(`\n=== bench/${f}`);
  const r = spawnSync(process.execPath, ["--import", "tsx", `${dir}${f}`], { stdio: "inherit" });
  if (r.status !== 0) failed++;
}
process.exitCode = failed ? 1 : 0;
