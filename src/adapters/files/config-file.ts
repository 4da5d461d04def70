// The config file (traildigest.config.json or .yaml): finding it, reading it and parsing JSON or
// YAML; the schema and its checks are core/setup/config-schema.ts.
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { UsageError } from "../../core/errors.js";
import { loadYaml, parseConfig, type Config } from "../../core/setup/config-schema.js";

export const DEFAULT_CONFIG_FILES = ["traildigest.config.json", "traildigest.config.yaml", "traildigest.config.yml"];

/**
 * Plain YAML only: the core schema (no !!binary, !!timestamp, custom tags) and warnings as errors,
 * so an odd value is one line naming it rather than a blob and a multi-line warning.
 */
function parseYamlStrict(yaml: typeof import("yaml"), text: string): unknown {
  const doc = yaml.parseDocument(text, { schema: "core", customTags: [], prettyErrors: false, uniqueKeys: true });
  const problem = doc.errors[0] ?? doc.warnings[0];
  if (problem) throw new Error(problem.message.split("\n")[0]);
  let tag: string | undefined;
  yaml.visit(doc, {
    Node(_k, node) {
      if (
        !tag &&
        yaml.isNode(node) &&
        node.tag &&
        !/^tag:yaml\.org,2002:(str|int|float|bool|null|map|seq)$/.test(node.tag)
      )
        tag = node.tag;
    },
  });
  if (tag) throw new Error(`the tag ${tag} is not allowed (plain values only)`);
  return doc.toJS();
}

/** The config file to read: `--config` when given, else the first default name present in `cwd`. */
export function findConfigFile(path?: string, cwd = process.cwd()): string | undefined {
  if (path) return resolve(cwd, path);
  for (const f of DEFAULT_CONFIG_FILES) {
    const full = resolve(cwd, f);
    if (existsSync(full)) return full;
  }
  return undefined;
}

/**
 * Loads and validates the config. `path` (from --config) must exist; without it the default
 * files are tried and `undefined` is returned when none is present.
 */
export async function loadConfig(path?: string, cwd = process.cwd()): Promise<Config | undefined> {
  const file = findConfigFile(path, cwd);
  if (!file) return undefined;
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(`${path ?? file}: cannot read the config file (${code === "ENOENT" ? "no such file" : code})`);
  }
  const label = path ?? file.split("/").pop()!;
  let doc: unknown;
  try {
    if (/\.ya?ml$/i.test(file)) {
      doc = parseYamlStrict(await loadYaml(), text);
    } else {
      doc = JSON.parse(text);
    }
  } catch (err) {
    const first = (err as Error).message.split("\n")[0]!;
    throw new UsageError(
      `${label}: not valid ${/\.ya?ml$/i.test(file) ? "YAML" : "JSON"}: ${first.length > 200 ? first.slice(0, 200) + "…" : first}`,
    );
  }
  // A file holding only null (or nothing) is a mistake, not "all defaults": `{}` says that.
  if (doc === null || doc === undefined || typeof doc !== "object" || Array.isArray(doc)) {
    const what = doc === null || doc === undefined ? "empty (null)" : Array.isArray(doc) ? "a list" : `a ${typeof doc}`;
    throw new UsageError(`${label}: the config must be an object (use {} for all defaults), not ${what}`);
  }
  return parseConfig(doc, label);
}

/** loadConfig for commands that cannot work without one. */
export async function requireConfig(path?: string, cwd = process.cwd()): Promise<Config> {
  const cfg = await loadConfig(path, cwd);
  if (!cfg) {
    throw new UsageError(`no config file: create one with \`traildigest init\` or pass --config <file>`);
  }
  return cfg;
}
