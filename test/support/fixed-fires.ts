// A stand-in for firesBetween shared by the audit and forecast tests: the expression
// `fixed(ISO,ISO,…)` fires at exactly those instants.
import type { FiresBetweenFn } from "../../src/core/audit/audit.js";

export const fixedFires: FiresBetweenFn = (expression, from, to) =>
  (/^fixed\((.*)\)$/.exec(expression)?.[1] ?? "")
    .split(",")
    .filter(Boolean)
    .map((s) => new Date(s))
    .filter((d) => d >= from && d < to);

export const SCHEDULER_ROLE = "arn:aws:iam::123456789012:role/traildigest-scheduler-role";
