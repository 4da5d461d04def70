// The pure-core boundary is enforced by ESLint (eslint.config.js, PURE_CORE): prove the rule fires
// on a deliberate SDK import, on process.env and on an adapter import, and stays quiet elsewhere.
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
  beforeAll(() => lint("src/lib/text.ts", "export {};\n"));

  it("fails on an AWS SDK import in a core file", async () => {
    const messages = await lint(
      "src/lib/digest.ts",
      `import { SQSClient } from "@aws-sdk/client-sqs";\nexport const c = new SQSClient({});\n`,
    );
    expect(messages).toEqual([
      { rule: "@typescript-eslint/no-restricted-imports", message: expect.stringMatching(/pure core/) },
    ]);
  });

  it("fails on process.env in a core file", async () => {
    const messages = await lint("src/lib/events.ts", `export const tz = process.env.DIGEST_TIMEZONE;\n`);
    expect(messages).toEqual([{ rule: "no-restricted-globals", message: expect.stringMatching(/pure core/) }]);
  });

  it("fails on node:fs, timers and terminal libraries in a core file", async () => {
    const messages = await lint(
      "src/lib/schedule-expression.ts",
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
      "src/lib/audit.ts",
      `import { parseConfig } from "./config.js";\nexport const f = parseConfig;\n`,
    );
    expect(value).toEqual([
      { rule: "@typescript-eslint/no-restricted-imports", message: expect.stringMatching(/not in the core/) },
    ]);
    const typeOnly = await lint(
      "src/lib/audit.ts",
      `import type { Config } from "./config.js";\nexport type C = Config;\n`,
    );
    expect(typeOnly).toEqual([]);
  });

  it("fails on a value import from outside src/lib, even of a file named like a core one", async () => {
    for (const from of ["../handler/process.js", "../commands/audit.js"]) {
      const messages = await lint("src/lib/digest.ts", `import { x } from "${from}";\nexport const f = x;\n`);
      expect(messages.map((m) => m.rule)).toEqual(["@typescript-eslint/no-restricted-imports"]);
    }
    expect(await lint("src/lib/digest.ts", `import { audit } from "./audit.js";\nexport const f = audit;\n`)).toEqual(
      [],
    );
  });

  it("lets adapters use the SDK and the environment", async () => {
    const messages = await lint(
      "src/lib/queue.ts",
      `import { SQSClient } from "@aws-sdk/client-sqs";\nexport const c = new SQSClient({ region: process.env.AWS_REGION });\n`,
    );
    expect(messages).toEqual([]);
  });
});
