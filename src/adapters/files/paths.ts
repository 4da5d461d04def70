// Files the CLI ships with, found from the running bundle's own location (never the source tree),
// so they resolve the same in the repo, in node_modules and under npx.
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The package root: the nearest ancestor of this module holding package.json. */
export function packageRoot(from: string = fileURLToPath(import.meta.url)): string {
  let dir = dirname(from);
  for (;;) {
    if (existsSync(join(dir, "package.json"))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error(`traildigest: cannot find the package root above ${from}`);
    dir = up;
  }
}

/** dist/handler.zip, the artefact `setup` deploys (built by `npm run build:handler`). */
export function handlerZipPath(): string {
  return join(packageRoot(), "dist", "handler.zip");
}
