#!/usr/bin/env node
// Tiny shim: the CLI is bundled into dist/cli/ by `npm run build`.
import("../dist/cli/main.mjs").catch((err) => {
  if (err && err.code === "ERR_MODULE_NOT_FOUND") {
    process.stderr.write("error: traildigest is not built; run `npm run build` first\n");
    process.exit(2);
  }
  throw err;
});
