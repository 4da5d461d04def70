// Reading untrusted JSON values: an object, a non-empty string, a number (quoted or not); anything else is undefined.

export type Obj = Record<string, unknown>;
export function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
export function str(v: unknown): string | undefined {
  return typeof v === "string" && v.length > 0 ? v : undefined;
}
export function num(v: unknown): number | undefined {
  if (typeof v === "number" && Number.isFinite(v)) return v;
  // CloudTrail keeps numbers as numbers, but hand-made fixtures sometimes quote them.
  if (typeof v === "string" && /^\d+$/.test(v)) return Number(v);
  return undefined;
}
