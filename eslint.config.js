// ESLint 9 flat config: typescript-eslint's recommended rules (no type information, so it stays fast)
// plus the boundary rule that keeps the pure core pure (docs/architecture.md §3.2).
import { posix, relative, sep } from "node:path";
import js from "@eslint/js";
import tseslint from "typescript-eslint";

/** The pure core: no AWS SDK, no file system, no environment, no timers, no terminal libraries. */
export const PURE_CORE = "src/core/**/*.ts";
const CORE_DIR = "src/core/";

const BOUNDARY = "the pure core (src/core) must not do I/O: pass data or a function in";

/**
 * From a core file, a relative import that leaves src/core loads an adapter at run time: refuse it
 * (type-only imports are fine). Resolved against the file's own path, so any depth works.
 */
const coreImportsCore = {
  meta: {
    type: "problem",
    schema: [],
    messages: { outside: `${BOUNDARY} ({{spec}}: that module is not in the core)` },
  },
  create(context) {
    const dir = posix.dirname(relative(context.cwd, context.filename).split(sep).join("/"));
    const check = (source, typeOnly) => {
      const spec = source?.type === "Literal" ? source.value : undefined;
      if (typeOnly || typeof spec !== "string" || !spec.startsWith(".")) return;
      if (!posix.join(dir, spec).startsWith(CORE_DIR))
        context.report({ node: source, messageId: "outside", data: { spec } });
    };
    const allTypes = (n) => n.specifiers.length > 0 && n.specifiers.every((s) => s.importKind === "type");
    return {
      ImportDeclaration: (n) => check(n.source, n.importKind === "type" || allTypes(n)),
      ExportNamedDeclaration: (n) => check(n.source, n.exportKind === "type"),
      ExportAllDeclaration: (n) => check(n.source, n.exportKind === "type"),
      ImportExpression: (n) => check(n.source, false),
    };
  },
};

const coreBoundary = {
  files: [PURE_CORE],
  plugins: { traildigest: { rules: { "core-imports-core": coreImportsCore } } },
  rules: {
    "traildigest/core-imports-core": "error",
    "@typescript-eslint/no-restricted-imports": [
      "error",
      {
        paths: [
          ...["fs", "fs/promises", "child_process", "timers", "timers/promises"].flatMap((m) => [
            { name: m, message: BOUNDARY },
            { name: `node:${m}`, message: BOUNDARY },
          ]),
          ...["commander", "chalk", "ora", "cli-table3"].map((name) => ({ name, message: BOUNDARY })),
        ],
        patterns: [{ group: ["@aws-sdk/*", "@smithy/*"], message: BOUNDARY }],
      },
    ],
    "no-restricted-globals": [
      "error",
      ...["process", "setTimeout", "setInterval", "setImmediate", "fetch"].map((name) => ({ name, message: BOUNDARY })),
    ],
    "no-restricted-properties": ["error", { object: "globalThis", property: "process", message: BOUNDARY }],
  },
};

/** The other layers point inwards too: cli → app → adapters → core (the handler uses core and adapters). */
const LAYER = "dependencies point inwards (cli → app → adapters → core; docs/architecture.md §3.1)";
const layer = (files, outer) => ({
  files: [files],
  rules: {
    "@typescript-eslint/no-restricted-imports": [
      "error",
      { patterns: [{ group: outer.flatMap((d) => [`**/${d}/*`, `**/${d}/**`]), message: LAYER }] },
    ],
  },
});
const LAYERS = [
  layer("src/adapters/**/*.ts", ["app", "cli", "handler"]),
  layer("src/app/**/*.ts", ["cli"]),
  layer("src/handler/**/*.ts", ["app", "cli"]),
];

/**
 * Small units: no function in src over 80 lines (blank lines and comments not counted), no file over
 * 400 lines (counted as `wc -l` does). Tests, benches and scripts are exempt.
 */
const SIZE_LIMITS = {
  files: ["src/**/*.ts"],
  rules: {
    "max-lines-per-function": ["error", { max: 80, skipBlankLines: true, skipComments: true, IIFEs: true }],
    "max-lines": ["error", { max: 400, skipBlankLines: false, skipComments: false }],
  },
};

export default tseslint.config(
  { ignores: ["dist/**", "coverage/**", "**/node_modules/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["**/*.js", "**/*.mjs"],
    languageOptions: {
      globals: { process: "readonly", console: "readonly", URL: "readonly", setTimeout: "readonly" },
    },
  },
  {
    rules: {
      // Control characters in regexes are deliberate here: escaping untrusted text, private placeholders.
      "no-control-regex": "off",
      // `_name` marks a value left unused on purpose (an omitted field, a callback's position).
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  {
    // Tests poke at parsed JSON and match terminal output literally (indentation included).
    files: ["test/**/*.ts", "bench/**/*.ts"],
    rules: { "@typescript-eslint/no-explicit-any": "off", "no-regex-spaces": "off" },
  },
  coreBoundary,
  ...LAYERS,
  SIZE_LIMITS,
);
