// Gathers what doctor checks, through the SDK. Secret and parameter VALUES are never read: only
// their metadata (DescribeSecret, DescribeParameters). A part that cannot be read (access denied)
// becomes a "could not check" note on its check rather than aborting the whole run.
import { awsClient, type AwsOptions } from "./clients.js";
import type { Config } from "../../core/setup/config-schema.js";
import { doctorSampleEvent, type DoctorState, type TrailInfo } from "../../core/doctor/checks.js";
import { orMissing, readLiveState, resolveIdentity, sdk } from "./live-state.js";
import { ssmParameterName, type Identity } from "../../core/setup/policies.js";
import type { LiveState } from "../../core/setup/plan.js";
import { isNotFound } from "./errors.js";

function errText(err: unknown): string {
  const e = err as { name?: string; message?: string };
  return `${e?.name ?? "Error"}: ${(e?.message ?? String(err)).split("\n")[0]}`;
}

async function gatherTrails(aws: AwsOptions): Promise<TrailInfo[]> {
  const ct = await awsClient("cloudtrail", aws);
  const m = await sdk.cloudtrail();
  const { trailList = [] } = await ct.send(new m.DescribeTrailsCommand({ includeShadowTrails: true }));
  const out: TrailInfo[] = [];
  for (const t of trailList) {
    const name = t.TrailARN ?? t.Name!;
    const status = await ct.send(new m.GetTrailStatusCommand({ Name: name }));
    let managementWrites: boolean | undefined;
    try {
      const sel = await ct.send(new m.GetEventSelectorsCommand({ TrailName: name }));
      if (sel.AdvancedEventSelectors?.length) {
        managementWrites = sel.AdvancedEventSelectors.some((a) => {
          const fs = a.FieldSelectors ?? [];
          const mgmt = fs.some((f) => f.Field === "eventCategory" && f.Equals?.includes("Management"));
          const readOnlyOnly = fs.some((f) => f.Field === "readOnly" && f.Equals?.includes("true"));
          return mgmt && !readOnlyOnly;
        });
      } else if (sel.EventSelectors?.length) {
        managementWrites = sel.EventSelectors.some(
          (e) => e.IncludeManagementEvents !== false && e.ReadWriteType !== "ReadOnly",
        );
      }
    } catch {
      managementWrites = undefined; // unknown: not a reason to fail the trail check
    }
    out.push({
      name: t.Name ?? name,
      ...(t.HomeRegion ? { homeRegion: t.HomeRegion } : {}),
      multiRegion: Boolean(t.IsMultiRegionTrail),
      logging: Boolean(status.IsLogging),
      ...(managementWrites !== undefined ? { managementWrites } : {}),
    });
  }
  return out;
}

/** EventBridge's own verdict on the live pattern against doctor's sample event; undefined when it gives none. */
async function testLivePattern(
  aws: AwsOptions,
  cfg: Config,
  identity: Identity,
  pattern: unknown,
): Promise<boolean | undefined> {
  try {
    const eb = await awsClient("eventbridge", aws);
    const m = await sdk.eventbridge();
    const event = doctorSampleEvent(cfg, identity);
    const r = await eb.send(
      new m.TestEventPatternCommand({ EventPattern: JSON.stringify(pattern), Event: JSON.stringify(event) }),
    );
    // Emulators (moto) answer with no Result at all: leave it undefined so doctor matches locally.
    return typeof r.Result === "boolean" ? r.Result : undefined;
  } catch {
    return undefined; // unavailable: the local matcher decides
  }
}

