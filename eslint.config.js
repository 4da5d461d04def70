// ESLint 9 flat config: typescript-eslint's recommended rules (no type information, so it stays fast)
// plus the boundary rule that keeps the pure core pure (docs/design.md §3.2).
import { readdirSync } from "node:fs";
import js from "@eslint/js";
import tseslint from "typescript-eslint";

/**
 * The pure core: no AWS SDK, no file system, no environment, no timers, no terminal libraries.
 * THE one list of it. When the domain-folder restructuring lands, replace it with the core folder's glob.
 * Not listed although their own code is pure: plan.ts and policies.ts (they read SCHEDULE_MARKER from
 * config.ts, which loads files) and doctor.ts (recommendedVisibility, same module).
 */
export const PURE_CORE = [
  "src/lib/audit.ts",
  "src/lib/batching.ts",
  "src/lib/cron.ts",
  "src/lib/digest.ts",
  "src/lib/duration.ts",
  "src/lib/errors.ts",
  "src/lib/event-pattern.ts",
  "src/lib/events.ts",
  "src/lib/forecast.ts",
  "src/lib/mrkdwn.ts",
  "src/lib/sample.ts",
  "src/lib/schedule-expression.ts",
  "src/lib/schedules.ts",
  "src/lib/text.ts",
  "src/lib/zoned-time.ts",
];

const BOUNDARY = "the pure core (PURE_CORE in eslint.config.js) must not do I/O: pass data or a function in";

// Modules beside the core that it must not load at run time (type-only imports are fine).
const coreNames = new Set(PURE_CORE.map((f) => f.replace(/^src\/lib\/|\.ts$/g, "")));
const adapters = readdirSync(new URL("src/lib/", import.meta.url))
  .filter((f) => f.endsWith(".ts") && !coreNames.has(f.slice(0, -3)))
  .map((f) => `./${f.slice(0, -3)}.js`);

const coreBoundary = {
  files: PURE_CORE,
  rules: {
    "@typescript-eslint/no-restricted-imports": [
      "error",
      {
        paths: [
          ...["fs", "fs/promises", "child_process", "timers", "timers/promises"].flatMap((m) => [
            { name: m, message: BOUNDARY },
            { name: `node:${m}`, message: BOUNDARY },
          ]),
          ...["commander", "chalk", "ora", "cli-table3"].map((name) => ({ name, message: BOUNDARY })),
          ...adapters.map((name) => ({ name, message: `${BOUNDARY} (${name} is an adapter)`, allowTypeImports: true })),
        ],
        patterns: [
          { group: ["@aws-sdk/*", "@smithy/*"], message: BOUNDARY },
          { group: ["../*"], message: `${BOUNDARY} (nothing outside src/lib)` },
        ],
      },
    ],
    "no-restricted-globals": [
      "error",
      ...["process", "setTimeout", "setInterval", "setImmediate", "fetch"].map((name) => ({ name, message: BOUNDARY })),
    ],
    "no-restricted-properties": ["error", { object: "globalThis", property: "process", message: BOUNDARY }],
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
);
