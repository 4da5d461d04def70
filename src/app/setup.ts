// `setup plan`, `setup apply` and `setup export`: the whole pipeline from one config file. The config is
// validated before any AWS call; planning is pure (core/setup/plan.ts), applying is adapters/aws/apply.ts.
import { UsageError } from "../core/errors.js";
import type { Desired, LiveState, Plan } from "../core/setup/plan.js";
import type { AppliedStep } from "../adapters/aws/apply.js";
import { plural } from "../core/text/text.js";
import { say } from "./report.js";
import type { RunContext } from "./run-context.js";

export interface Prepared {
  want: Desired;
  live: LiveState;
  plan: Plan;
  zip: Uint8Array;
  aws: { region?: string; profile?: string; endpointUrl?: string };
}

/** dist/handler.zip, built first when missing (a source checkout has the build script). */
export async function handlerZip(ctx: Pick<RunContext, "report">): Promise<Uint8Array> {
  const [{ existsSync }, { readFile }, { join }, { handlerZipPath, packageRoot }] = await Promise.all([
    import("node:fs"),
    import("node:fs/promises"),
    import("node:path"),
    import("../adapters/files/paths.js"),
  ]);
  const zipPath = handlerZipPath();
  if (!existsSync(zipPath)) {
    const script = join(packageRoot(), "scripts", "build.mjs");
    if (!existsSync(script))
      throw new UsageError(`${zipPath} is missing and cannot be built here: run \`npm run build:handler\``);
    say(ctx.report).info(`building ${zipPath} (npm run build:handler)…`);
    const { spawnSync } = await import("node:child_process");
    const r = spawnSync(process.execPath, [script, "handler"], {
      cwd: packageRoot(),
      stdio: ["ignore", "ignore", "pipe"],
    });
    if (r.status !== 0 || !existsSync(zipPath)) {
      throw new UsageError(`building the handler failed: ${String(r.stderr).split("\n")[0] || `exit ${r.status}`}`);
    }
  }
  return new Uint8Array(await readFile(zipPath));
}

/** --adopt values → the plan's adopt list; every name must be a config schedule ("group/name") or "all". */
function adoptList(
  values: string[] | undefined,
  cfg: { schedules: { group: string; name: string }[] },
): string[] | "all" {
  const v = values ?? [];
  if (v.includes("all")) return "all";
  const known = new Set(cfg.schedules.map((s) => `${s.group}/${s.name}`));
  for (const n of v) {
    const full = n.includes("/") ? n : `default/${n}`;
    if (!known.has(full))
      throw new UsageError(`--adopt: "${n}" is not a schedule in the config (give group/name, or all)`);
  }
  return v.map((n) => (n.includes("/") ? n : `default/${n}`));
}

/** The config, the handler zip, the live state and the plan between them. */
export async function prepareSetup(ctx: RunContext, prune: boolean, adopt?: string[]): Promise<Prepared> {
  const [{ requireConfig }, { awsOptionsFor }] = await Promise.all([
    import("../adapters/files/config-file.js"),
    import("../core/setup/config-schema.js"),
  ]);
  const cfg = await requireConfig(ctx.opts.config, ctx.cwd); // exits 2 on a bad config, before any AWS call
  const aws = awsOptionsFor(ctx.opts, cfg);
  const zip = await handlerZip(ctx);
  const { createHash } = await import("node:crypto");
  const codeSha256 = createHash("sha256").update(zip).digest("base64");
  const spin = say(ctx.report).progress("reading the live state…");
  try {
    const { resolveIdentity, readLiveState } = await import("../adapters/aws/live-state.js");
    const { computePlan } = await import("../core/setup/plan.js");
    const identity = await resolveIdentity(aws);
    const live = await readLiveState(aws, cfg, identity, { allScheduleGroups: prune });
    const { webhookSource } = await import("./context.js");
    const want: Desired = {
      config: cfg,
      identity,
      codeSha256,
      webhookEnvSet: Boolean(webhookSource(undefined, ctx.env).raw),
    };
    spin.stop();
    return { want, live, plan: computePlan(want, live, { prune, adopt: adoptList(adopt, cfg) }), zip, aws };
  } catch (err) {
    spin.fail("reading the live state failed");
    throw err;
  }
}