/** Whether the webhook source the DEPLOYED function reads exists, by metadata only; undefined when unknown. */
async function deployedWebhookExists(aws: AwsOptions, env: Record<string, string>): Promise<boolean | undefined> {
  try {
    if (env.SLACK_WEBHOOK_SECRET_ID) {
      const sm = await awsClient("secretsmanager", aws);
      const m = await sdk.secretsmanager();
      const d = await orMissing(sm.send(new m.DescribeSecretCommand({ SecretId: env.SLACK_WEBHOOK_SECRET_ID })));
      return Boolean(d && !d.DeletedDate);
    }
    if (env.SLACK_WEBHOOK_PARAMETER) {
      const ssm = await awsClient("ssm", aws);
      const m = await sdk.ssm();
      const d = await ssm.send(
        new m.DescribeParametersCommand({
          ParameterFilters: [
            { Key: "Name", Option: "Equals", Values: [ssmParameterName(env.SLACK_WEBHOOK_PARAMETER)] },
          ],
        }),
      );
      return (d.Parameters?.length ?? 0) > 0;
    }
  } catch {
    /* could not confirm: doctor warns */
  }
  return undefined;
}

/** The ECS services ("cluster/service") and roles the live versions of the config's schedules use. */
function scheduleTargets(
  cfg: Config,
  live: LiveState,
): { services: Map<string, { cluster: string; service: string }>; roles: Set<string> } {
  const services = new Map<string, { cluster: string; service: string }>();
  const roles = new Set<string>();
  for (const sc of cfg.schedules) {
    const l = live.schedules.find((x) => x.name === sc.name && x.group === sc.group);
    if (!l) continue;
    const input = (l.input ?? {}) as Record<string, unknown>;
    const cluster = String(input.Cluster ?? input.cluster ?? sc.cluster);
    const service = String(input.Service ?? input.service ?? sc.service);
    services.set(`${cluster}/${service}`, { cluster, service });
    if (l.roleArn) roles.add(l.roleArn);
  }
  return { services, roles };
}

/** Each service's status, "MISSING", or the error that kept it from being read. */
async function ecsServiceStatuses(
  aws: AwsOptions,
  services: Map<string, { cluster: string; service: string }>,
): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  if (!services.size) return out;
  const ecs = await awsClient("ecs", aws);
  const m = await sdk.ecs();
  for (const [key, { cluster, service }] of services) {
    try {
      const d = await ecs.send(new m.DescribeServicesCommand({ cluster, services: [service] }));
      const svc = d.services?.find((x) => x.serviceName === service || x.serviceArn?.endsWith(`/${service}`));
      out[key] = svc?.status ?? "MISSING";
    } catch (err) {
      out[key] =
        isNotFound(err) || (err as { name?: string }).name === "ClusterNotFoundException" ? "MISSING" : errText(err);
    }
  }
  return out;
}

/** "exists", "missing" or the error, for each role in this account (another account's role is not checkable from here). */
async function scheduleRoleStatuses(
  aws: AwsOptions,
  roles: Set<string>,
  account: string,
): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  if (!roles.size) return out;
  const iam = await awsClient("iam", aws);
  const m = await sdk.iam();
  for (const arn of roles) {
    const name = arn.split("/").pop()!;
    if (arn.split(":")[4] !== account) continue;
    try {
      const r = await orMissing(iam.send(new m.GetRoleCommand({ RoleName: name })));
      out[arn] = r ? "exists" : "missing";
    } catch (err) {
      out[arn] = errText(err);
    }
  }
  return out;
}

export async function gatherDoctorState(aws: AwsOptions, cfg: Config): Promise<DoctorState> {
  const identity = await resolveIdentity(aws);
  const live = await readLiveState(aws, cfg, identity, { tolerant: true });
  const state: DoctorState = { config: cfg, identity, live, ecsServices: {}, scheduleRoles: {} };

  try {
    state.trails = await gatherTrails(aws);
  } catch (err) {
    state.trailError = errText(err);
  }
  if (live.rule?.pattern) {
    const verdict = await testLivePattern(aws, cfg, identity, live.rule.pattern);
    if (verdict !== undefined) state.testEventPattern = verdict;
  }
  if (live.dlq?.messages) state.dlqDepth = live.dlq.messages;
  const webhook = await deployedWebhookExists(aws, live.function?.env ?? {});
  if (webhook !== undefined) state.deployedWebhookExists = webhook;

  const { services, roles } = scheduleTargets(cfg, live);
  state.ecsServices = await ecsServiceStatuses(aws, services);
  state.scheduleRoles = await scheduleRoleStatuses(aws, roles, identity.account);
  return state;
}
