// ESLint 9 flat config: typescript-eslint's recommended rules (no type information, so it stays fast)
// plus the boundary rule that keeps the pure core pure (docs/design.md §3.2).
import { posix } from "node:path";
import js from "@eslint/js";
import tseslint from "typescript-eslint";

/**
 * The pure core: no AWS SDK, no file system, no environment, no timers, no terminal libraries.
 * THE one list of it. When the domain-folder restructuring lands, replace it with the core folder's glob.
 * Not listed although its own code is pure: doctor.ts (recommendedVisibility comes from config.ts,
 * which loads files).
 */
export const PURE_CORE = [
  "src/lib/audit-kinds.ts",
  "src/lib/audit.ts",
  "src/lib/batching.ts",
  "src/lib/call-kind.ts",
  "src/lib/cron.ts",
  "src/lib/desired.ts",
  "src/lib/digest-wording.ts",
  "src/lib/digest.ts",
  "src/lib/duration.ts",
  "src/lib/errors.ts",
  "src/lib/event-pattern.ts",
  "src/lib/event-stream.ts",
  "src/lib/events.ts",
  "src/lib/export/cloudformation.ts",
  "src/lib/export/files.ts",
  "src/lib/export/hcl.ts",
  "src/lib/export/terraform.ts",
  "src/lib/forecast.ts",
  "src/lib/id-set.ts",
  "src/lib/managed-marker.ts",
  "src/lib/mrkdwn.ts",
  "src/lib/plan.ts",
  "src/lib/policies.ts",
  "src/lib/rule-scope.ts",
  "src/lib/sample.ts",
  "src/lib/schedule-callers.ts",
  "src/lib/schedule-expression.ts",
  "src/lib/schedules.ts",
  "src/lib/secret-forms.ts",
  "src/lib/terminal-text.ts",
  "src/lib/text.ts",
  "src/lib/zoned-time.ts",
];

const BOUNDARY = "the pure core (PURE_CORE in eslint.config.js) must not do I/O: pass data or a function in";

// From a core file, a relative import of any file that is not in the core loads an adapter at run
// time (type-only imports are fine): allow exactly the core's own files, as that file spells them.
function notCoreFrom(file) {
  const allowed = PURE_CORE.filter((other) => other !== file).map((other) => {
    const rel = posix.relative(posix.dirname(file), other).replace(/\.ts$/, ".js");
    return (rel.startsWith(".") ? rel : `./${rel}`).replace(/\./g, "\\.");
  });
  return `^(?!(?:${allowed.join("|")})$)\\.\\.?/`;
}

const coreBoundary = PURE_CORE.map((file) => ({
  files: [file],
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
        ],
        patterns: [
          { group: ["@aws-sdk/*", "@smithy/*"], message: BOUNDARY },
          { regex: notCoreFrom(file), message: `${BOUNDARY} (that module is not in the core)`, allowTypeImports: true },
        ],
      },
    ],
    "no-restricted-globals": [
      "error",
      ...["process", "setTimeout", "setInterval", "setImmediate", "fetch"].map((name) => ({ name, message: BOUNDARY })),
    ],
    "no-restricted-properties": ["error", { object: "globalThis", property: "process", message: BOUNDARY }],
  },
}));

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
  ...coreBoundary,
);
