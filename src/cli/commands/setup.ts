// `traildigest init` and `traildigest setup plan|apply`: the whole pipeline from one config file.
// The config is validated before any AWS call; plan is pure (src/core/setup/plan.ts), apply does the work.
import type { Command } from "commander";
import { action, type Ctx } from "./action.js";
import { UsageError } from "../../core/errors.js";
import type { Ui } from "../output/output.js";
import type { Desired, LiveState, Plan, PlanItem } from "../../core/setup/plan.js";
import type { AppliedStep } from "../../adapters/aws/apply.js";
import { plural } from "../../core/text/text.js";

interface Prepared {
  want: Desired;
  live: LiveState;
  plan: Plan;
  zip: Uint8Array;
  aws: { region?: string; profile?: string; endpointUrl?: string };
}

/** dist/handler.zip, built first when missing (a source checkout has the build script). */
async function handlerZip(ui: Ui): Promise<Uint8Array> {
  const { existsSync } = await import("node:fs");
  const { readFile } = await import("node:fs/promises");
  const { join } = await import("node:path");
  const { handlerZipPath, packageRoot } = await import("../../adapters/files/paths.js");
  const zipPath = handlerZipPath();
  if (!existsSync(zipPath)) {
    const script = join(packageRoot(), "scripts", "build.mjs");
    if (!existsSync(script)) throw new UsageError(`${zipPath} is missing and cannot be built here: run \`npm run build:handler\``);
    ui.info(`building ${zipPath} (npm run build:handler)…`);
    const { spawnSync } = await import("node:child_process");
    const r = spawnSync(process.execPath, [script, "handler"], { cwd: packageRoot(), stdio: ["ignore", "ignore", "pipe"] });
    if (r.status !== 0 || !existsSync(zipPath)) {
      throw new UsageError(`building the handler failed: ${String(r.stderr).split("\n")[0] || `exit ${r.status}`}`);
    }
  }
  return new Uint8Array(await readFile(zipPath));
}

/** --adopt values → the plan's adopt list; every name must be a config schedule ("group/name") or "all". */
function adoptList(values: string[] | undefined, cfg: { schedules: { group: string; name: string }[] }): string[] | "all" {
  const v = values ?? [];
  if (v.includes("all")) return "all";
  const known = new Set(cfg.schedules.map((s) => `${s.group}/${s.name}`));
  for (const n of v) {
    const full = n.includes("/") ? n : `default/${n}`;
    if (!known.has(full)) throw new UsageError(`--adopt: "${n}" is not a schedule in the config (give group/name, or all)`);
  }
  return v.map((n) => (n.includes("/") ? n : `default/${n}`));
}

const collect = (value: string, previous: string[] = []) => [...previous, value];
const ADOPT_HELP = "take over an existing schedule traildigest did not create (group/name; repeatable; or all)";

async function prepare(ctx: Ctx, prune: boolean, adopt?: string[]): Promise<Prepared> {
  const [{ requireConfig }, { awsOptionsFor }] = await Promise.all([import("../../adapters/files/config-file.js"), import("../../core/setup/config-schema.js")]);
  const cfg = await requireConfig(ctx.opts.config); // exits 2 on a bad config, before any AWS call
  const aws = awsOptionsFor(ctx.opts, cfg);
  const zip = await handlerZip(ctx.ui);
  const { createHash } = await import("node:crypto");
  const codeSha256 = createHash("sha256").update(zip).digest("base64");
  const spin = ctx.ui.spinner("reading the live state…");
  try {
    const { resolveIdentity, readLiveState } = await import("../../adapters/aws/live-state.js");
    const { computePlan } = await import("../../core/setup/plan.js");
    const identity = await resolveIdentity(aws);
    const live = await readLiveState(aws, cfg, identity, { allScheduleGroups: prune });
    const want: Desired = { config: cfg, identity, codeSha256, webhookEnvSet: Boolean((await import("../../app/context.js")).webhookSource(undefined).raw) };
    spin.stop();
    return { want, live, plan: computePlan(want, live, { prune, adopt: adoptList(adopt, cfg) }), zip, aws };
  } catch (err) {
    spin.fail("reading the live state failed");
    throw err;
  }
}

