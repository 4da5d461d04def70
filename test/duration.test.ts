// Time arguments: an ISO date-time without an offset is UTC, whatever zone the machine is in.
import { afterEach, describe, expect, it } from "vitest";
import { parseTimeArg } from "../src/core/time/duration.js";

describe("parseTimeArg", () => {
  const savedTz = process.env.TZ;
  afterEach(() => {
    if (savedTz === undefined) delete process.env.TZ;
    else process.env.TZ = savedTz;
  });

  it("reads a date-time without an offset as UTC, in any machine zone", () => {
    for (const tz of ["America/New_York", "Asia/Tokyo", "UTC"]) {
      process.env.TZ = tz;
      expect(parseTimeArg("2026-11-26T12:00:00", "--since").toISOString()).toBe("2026-11-26T12:00:00.000Z");
      expect(parseTimeArg("2026-11-26T12:00", "--since").toISOString()).toBe("2026-11-26T12:00:00.000Z");
      expect(parseTimeArg("2026-11-26 12:00:00.5", "--since").toISOString()).toBe("2026-11-26T12:00:00.500Z");
      expect(parseTimeArg("2026-11-26", "--since").toISOString()).toBe("2026-11-26T00:00:00.000Z");
    }
  });

  it("keeps an explicit offset, and durations count back from now", () => {
    process.env.TZ = "America/New_York";
    expect(parseTimeArg("2026-11-26T12:00:00+01:00", "--since").toISOString()).toBe("2026-11-26T11:00:00.000Z");
    expect(parseTimeArg("2026-11-26T12:00:00Z", "--since").toISOString()).toBe("2026-11-26T12:00:00.000Z");
    expect(parseTimeArg("2h", "--since", new Date("2026-11-26T12:00:00Z")).toISOString()).toBe(
      "2026-11-26T10:00:00.000Z",
    );
    expect(() => parseTimeArg("2026-13-45T99:00", "--since")).toThrow(/not a valid ISO-8601 time/);
  });
});
