// The pure-core boundary is enforced by ESLint for every file under src/core (eslint.config.js, PURE_CORE):
// prove the rules fire on a deliberate SDK import, on process.env and on an adapter import, and stay quiet elsewhere.
import { fileURLToPath } from "node:url";
import { ESLint } from "eslint";
import { beforeAll, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("..", import.meta.url));
const eslint = new ESLint({ cwd: root });

/** Lints `code` as if it were the file at `path` (nothing is written) and returns its messages. */
async function lint(path: string, code: string) {
  const [result] = await eslint.lintText(code, { filePath: `${root}${path}` });
  return result!.messages.map((m) => ({ rule: m.ruleId, message: m.message }));
}

describe("the pure-core lint boundary", () => {
  // Loading the config and the TypeScript parser is the slow part (about a second): do it once.
  beforeAll(() => lint("src/core/text/text.ts", "export {};\n"));

  it("fails on an AWS SDK import in a core file", async () => {
    const messages = await lint(
      "src/core/digest/digest.ts",
      `import { SQSClient } from "@aws-sdk/client-sqs";\nexport const c = new SQSClient({});\n`,
    );
    expect(messages).toEqual([
      { rule: "@typescript-eslint/no-restricted-imports", message: expect.stringMatching(/pure core/) },
    ]);
  });

  it("fails on process.env in a core file", async () => {
    const messages = await lint("src/core/events/events.ts", `export const tz = process.env.DIGEST_TIMEZONE;\n`);
    expect(messages).toEqual([{ rule: "no-restricted-globals", message: expect.stringMatching(/pure core/) }]);
  });

  it("fails on node:fs, timers and terminal libraries in a core file", async () => {
    const messages = await lint(
      "src/core/schedule/schedule-expression.ts",
      [
        `import { readFileSync } from "node:fs";`,
        `import { setTimeout as delay } from "node:timers/promises";`,
        `import chalk from "chalk";`,
        `export const x = [readFileSync, delay, chalk];`,
      ].join("\n"),
    );
    expect(messages.map((m) => m.rule)).toEqual(Array(3).fill("@typescript-eslint/no-restricted-imports"));
  });

  it("fails on a value import of an adapter module, allows a type-only one", async () => {
    const value = await lint(
      "src/core/audit/audit.ts",
      `import { loadConfig } from "../../adapters/files/config-file.js";\nexport const f = loadConfig;\n`,
    );
    expect(value).toEqual([
      { rule: "traildigest/core-imports-core", message: expect.stringMatching(/not in the core/) },
    ]);
    const typeOnly = await lint(
      "src/core/audit/audit.ts",
      `import type { LiveState } from "../../adapters/aws/live-state.js";\nexport type L = LiveState;\n`,
    );
    expect(typeOnly).toEqual([]);
  });

  it("fails on any value import that leaves src/core, at any depth, and allows one inside it", async () => {
    const cases: [string, string][] = [
      ["src/core/errors.ts", "../handler/process.js"],
      ["src/core/digest/digest.ts", "../../cli/commands/audit.js"],
      ["src/core/digest/digest.ts", "../../app/context.js"],
      ["src/core/setup/export/files.ts", "../../../adapters/aws/apply.js"],
    ];
    for (const [file, from] of cases) {
      const messages = await lint(file, `import { x } from "${from}";\nexport const f = x;\n`);
      expect(messages.map((m) => m.rule)).toEqual(["traildigest/core-imports-core"]);
    }
    const dynamic = await lint(
      "src/core/digest/digest.ts",
      `export const f = () => import("../../adapters/slack.js");\n`,
    );
    expect(dynamic.map((m) => m.rule)).toEqual(["traildigest/core-imports-core"]);
    expect(
      await lint("src/core/digest/digest.ts", `import { audit } from "../audit/audit.js";\nexport const f = audit;\n`),
    ).toEqual([]);
    expect(
      await lint("src/core/setup/export/files.ts", `import { plan } from "../plan.js";\nexport const f = plan;\n`),
    ).toEqual([]);
  });

  it("lets adapters use the SDK and the environment", async () => {
    const messages = await lint(
      "src/adapters/aws/sqs.ts",
      `import { SQSClient } from "@aws-sdk/client-sqs";\nexport const c = new SQSClient({ region: process.env.AWS_REGION });\n`,
    );
    expect(messages).toEqual([]);
  });

  it("keeps the other layers pointing inwards: an adapter may not import app or cli, a use case not cli", async () => {
    const outward = [
      ["src/adapters/aws/sqs.ts", `import { parseTimeout } from "../../app/context.js";`],
      ["src/adapters/slack.ts", `import { main } from "../cli/program.js";`],
      ["src/app/queue.ts", `import { renderTable } from "../cli/output/table.js";`],
      ["src/handler/index.ts", `import { resolveZone } from "../app/context.js";`],
    ];
    for (const [path, line] of outward) {
      const messages = await lint(path!, `${line}\nexport const x = 1;\n`);
      expect(messages.map((m) => m.message).join(" "), path).toMatch(/dependencies point inwards/);
    }
    // Inwards is fine: a use case on an adapter, an adapter on the core.
    expect(
      await lint(
        "src/app/queue.ts",
        `import { resolveQueue } from "../adapters/aws/sqs.js";\nexport const x = resolveQueue;\n`,
      ),
    ).toEqual([]);
  });
});
