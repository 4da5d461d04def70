// What every resource executor of `setup apply` shares: the plan's inputs, lazily built clients,
// the steps it reports, and what an earlier step learned (a new queue's URL).
import { awsClient, type AwsOptions, type ClientMap, type ServiceName } from "../clients.js";
import type { Config } from "../../../core/setup/config-schema.js";
import type { Identity } from "../../../core/setup/policies.js";
import type { Desired, LiveState, PlanItem, Resource } from "../../../core/setup/plan.js";
import type { Sleep } from "../retry.js";

export interface AppliedStep {
  resource: Resource;
  name: string;
  action: "create" | "update" | "delete" | "wait";
  detail?: string;
}

export interface ApplyContext {
  cfg: Config;
  id: Identity;
  want: Desired;
  live: LiveState;
  zip: Uint8Array;
  /** The value for a webhook secret or parameter apply creates (never printed). */
  webhookUrl?: string;
  sleep: Sleep;
  waitMs: number;
  /** The queue's URL: the live one, or the one CreateQueue just answered. */
  queueUrl?: string;
  client<S extends ServiceName>(name: S): Promise<ClientMap[S]>;
  done(step: AppliedStep): void;
}

/** Carries out one plan item (never a noop or a conflict). */
export type Executor = (item: PlanItem, ctx: ApplyContext) => Promise<void>;

/** One client per service for the whole apply, built on first use. */
export function clientCache(aws: AwsOptions): ApplyContext["client"] {
  const made = new Map<ServiceName, Promise<unknown>>();
  return <S extends ServiceName>(name: S) => {
    if (!made.has(name)) made.set(name, awsClient(name, aws));
    return made.get(name) as Promise<ClientMap[S]>;
  };
}

/** create/update as a reported action (delete is reported by the executors that delete). */
export const createOrUpdate = (item: PlanItem): "create" | "update" => (item.action === "create" ? "create" : "update");
