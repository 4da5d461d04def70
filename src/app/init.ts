// `init`: write a starter config (JSON or YAML) that deploys as it is; never overwrites without --force.
import { UsageError } from "../core/errors.js";
import type { RunContext } from "./run-context.js";

export interface InitOpts {
  format?: string;
  force?: boolean;
}

export async function writeStarter(ctx: RunContext, o: InitOpts): Promise<{ file: string; format: "json" | "yaml" }> {
  const [{ existsSync }, { writeFile }, { resolve }] = await Promise.all([
    import("node:fs"),
    import("node:fs/promises"),
    import("node:path"),
  ]);
  const config = ctx.opts.config;
  const format = o.format ?? (config && /\.ya?ml$/i.test(config) ? "yaml" : "json");
  if (format !== "json" && format !== "yaml") throw new UsageError(`--format: "${format}" is not one of json, yaml`);
  const file = resolve(ctx.cwd, config ?? `traildigest.config.${format}`);
  if (existsSync(file) && !o.force) throw new UsageError(`${file} already exists: pass --force to overwrite it`);
  if (!config) {
    // Two default files would be ambiguous (the JSON one wins): do not create a second.
    const { DEFAULT_CONFIG_FILES } = await import("../adapters/files/config-file.js");
    const other = DEFAULT_CONFIG_FILES.map((f) => resolve(ctx.cwd, f)).find((f) => f !== file && existsSync(f));
    if (other)
      throw new UsageError(
        `${other} already exists: edit it, or remove it before \`traildigest init --format ${format}\``,
      );
  }
  const { renderStarter } = await import("../core/setup/config-starter.js");
  try {
    await writeFile(file, await renderStarter(format, ctx.opts.region), { flag: o.force ? "w" : "wx" });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === "ENOENT"
        ? "its directory does not exist"
        : code === "EACCES"
          ? "permission denied"
          : code === "EISDIR"
            ? "it is a directory"
            : code === "EEXIST"
              ? "it already exists (pass --force)"
              : code;
    throw new UsageError(`${config ? "--config" : "init"}: cannot write ${file}: ${why}`);
  }
  return { file, format };
}