/** A table cell for one value: policy documents by their statements, long values cut (JSON has them whole). */
function show(v: unknown, cut = true): string {
  if (v === null || v === undefined) return "—";
  const st = (v as { Statement?: unknown }).Statement;
  const o = v as { Effect?: string; Action?: unknown; Resource?: unknown };
  let s: string;
  if (Array.isArray(st)) {
    s = "statements: " + st
      .map((x: { Sid?: string; Action?: unknown; Principal?: { Service?: unknown } }) => x.Sid ?? [x.Principal?.Service, x.Action].filter(Boolean).join(" "))
      .join(", ");
  } else if (o.Effect && o.Action) {
    const actions = [o.Action].flat();
    s = `${actions[0]}${actions.length > 1 ? ` +${actions.length - 1}` : ""} on ${[o.Resource].flat().join(",")}`;
  } else {
    s = typeof v === "string" ? v : JSON.stringify(v);
  }
  // Cut in the middle: ARNs differ at both ends (region, account … name).
  return cut && s.length > 72 ? s.slice(0, 34) + "…" + s.slice(-37) : s;
}

/** An update's from/to, cut to a window around where they first differ. */
function fromTo(from: unknown, to: unknown): [string, string] {
  const a = show(from, false);
  const b = show(to, false);
  if (Math.max(a.length, b.length) <= 72) return [a, b];
  let p = 0;
  while (p < a.length && p < b.length && a[p] === b[p]) p++;
  const start = Math.max(0, p - 20);
  const win = (x: string) => (start > 0 ? "…" : "") + x.slice(start, start + 66) + (x.length > start + 66 ? "…" : "");
  return [win(a), win(b)];
}

function changeLines(i: PlanItem): string {
  const lines = i.changes.map((c) => {
    if (i.action === "create") return `${c.field}: ${show(c.to)}`;
    const [from, to] = fromTo(c.from, c.to);
    const line = `${c.field}: ${from} → ${to}`;
    return line.length <= 80 ? line : `${c.field}:\n  - ${from}\n  + ${to}`;
  });
  if (i.note) lines.push(i.note);
  return lines.join("\n");
}

export function renderPlan(plan: Plan, ui: Ui): string {
  const { c } = ui;
  const label = (a: PlanItem["action"]) =>
    a === "create"
      ? c.green("create")
      : a === "update"
        ? c.yellow("update")
        : a === "delete"
          ? c.red("delete")
          : a === "conflict"
            ? c.magenta("conflict")
            : c.dim("no change");
  // Unchanged rows collapse to a count (--verbose lists them; --json always has every row).
  const shown = ui.verbose ? plan.plan : plan.plan.filter((i) => i.action !== "noop");
  const table = shown.length
    ? ui.table({
        head: ["Resource", "Name", "Action", "Changes"],
        wrap: [3],
        align: ["left", "left", "left", "left"],
        rows: shown.map((i) => [i.resource, i.name, label(i.action), changeLines(i)]),
      })
    : "";
  const n = { create: 0, update: 0, noop: 0, delete: 0, conflict: 0 };
  for (const i of plan.plan) n[i.action]++;
  const hidden = plan.plan.length - shown.length;
  const summary =
    n.create + n.update + n.delete + n.conflict === 0
      ? `No changes: the pipeline matches the config (${plural(n.noop, "resource")} checked).`
      : `Plan: ${n.create} to create, ${n.update} to update${n.delete ? `, ${n.delete} to delete` : ""}, ${n.noop} unchanged${hidden ? " (not listed; --verbose lists them)" : ""}.` +
        (n.conflict ? `\n${plural(n.conflict, "conflict")}: schedules traildigest did not create; apply refuses them unless --adopt names them.` : "");
  return table ? `${table}\n${summary}` : summary;
}