/** Why apply must refuse this plan (schedules it did not create, not adopted), or undefined. */
export async function refusal(plan: Plan): Promise<string | undefined> {
  const { conflicts } = await import("../core/setup/plan.js");
  const refused = conflicts(plan);
  if (!refused.length) return undefined;
  const { refusalMessage } = await import("../adapters/aws/apply.js");
  return refusalMessage(refused.map((i) => i.name));
}

function stepLine(s: AppliedStep): string {
  const verb = { create: "created", update: "updated", delete: "deleted", wait: "ready:" }[s.action];
  return `  ${s.action === "wait" ? "…" : "✔"} ${s.resource} ${s.name} ${verb}${s.detail ? ` ${s.detail}` : ""}`;
}

/**
 * Apply the plan in dependency order, each step reported as it is done. SLACK_WEBHOOK_URL (for a secret or
 * parameter the plan creates) is registered as a secret before anything can print it.
 */
export async function applyPrepared(
  ctx: RunContext,
  p: Prepared,
  registerSecret: (secret: string | undefined) => void,
): Promise<AppliedStep[]> {
  const ui = say(ctx.report);
  const changed = p.plan.plan.filter((i) => i.action !== "noop");
  ui.info(`applying ${plural(changed.length, "change")}…`);
  const [{ webhookSource }, { applyPlan }] = await Promise.all([
    import("./context.js"),
    import("../adapters/aws/apply.js"),
  ]);
  const webhookUrl = webhookSource(undefined, ctx.env).raw;
  registerSecret(webhookUrl);
  return applyPlan({ ...p, ...(webhookUrl ? { webhookUrl } : {}), report: (s) => ui.step(stepLine(s)) });
}

export interface ExportOpts {
  format: string;
  out?: string;
  templateFormat: string;
  import?: boolean;
  force?: boolean;
}

/** `setup export`: the same pipeline as Terraform or CloudFormation files (with --import: adopting what exists). */
export async function exportSetup(ctx: RunContext, o: ExportOpts) {
  if (o.format !== "terraform" && o.format !== "cloudformation")
    throw new UsageError(`--format: "${o.format}" is not one of terraform, cloudformation`);
  if (o.templateFormat !== "yaml" && o.templateFormat !== "json")
    throw new UsageError(`--template-format: "${o.templateFormat}" is not one of yaml, json`);
  const [{ requireConfig }, { awsOptionsFor, loadYaml }] = await Promise.all([
    import("../adapters/files/config-file.js"),
    import("../core/setup/config-schema.js"),
  ]);
  const cfg = await requireConfig(ctx.opts.config, ctx.cwd); // exits 2 on a bad config, before any AWS call
  const [{ existsSync }, { mkdir, writeFile }, { join, resolve }] = await Promise.all([
    import("node:fs"),
    import("node:fs/promises"),
    import("node:path"),
  ]);
  const dir = resolve(ctx.cwd, o.out ?? `traildigest-${o.format}`);
  let live: LiveState | undefined;
  if (o.import) {
    const spin = say(ctx.report).progress("reading the live state…");
    try {
      const aws = awsOptionsFor(ctx.opts, cfg);
      const { resolveIdentity, readLiveState } = await import("../adapters/aws/live-state.js");
      live = await readLiveState(aws, cfg, await resolveIdentity(aws));
      spin.stop();
    } catch (err) {
      spin.fail("reading the live state failed");
      throw err;
    }
  }
  const yaml = await loadYaml();
  const { exportFiles } = await import("../core/setup/export/files.js");
  const out = exportFiles(cfg, {
    format: o.format,
    templateFormat: o.templateFormat,
    ...(live ? { live } : {}),
    stringifyYaml: (doc) => yaml.stringify(doc, { lineWidth: 0 }),
  });
  const files: Record<string, string | Uint8Array> = { ...out.files, "handler.zip": await handlerZip(ctx) };
  const clash = Object.keys(files).filter((f) => existsSync(join(dir, f)));
  if (clash.length && !o.force)
    throw new UsageError(`${dir} already has ${clash.join(", ")}: pass --force to overwrite, or choose another --out`);
  await mkdir(dir, { recursive: true });
  for (const [name, content] of Object.entries(files)) await writeFile(join(dir, name), content);
  return { format: o.format, dir, files: Object.keys(files), imported: out.imported };
}
