// The local matcher, case by case against "Content filtering in Amazon EventBridge event patterns" and
// "Comparison operators for use in event patterns" (docs.aws.amazon.com/eventbridge/latest/userguide/).
import { describe, expect, it } from "vitest";
import { UnsupportedPattern, matchesPattern } from "../src/core/events/event-pattern.js";

const m = (pattern: Record<string, unknown>, event: Record<string, unknown>) => matchesPattern(pattern, event);
const field = (rules: unknown[], value?: unknown) =>
  m({ detail: { f: rules } }, value === undefined ? { detail: {} } : { detail: { f: value } });

describe("event-pattern matcher: every documented event-bus operator", () => {
  it("exact values: strings, numbers, booleans, null, empty string; no coercion", () => {
    expect(field(["a"], "a")).toBe(true);
    expect(field(["a"], "A")).toBe(false);
    expect(field([5], 5)).toBe(true);
    expect(field(["5"], 5)).toBe(false);
    expect(field([true], true)).toBe(true);
    expect(field([null], null)).toBe(true);
    expect(field([null])).toBe(false); // absent is not null
    expect(field([""], "")).toBe(true);
    expect(field(["a", "b"], "b")).toBe(true); // a list is OR
  });

  it("an array in the event matches when any element does", () => {
    expect(field(["b"], ["a", "b"])).toBe(true);
    expect(field(["c"], ["a", "b"])).toBe(false);
  });

  it("prefix and suffix, also with equals-ignore-case; strings only", () => {
    expect(field([{ prefix: "us-" }], "us-east-1")).toBe(true);
    expect(field([{ prefix: "us-" }], "eu-west-1")).toBe(false);
    expect(field([{ prefix: "1" }], 12)).toBe(false);
    expect(field([{ prefix: { "equals-ignore-case": "EventB" } }], "eventbridge")).toBe(true);
    expect(field([{ suffix: ".png" }], "a.png")).toBe(true);
    expect(field([{ suffix: ".png" }], "a.PNG")).toBe(false);
    expect(field([{ suffix: { "equals-ignore-case": ".png" } }], "a.PNG")).toBe(true);
  });

  it("equals-ignore-case", () => {
    expect(field([{ "equals-ignore-case": "alice" }], "ALICE")).toBe(true);
    expect(field([{ "equals-ignore-case": "alice" }], "bob")).toBe(false);
  });

  it("wildcard: * is any run, \\* a literal star, other characters literal", () => {
    expect(field([{ wildcard: "dir/*.png" }], "dir/a/b.png")).toBe(true);
    expect(field([{ wildcard: "dir/*.png" }], "dir/apng")).toBe(false);
    expect(field([{ wildcard: "a\\*b" }], "a*b")).toBe(true);
    expect(field([{ wildcard: "a\\*b" }], "axxb")).toBe(false);
    expect(field([{ wildcard: "a\\\\b" }], "a\\b")).toBe(true);
    expect(field([{ wildcard: "a.c" }], "abc")).toBe(false);
  });

  it("numeric ranges and equality; only JSON numbers match", () => {
    expect(field([{ numeric: [">", 0, "<=", 5] }], 5)).toBe(true);
    expect(field([{ numeric: [">", 0, "<=", 5] }], 0)).toBe(false);
    expect(field([{ numeric: ["=", 3.0] }], 3)).toBe(true);
    expect(field([{ numeric: [">=", 1] }], "2")).toBe(false);
    expect(() => field([{ numeric: [">"] }], 1)).toThrow(UnsupportedPattern);
  });

  it("cidr, IPv4 and IPv6", () => {
    expect(field([{ cidr: "10.0.0.0/24" }], "10.0.0.255")).toBe(true);
    expect(field([{ cidr: "10.0.0.0/24" }], "10.0.1.0")).toBe(false);
    expect(field([{ cidr: "2001:db8::/32" }], "2001:db8:1::5")).toBe(true);
    expect(field([{ cidr: "2001:db8::/32" }], "2001:db9::1")).toBe(false);
    expect(field([{ cidr: "10.0.0.0/8" }], "not an ip")).toBe(false);
  });

  it("exists: true on a present leaf (null too), false when absent — and an object is not a leaf", () => {
    expect(field([{ exists: true }], "x")).toBe(true);
    expect(field([{ exists: true }], null)).toBe(true);
    expect(field([{ exists: true }])).toBe(false);
    expect(field([{ exists: false }])).toBe(true);
    expect(field([{ exists: true }], { a: 1 })).toBe(false);
    expect(field([{ exists: false }], { a: 1 })).toBe(true);
    expect(field([{ exists: false }], [])).toBe(true);
    // Below a null or missing parent every field is absent.
    expect(m({ detail: { rp: { f: [{ exists: false }] } } }, { detail: { rp: null } })).toBe(true);
    expect(m({ detail: { rp: { f: [{ exists: true }] } } }, { detail: { rp: null } })).toBe(false);
  });

  it("anything-but: value, list, number; never matches an absent field or an object", () => {
    expect(field([{ "anything-but": "init" }], "running")).toBe(true);
    expect(field([{ "anything-but": "init" }], "init")).toBe(false);
    expect(field([{ "anything-but": ["a", "b"] }], "c")).toBe(true);
    expect(field([{ "anything-but": ["a", "b"] }], "b")).toBe(false);
    expect(field([{ "anything-but": 123 }], 124)).toBe(true);
    expect(field([{ "anything-but": 123 }], 123)).toBe(false);
    expect(field([{ "anything-but": "x" }])).toBe(false);
    expect(field([{ "anything-but": "x" }], { a: "y" })).toBe(false);
  });

  it("anything-but with prefix, suffix, equals-ignore-case and wildcard", () => {
    expect(field([{ "anything-but": { prefix: "us-" } }], "eu-west-1")).toBe(true);
    expect(field([{ "anything-but": { prefix: "us-" } }], "us-east-1")).toBe(false);
    expect(field([{ "anything-but": { suffix: ".png" } }], "a.jpg")).toBe(true);
    expect(field([{ "anything-but": { suffix: ".png" } }], "a.png")).toBe(false);
    expect(field([{ "anything-but": { "equals-ignore-case": ["init", "done"] } }], "DONE")).toBe(false);
    expect(field([{ "anything-but": { "equals-ignore-case": "init" } }], "running")).toBe(true);
    expect(field([{ "anything-but": { wildcard: "*/lib/*" } }], "/usr/lib/x")).toBe(false);
    expect(field([{ "anything-but": { wildcard: "*/lib/*" } }], "/usr/bin/x")).toBe(true);
  });

  it("$or at the top and nested, each branch a whole pattern", () => {
    const p = { detail: { $or: [{ a: ["1"] }, { b: [{ exists: true }], c: ["x"] }] } };
    expect(m(p, { detail: { a: "1" } })).toBe(true);
    expect(m(p, { detail: { b: 0, c: "x" } })).toBe(true);
    expect(m(p, { detail: { b: 0, c: "y" } })).toBe(false);
    expect(m({ $or: [{ source: ["aws.ecs"] }, { "detail-type": ["x"] }] }, { source: "aws.ecs" })).toBe(true);
    expect(() => m({ $or: [{ a: ["1"] }] }, {})).toThrow(UnsupportedPattern);
  });

  it("nested patterns reach into arrays of objects (one element must match the whole sub-pattern)", () => {
    const ev = {
      detail: {
        items: [
          { k: "a", v: 1 },
          { k: "b", v: 2 },
        ],
      },
    };
    expect(m({ detail: { items: { k: ["b"] } } }, ev)).toBe(true);
    expect(m({ detail: { items: { k: ["b"], v: [2] } } }, ev)).toBe(true);
    expect(m({ detail: { items: { k: ["c"] } } }, ev)).toBe(false);
    expect(m({ detail: { items: { k: ["a"] } } }, { detail: { items: "a" } })).toBe(false);
  });

  it("several fields are AND; a missing field fails every value matcher", () => {
    const p = { source: ["aws.ecs"], detail: { eventName: ["UpdateService"] } };
    expect(m(p, { source: "aws.ecs", detail: { eventName: "UpdateService" } })).toBe(true);
    expect(m(p, { source: "aws.ecs", detail: { eventName: "CreateService" } })).toBe(false);
    expect(m(p, { source: "aws.ecs" })).toBe(false);
  });

  it("refuses what EventBridge does not document", () => {
    expect(() => field([{ contains: "x" }], "x")).toThrow(UnsupportedPattern);
    expect(() => m({ a: "x" } as Record<string, unknown>, { a: "x" })).toThrow(UnsupportedPattern);
    expect(() => field([{ exists: "yes" }], "x")).toThrow(UnsupportedPattern);
  });
});
