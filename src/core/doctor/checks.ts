// PURE doctor checks: a gathered DoctorState → checks with stable ids, pass/warn/fail and a remedy.
// doctor-gather.ts reads the state through the SDK; nothing here touches AWS. One checker per part,
// run in the order the table shows them.
import { checkContext, type Check, type CheckContext, type DoctorState } from "./check-context.js";
import { checkRule, checkTrail } from "./checks-events.js";
import { checkDlq, checkFunction, checkMapping, checkQueue } from "./checks-delivery.js";
import { checkSchedules } from "./checks-schedules.js";

export { doctorSampleEvent, type Check, type CheckStatus, type DoctorState, type TrailInfo } from "./check-context.js";

const CHECKERS: ((ctx: CheckContext) => void)[] = [
  checkTrail,
  checkRule,
  checkQueue,
  checkDlq,
  checkMapping,
  checkFunction,
  checkSchedules,
];

export function runChecks(s: DoctorState): Check[] {
  const checks: Check[] = [];
  const ctx = checkContext(s, checks);
  for (const check of CHECKERS) check(ctx);
  return checks;
}

/** 1 on any fail (or any warn with --strict), else 0. */
export function doctorExitCode(checks: Check[], strict = false): 0 | 1 {
  return checks.some((c) => c.status === "fail" || (strict && c.status === "warn")) ? 1 : 0;
}
