// docs/config-reference.md is generated from the config schema; this fails when someone changes the
// schema (a field, a default, a bound or a .describe() text) without running `npm run docs:config`.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { REFERENCE_FILE, renderConfigReference } from "../scripts/config-reference.ts";

describe("docs/config-reference.md", () => {
  it("is what `npm run docs:config` writes from the schema today", () => {
    const committed = readFileSync(REFERENCE_FILE, "utf8");
    expect(committed, "docs/config-reference.md is out of date: run `npm run docs:config`").toBe(
      renderConfigReference(),
    );
  });

  it("lists every field with its default, and marks the required schedule fields", () => {
    const doc = renderConfigReference();
    expect(doc).toContain('| `queue.name` | string, ≤ 80 chars, `^[A-Za-z0-9_-]+$` | `"traildigest-events"` |');
    expect(doc).toContain("| `batching.batchSize` | integer 1–10,000 | `10` |");
    expect(doc).toMatch(/\| `schedules\[\]\.roleArn` \|[^\n]*\| \*\*required\*\* \|/);
    expect(doc).toMatch(/\| `schedules\[\]\.retryPolicy\.maximumRetryAttempts` \| integer 0–185 \| `185` \|/);
    // Every row has a description: a field added without .describe() shows up here.
    const empty = doc.split("\n").filter((l) => l.startsWith("| `") && l.endsWith("|  |"));
    expect(empty).toEqual([]);
  });
});