async function confirm(question: string): Promise<boolean> {
  const { createInterface } = await import("node:readline/promises");
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(question);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

function stepLine(s: AppliedStep): string {
  const verb = { create: "created", update: "updated", delete: "deleted", wait: "ready:" }[s.action];
  return `  ${s.action === "wait" ? "…" : "✔"} ${s.resource} ${s.name} ${verb}${s.detail ? ` ${s.detail}` : ""}`;
}

export function register(program: Command): void {
  program
    .command("init")
    .description("Write a starter traildigest.config.json (or .yaml) that deploys as it is")
    .option("--format <format>", "json or yaml (default: from the --config file name, else json)")
    .option("--force", "overwrite an existing file")
    .action(
      action(async (ctx, o: { format?: string; force?: boolean }) => {
        const { existsSync } = await import("node:fs");
        const { writeFile } = await import("node:fs/promises");
        const { resolve } = await import("node:path");
        const format = o.format ?? (ctx.opts.config && /\.ya?ml$/i.test(ctx.opts.config) ? "yaml" : "json");
        if (format !== "json" && format !== "yaml") throw new UsageError(`--format: "${format}" is not one of json, yaml`);
        const file = resolve(ctx.opts.config ?? `traildigest.config.${format}`);
        if (existsSync(file) && !o.force) throw new UsageError(`${file} already exists: pass --force to overwrite it`);
        if (!ctx.opts.config) {
          // Two default files would be ambiguous (the JSON one wins): do not create a second.
          const { DEFAULT_CONFIG_FILES } = await import("../../adapters/files/config-file.js");
          const other = DEFAULT_CONFIG_FILES.map((f) => resolve(f)).find((f) => f !== file && existsSync(f));
          if (other) throw new UsageError(`${other} already exists: edit it, or remove it before \`traildigest init --format ${format}\``);
        }
        const { renderStarter } = await import("../../core/setup/config-starter.js");
        try {
          await writeFile(file, await renderStarter(format, ctx.opts.region), { flag: o.force ? "w" : "wx" });
        } catch (err) {
          const code = (err as NodeJS.ErrnoException).code;
          const why = code === "ENOENT" ? "its directory does not exist" : code === "EACCES" ? "permission denied" : code === "EISDIR" ? "it is a directory" : code === "EEXIST" ? "it already exists (pass --force)" : code;
          throw new UsageError(`${ctx.opts.config ? "--config" : "init"}: cannot write ${file}: ${why}`);
        }
        return {
          data: { file, format },
          render: () =>
            `Wrote ${file}\nNext: export SLACK_WEBHOOK_URL=…  (stored in Secrets Manager by setup, never printed)\n      traildigest setup plan && traildigest setup apply && traildigest doctor`,
        };
      }),
    );

  const setup = program
    .command("setup")
    .description("Create or update the pipeline from the config file")
    .addHelpText(
      "after",
      `
Examples:
  $ traildigest init                                        write a starter traildigest.config.json
  $ traildigest setup plan                                  what would change, per resource and field
  $ traildigest setup plan --exit-code                      CI drift check: exit 1 when anything differs
  $ SLACK_WEBHOOK_URL=… traildigest setup apply --yes        apply in dependency order; deletes nothing
  $ traildigest setup export --format terraform --import    the same pipeline as Terraform, adopting what apply built`,
    );

  setup
    .command("plan")
    .description("Show what apply would create or update, field by field (changes nothing)")
    .option("--exit-code", "exit 1 when the plan has changes (CI drift check)")
    .option("--prune", "also plan deleting managed schedules the config no longer names")
    .option("--adopt <group/name>", ADOPT_HELP, collect)
    .action(
      action(async (ctx, o: { exitCode?: boolean; prune?: boolean; adopt?: string[] }) => {
        const { plan } = await prepare(ctx, Boolean(o.prune), o.adopt);
        const changed = plan.plan.some((i) => i.action !== "noop");
        return { data: plan, render: (_d, ui) => renderPlan(plan, ui), exitCode: o.exitCode && changed ? 1 : 0 };
      }),
    );

  setup
    .command("apply")
    .description("Apply the plan in dependency order and wait for each part to be ready (idempotent)")
    .option("-y, --yes", "apply without asking (required when not on a terminal)")
    .option("--prune", "delete schedules (in any group) setup created (exact managed description) that the config no longer names")
    .option("--adopt <group/name>", ADOPT_HELP, collect)
    .action(
      action(async (ctx, o: { yes?: boolean; prune?: boolean; adopt?: string[] }) => {
        const p = await prepare(ctx, Boolean(o.prune), o.adopt);
        const { ui } = ctx;
        const { conflicts } = await import("../../core/setup/plan.js");
        const refused = conflicts(p.plan);
        if (refused.length) {
          const { refusalMessage } = await import("../../adapters/aws/apply.js");
          ui.info(renderPlan(p.plan, ui));
          throw new UsageError(refusalMessage(refused.map((i) => i.name)));
        }
        const changed = p.plan.plan.filter((i) => i.action !== "noop");
        if (changed.length === 0) {
          return {
            data: { plan: p.plan.plan, steps: [] as AppliedStep[], applied: false },
            render: () => "No changes: the pipeline matches the config.",
          };
        }
        if (!o.yes) {
          if (!process.stdin.isTTY || !process.stderr.isTTY) {
            throw new UsageError("refusing to apply without --yes when not on a terminal");
          }
          ui.info(renderPlan(p.plan, ui));
          if (!(await confirm("Apply these changes? [y/N] "))) {
            return { data: { plan: p.plan.plan, steps: [] as AppliedStep[], applied: false }, render: () => "Nothing applied." };
          }
        }
        ui.info(`applying ${plural(changed.length, "change")}…`);
        const { applyPlan } = await import("../../adapters/aws/apply.js");
        const webhookUrl = process.env.SLACK_WEBHOOK_URL;
        ui.registerSecret(webhookUrl);
        const steps = await applyPlan({ ...p, webhookUrl, report: (s) => ui.info(stepLine(s)) });
        return {
          data: { plan: p.plan.plan, steps, applied: true },
          render: () => `Applied ${plural(steps.filter((s) => s.action !== "wait").length, "change")}. Check it end to end: traildigest doctor`,
        };
      }),
    );

  setup
    .command("export")
    .description("Write the same pipeline as Terraform or CloudFormation (with --import: adopt what apply built)")
    .requiredOption("--format <format>", "terraform or cloudformation")
    .option("--out <dir>", "directory to write (default: ./traildigest-<format>)")
    .option("--template-format <format>", "CloudFormation only: yaml or json", "yaml")
    .option("--import", "read the account and also write import blocks (Terraform) or the resources-to-import file (CloudFormation)")
    .option("--force", "overwrite files already in the directory")
    .addHelpText(
      "after",
      `
Examples:
  $ traildigest setup export --format terraform --out infra/traildigest
  $ traildigest setup export --format terraform --import            then: terraform init && terraform plan
  $ traildigest setup export --format cloudformation --template-format json
See docs/infrastructure-code.md.`,
    )
    .action(
      action(async (ctx, o: { format: string; out?: string; templateFormat: string; import?: boolean; force?: boolean }) => {
        if (o.format !== "terraform" && o.format !== "cloudformation") throw new UsageError(`--format: "${o.format}" is not one of terraform, cloudformation`);
        if (o.templateFormat !== "yaml" && o.templateFormat !== "json") throw new UsageError(`--template-format: "${o.templateFormat}" is not one of yaml, json`);
        const [{ requireConfig }, { awsOptionsFor, loadYaml }] = await Promise.all([import("../../adapters/files/config-file.js"), import("../../core/setup/config-schema.js")]);
        const cfg = await requireConfig(ctx.opts.config); // exits 2 on a bad config, before any AWS call
        const { existsSync } = await import("node:fs");
        const { mkdir, writeFile } = await import("node:fs/promises");
        const { join, resolve } = await import("node:path");
        const dir = resolve(o.out ?? `traildigest-${o.format}`);
        let live: LiveState | undefined;
        if (o.import) {
          const spin = ctx.ui.spinner("reading the live state…");
          try {
            const aws = awsOptionsFor(ctx.opts, cfg);
            const { resolveIdentity, readLiveState } = await import("../../adapters/aws/live-state.js");
            live = await readLiveState(aws, cfg, await resolveIdentity(aws));
            spin.stop();
          } catch (err) {
            spin.fail("reading the live state failed");
            throw err;
          }
        }
        const yaml = await loadYaml();
        const { exportFiles } = await import("../../core/setup/export/files.js");
        const out = exportFiles(cfg, {
          format: o.format,
          templateFormat: o.templateFormat,
          ...(live ? { live } : {}),
          stringifyYaml: (doc) => yaml.stringify(doc, { lineWidth: 0 }),
        });
        const files: Record<string, string | Uint8Array> = { ...out.files, "handler.zip": await handlerZip(ctx.ui) };
        const clash = Object.keys(files).filter((f) => existsSync(join(dir, f)));
        if (clash.length && !o.force) throw new UsageError(`${dir} already has ${clash.join(", ")}: pass --force to overwrite, or choose another --out`);
        await mkdir(dir, { recursive: true });
        for (const [name, content] of Object.entries(files)) await writeFile(join(dir, name), content);
        const names = Object.keys(files);
        return {
          data: { format: o.format, dir, files: names, imported: out.imported },
          render: () =>
            `Wrote ${names.length} files to ${dir}: ${names.join(", ")}` +
            (o.import ? `\n${plural(out.imported, "existing part")} to adopt.` : "") +
            `\nNext steps: ${join(dir, "NEXT-STEPS.md")}`,
        };
      }),
    );
}
