// The compact set of event IDs that drops duplicates across batches of a streamed input.
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { IdSet } from "../src/lib/id-set.js";

describe("IdSet", () => {
  it("is exact for UUIDs through many growths, and for any other ID", () => {
    const ids = Array.from({ length: 20_000 }, () => randomUUID());
    const set = new IdSet();
    for (const id of ids) expect(set.add(id)).toBe(true);
    for (const id of ids.slice(0, 500)) expect(set.add(id)).toBe(false);
    // Same bits in another case, or another shape, are other IDs (as in a Set of strings).
    expect(set.add(ids[0]!.toUpperCase())).toBe(true);
    expect(set.add(ids[0]!.toUpperCase())).toBe(false);
    expect(set.add("bench-event-1")).toBe(true);
    expect(set.add("bench-event-1")).toBe(false);
    expect(set.size).toBe(20_002);
  });

  it("tells apart UUIDs that differ in one hex digit anywhere", () => {
    const base = "0f8fad5b-d9cb-469f-a165-70867728950e";
    const set = new IdSet();
    set.add(base);
    for (let i = 0; i < base.length; i++) {
      if (base[i] === "-") continue;
      const other = base.slice(0, i) + (base[i] === "a" ? "b" : "a") + base.slice(i + 1);
      expect(set.add(other), other).toBe(true);
    }
    expect(set.add(base)).toBe(false);
  });
});
