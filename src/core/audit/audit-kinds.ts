// `schedules audit`: of the calls no schedule explains, deploys and Application Auto Scaling's calls are
// explained by something else; they are listed apart so "unexpected" means a change nobody accounts for.
import { callKind, callerInfo } from "../events/call-kind.js";
import type { ApiCallEvent } from "../events/events.js";

export interface UnexplainedSplit {
  /** Changes no schedule explains (people, scripts, other roles). */
  unexpected: ApiCallEvent[];
  /** Deploys (a new task definition, forced or platform) — with or without a desired count. */
  deploys: ApiCallEvent[];
  /** Application Auto Scaling's scale calls. */
  autoScaling: ApiCallEvent[];
}

export function splitUnexplained(calls: ApiCallEvent[]): UnexplainedSplit {
  const out: UnexplainedSplit = { unexpected: [], deploys: [], autoScaling: [] };
  for (const c of calls) {
    if (callerInfo(c).kind === "autoscaling") out.autoScaling.push(c);
    else if (callKind(c) === "deploy" || callKind(c) === "scale+deploy") out.deploys.push(c);
    else out.unexpected.push(c);
  }
  return out;
}
