// Builds dist/cli/ (the CLI, ESM, code-split so SDK clients load only in the commands that use them)
// and dist/handler.zip (the Lambda: index.mjs exporting handler, AWS SDK left to the nodejs22.x runtime).
// Usage: node scripts/build.mjs [cli|handler]   (default: both)
import { build } from "esbuild";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { zipSync } from "fflate";

const root = new URL("..", import.meta.url);
const pkg = JSON.parse(await readFile(new URL("package.json", root), "utf8"));
const what = process.argv[2] ?? "all";
const define = { __TRAILDIGEST_VERSION__: JSON.stringify(pkg.version) };

async function buildCli() {
  // Build aside, then swap in, so a test running the CLI never sees a half-written dist/cli.
  const tmp = `dist/.cli-${process.pid}`;
  await build({
    entryPoints: { main: "src/cli/main.ts" },
    outdir: tmp,
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20.19",
    outExtension: { ".js": ".mjs" },
    chunkNames: "chunks/[name]-[hash]",
    // Prefer the packages' ES module builds: real named exports for dynamic import() (no CommonJS
    // interop under `default`) and better tree-shaking of the AWS SDK.
    mainFields: ["module", "main"],
    minify: true,
    legalComments: "none",
    define,
    // Some bundled CommonJS dependencies call require(); give the ESM bundle one.
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
    logLevel: "warning",
  });
  await rm(new URL("dist/cli", root), { recursive: true, force: true });
  await rename(new URL(tmp, root), new URL("dist/cli", root));
}

async function buildHandler() {
  const result = await build({
    entryPoints: ["src/handler/index.ts"],
    bundle: true,
    write: false,
    format: "esm",
    platform: "node",
    target: "node22",
    minify: true,
    legalComments: "none",
    define,
    // nodejs22.x ships SDK v3: the webhook-secret clients are loaded from the runtime, not bundled.
    external: ["@aws-sdk/*"],
    logLevel: "warning",
  });
  const code = result.outputFiles[0].contents;
  await mkdir(new URL("dist", root), { recursive: true });
  await writeFile(new URL(`dist/handler.mjs`, root), code);
  // Fixed mtime so the same source gives the same zip (and the same CodeSha256 for `setup plan`).
  const zip = zipSync({ "index.mjs": [code, { mtime: new Date("2020-01-01T00:00:00Z"), level: 9 }] });
  const tmpZip = new URL(`dist/.handler-${process.pid}.zip`, root);
  await writeFile(tmpZip, zip);
  await rename(tmpZip, new URL("dist/handler.zip", root));
}

if (what === "all" || what === "cli") await buildCli();
if (what === "all" || what === "handler") await buildHandler();
