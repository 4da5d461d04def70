// The one context resolution (app/context.ts): the time zone and the webhook, with the environment injected.
import { describe, expect, it } from "vitest";
import { resolveZone, webhookSource } from "../src/app/context.js";

describe("time zone: --timezone > DIGEST_TIMEZONE > the config file > fallback", () => {
  it("names where the zone came from", async () => {
    const env = { DIGEST_TIMEZONE: "Europe/Berlin" };
    expect(await resolveZone("Asia/Seoul", { configTz: "UTC" }, env)).toEqual({
      timeZone: "Asia/Seoul",
      source: "--timezone",
    });
    expect(await resolveZone(undefined, { configTz: "UTC" }, env)).toEqual({
      timeZone: "Europe/Berlin",
      source: "DIGEST_TIMEZONE",
    });
    expect(await resolveZone(undefined, { configTz: "Asia/Tokyo" }, {})).toEqual({
      timeZone: "Asia/Tokyo",
      source: "the config file",
    });
    expect(await resolveZone(undefined, {}, {})).toEqual({ timeZone: undefined, source: "default" });
    expect((await resolveZone(undefined, { fallback: "UTC" }, {})).timeZone).toBe("UTC");
  });

  it("a bad zone is a usage error naming its source", async () => {
    await expect(resolveZone("", {}, {})).rejects.toMatchObject({
      kind: "input",
      message: expect.stringMatching(/^--timezone: empty/),
    });
    await expect(resolveZone(undefined, {}, { DIGEST_TIMEZONE: "Mars/Base" })).rejects.toThrow(/DIGEST_TIMEZONE/);
    await expect(resolveZone(undefined, { configTz: "Nope/Zone" }, {})).rejects.toThrow(/config file/);
  });
});

describe("webhook source", () => {
  it("--webhook-url, else SLACK_WEBHOOK_URL from the given environment", () => {
    expect(webhookSource("https://x", {})).toEqual({ raw: "https://x", label: "--webhook-url" });
    expect(webhookSource(undefined, { SLACK_WEBHOOK_URL: "https://y" })).toEqual({
      raw: "https://y",
      label: "SLACK_WEBHOOK_URL",
    });
  });
});
