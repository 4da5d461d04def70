// The size guardrail (eslint.config.js, SIZE_LIMITS): no function in src over 80 lines, no file over 400.
import { fileURLToPath } from "node:url";
import { ESLint } from "eslint";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("..", import.meta.url));
const eslint = new ESLint({ cwd: root });

async function sizeRules(path: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: `${root}${path}` });
  return result!.messages.map((m) => m.ruleId ?? "").filter((r) => r.startsWith("max-lines"));
}

const fn = (name: string, lines: number) =>
  `export function ${name}(): number {\n  let n = 0;\n${"  n++;\n".repeat(lines - 4)}  return n;\n}\n`;

describe("the size guardrail", () => {
  it("fails on a function over 80 lines in src, and not on one of 80", async () => {
    expect(await sizeRules("src/app/long.ts", fn("long", 81))).toEqual(["max-lines-per-function"]);
    expect(await sizeRules("src/app/long.ts", fn("fits", 80))).toEqual([]);
  });

  it("exempts no file in src (the four that once were now hold the rule too)", async () => {
    for (const path of [
      "src/adapters/aws/live-state.ts",
      "src/app/audit.ts",
      "src/app/forecast.ts",
      "src/app/local-run.ts",
    ])
      expect(await sizeRules(path, fn("long", 81))).toEqual(["max-lines-per-function"]);
  });

  it("fails on a file over 400 lines in src, but not in test", async () => {
    const file = Array.from({ length: 41 }, (_, i) => fn(`f${i}`, 10)).join("");
    expect(file.split("\n").length).toBeGreaterThan(400);
    expect(await sizeRules("src/core/text/big.ts", file)).toEqual(["max-lines"]);
    expect(await sizeRules("test/big.test.ts", file)).toEqual([]);
  });
});
