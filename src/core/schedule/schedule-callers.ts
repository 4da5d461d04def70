// The config's schedules as callers the classifier knows (call-kind.ts), in the compact form the Lambda
// gets as TRAILDIGEST_SCHEDULES. Pure: setup/export encode it into the function's environment, the
// handler parses it, and the CLI parses the very same encoding, so `notify dry-run` names callers
// exactly as Slack will. The format and the size budget: docs/call-kinds.md.
import type { ClassifyContext, KnownSchedule } from "../events/call-kind.js";

export const SCHEDULES_ENV = "TRAILDIGEST_SCHEDULES";

/**
 * Lambda allows 4 KB for all environment variables together and does not say how it counts them; we
 * keep the whole set, measured as the JSON of the Variables map in UTF-8 bytes, under this budget.
 */
export const ENV_BUDGET_BYTES = 3_500;

export interface ScheduleCallerSource {
  name: string;
  group: string;
  roleArn: string;
  cluster: string;
  service: string;
  desiredCount: number;
}

/** full: every schedule (names shown) · roles: role names only (over budget) · none: not even those fit. */
export type ScheduleCallersForm = "full" | "roles" | "none";

export interface ScheduleCallersEncoding {
  value?: string;
  form: ScheduleCallersForm;
  /** Bytes of the full form as it stands in the Variables JSON (quoted, its quotes escaped), and the budget it had. */
  fullBytes: number;
  budgetBytes: number;
}

const roleName = (arnOrName: string): string => arnOrName.slice(arnOrName.lastIndexOf("/") + 1);
export const utf8Bytes = (s: string): number => Buffer.byteLength(s, "utf8");
/** How Lambda's limit is measured here: the JSON of the whole Variables map. */
export const envBytes = (env: Record<string, string>): number => utf8Bytes(JSON.stringify(env));
/** A value's share of envBytes: quoted, with its own quotes escaped (JSON in JSON nearly doubles them). */
const valueBytes = (value: string): number => utf8Bytes(JSON.stringify(value));

/**
 * v1, nested by execution role NAME (the record's sessionIssuer.userName; the ARN adds nothing) and by
 * schedule group, as both repeat across schedules:
 *   full  {"v":1,"s":{"ROLE":{"GROUP":[["NAME","CLUSTER","SERVICE",COUNT],…]}}}
 *   roles {"v":1,"r":["ROLE",…]}
 */
export function encodeScheduleCallers(
  schedules: readonly ScheduleCallerSource[],
  budgetBytes: number,
): ScheduleCallersEncoding {
  const byRole: Record<string, Record<string, (string | number)[][]>> = {};
  for (const s of schedules)
    ((byRole[roleName(s.roleArn)] ??= {})[s.group] ??= []).push([s.name, s.cluster, s.service, s.desiredCount]);
  if (schedules.length === 0) return { form: "none", fullBytes: 0, budgetBytes };
  const full = JSON.stringify({ v: 1, s: byRole });
  const fullBytes = valueBytes(full);
  if (fullBytes <= budgetBytes) return { value: full, form: "full", fullBytes, budgetBytes };
  const roles = JSON.stringify({ v: 1, r: Object.keys(byRole) });
  if (valueBytes(roles) <= budgetBytes) return { value: roles, form: "roles", fullBytes, budgetBytes };
  return { form: "none", fullBytes, budgetBytes };
}

/** Thrown for a value that is not the v1 form; its message never quotes the value. */
export class ScheduleCallersError extends Error {
  override name = "ScheduleCallersError";
}

const isStr = (x: unknown): x is string => typeof x === "string" && x.length > 0 && x.length <= 2048;
const isCount = (x: unknown): x is number => Number.isInteger(x) && (x as number) >= 0;

/** TRAILDIGEST_SCHEDULES → what the classifier reads. Strict: anything unexpected throws (no partial use). */
export function parseScheduleCallers(value: string): ClassifyContext {
  let doc: unknown;
  try {
    doc = JSON.parse(value);
  } catch {
    // JSON.parse's message quotes part of the input: say only what is wrong.
    throw new ScheduleCallersError("not JSON");
  }
  if (!doc || typeof doc !== "object" || Array.isArray(doc)) throw new ScheduleCallersError("not a JSON object");
  const o = doc as Record<string, unknown>;
  if (o.v !== 1) throw new ScheduleCallersError('unknown version (expected "v": 1)');
  if (Array.isArray(o.r)) {
    if (!o.r.every(isStr)) throw new ScheduleCallersError('"r" must list role names');
    return { schedulerRoles: [...o.r] };
  }
  if (!o.s || typeof o.s !== "object" || Array.isArray(o.s))
    throw new ScheduleCallersError('neither "s" (schedules by role) nor "r" (role names)');
  const schedules: KnownSchedule[] = [];
  const isMap = (x: unknown): x is Record<string, unknown> => !!x && typeof x === "object" && !Array.isArray(x);
  for (const [role, groups] of Object.entries(o.s as Record<string, unknown>)) {
    if (!isStr(role) || !isMap(groups)) throw new ScheduleCallersError('"s" must map role names to schedule groups');
    for (const [group, list] of Object.entries(groups)) {
      if (!isStr(group) || !Array.isArray(list))
        throw new ScheduleCallersError("a role's groups must map group names to lists of schedules");
      for (const e of list) {
        if (!(Array.isArray(e) && e.length === 4 && isStr(e[0]) && isStr(e[1]) && isStr(e[2]) && isCount(e[3]))) {
          throw new ScheduleCallersError(
            `schedule entry ${schedules.length + 1} is not [name, cluster, service, desiredCount]`,
          );
        }
        const [name, cluster, service, desiredCount] = e as [string, string, string, number];
        schedules.push({ name, group, roleArn: role, cluster, service, desiredCount });
      }
    }
  }
  return { schedules };
}
