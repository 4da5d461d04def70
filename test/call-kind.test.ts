import { readFileSync } from "node:fs";
import type { KnownBlock } from "@slack/types";
import { describe, expect, it } from "vitest";
import { callKind, callerInfo, filterByKind, parseCallerKinds, parseKinds } from "../src/core/events/call-kind.js";
import { buildDigest } from "../src/core/digest/digest.js";
import { UsageError } from "../src/core/errors.js";
import { matchesPattern } from "../src/core/events/event-pattern.js";
import { normalizeValue, type ApiCallEvent } from "../src/core/events/events.js";
import { rulePattern } from "../src/core/setup/policies.js";
import { describeScope, inScope, parseScope, type RuleScope } from "../src/core/events/rule-scope.js";

// Real-shaped EventBridge events, one per call kind × caller kind (what each is: its `_what`).
export const callKindEvents = (): Record<string, unknown>[] =>
  JSON.parse(readFileSync(new URL("./fixtures/call-kinds.json", import.meta.url), "utf8")) as Record<string, unknown>[];
const events = (): ApiCallEvent[] => normalizeValue(callKindEvents()).events;
const byNo = (n: number): ApiCallEvent => events().find((e) => e.eventId.endsWith(String(n).padStart(12, "0")))!;
const ROLE = "arn:aws:iam::123456789012:role/traildigest-scheduler-role";
const schedules = [
  { name: "dev-api-night", roleArn: ROLE, cluster: "dev", service: "api" },
  { name: "dev-worker-night", roleArn: ROLE, cluster: "dev", service: "worker" },
];

describe("call kind and caller kind of each real-shaped record", () => {
  const want: [number, string, string, string][] = [
    [1, "scale", "scheduler", "schedule dev-api-night"],
    [2, "scale", "scheduler", "schedule dev-worker-night"],
    [3, "scale", "autoscaling", "Application Auto Scaling"],
    [4, "deploy", "role", "github-deploy"],
    [5, "scale+deploy", "deploy-service", "CloudFormation (role cfn-exec-role)"],
    [6, "scale", "person", "alice@example.com (AdministratorAccess, console)"],
    [7, "config", "role", "terraform-apply"],
    [8, "deploy", "person", "bob@example.com (PowerUser, console)"],
    [13, "config", "person", "bob@example.com (PowerUser, console)"],
    [9, "scale", "person", "jdoe"],
    [10, "deploy", "role", "github-deploy"],
    [11, "scale", "role", "ops-script"],
    [12, "config", "role", "ops-script"],
  ];
  for (const [n, kind, callerKind, name] of want) {
    it(`#${n}: ${kind} by ${callerKind} (${name})`, () => {
      const e = byNo(n);
      expect(callKind(e)).toBe(kind);
      expect(callerInfo(e, { schedules })).toEqual({ kind: callerKind, name });
    });
  }

  it("reads what a deploy asked for: family:revision (from an ARN too), forced, other settings", () => {
    expect(byNo(4)).toMatchObject({ taskDefinition: "api:42", forceNewDeployment: true });
    expect(byNo(5).taskDefinition).toBe("billing:7");
    expect(byNo(7).otherChanges).toEqual(["capacityProviderStrategy", "networkConfiguration"]);
    expect(byNo(7).forceNewDeployment).toBeUndefined(); // false is not a redeployment
    expect(byNo(8)).toMatchObject({ taskDefinition: "api:42", otherChanges: ["deploymentConfiguration"] }); // a bare family: the revision ECS chose
    expect(byNo(13).otherChanges).toEqual(["deploymentConfiguration"]);
  });

  it("says when the request named no cluster instead of presenting 'default' as fact", () => {
    expect(byNo(11)).toMatchObject({ cluster: "default", clusterDefaulted: true });
    expect(byNo(12)).toMatchObject({ cluster: "default", clusterDefaulted: true });
    expect(byNo(1).clusterDefaulted).toBeUndefined();
  });

  it("without the config's schedules, a scheduler call is still told apart when the record names the service; else its role is shown", () => {
    expect(callerInfo(byNo(1))).toEqual({
      kind: "scheduler",
      name: "EventBridge Scheduler (role traildigest-scheduler-role)",
    });
    expect(callerInfo(byNo(2))).toEqual({ kind: "role", name: "traildigest-scheduler-role" });
  });

  it("a role shared by two schedules of the same target names neither", () => {
    const twins = [...schedules, { name: "dev-api-weekend", roleArn: ROLE, cluster: "dev", service: "api" }];
    expect(callerInfo(byNo(1), { schedules: twins })).toEqual({
      kind: "scheduler",
      name: "EventBridge Scheduler (role traildigest-scheduler-role)",
    });
  });

  it("filters by --kind (failed = any failed attempt) and --caller-kind", () => {
    const ids = (xs: ApiCallEvent[]) => xs.map((e) => Number(e.eventId.slice(-2)));
    expect(ids(filterByKind(events(), parseKinds("deploy"), undefined))).toEqual([4, 8, 10]);
    expect(ids(filterByKind(events(), parseKinds("failed"), undefined))).toEqual([9, 10, 12]);
    expect(
      ids(filterByKind(events(), parseKinds("scale,scale+deploy"), parseCallerKinds("autoscaling,deploy-service"))),
    ).toEqual([3, 5]);
    expect(ids(filterByKind(events(), undefined, parseCallerKinds("scheduler"), { schedules }))).toEqual([1, 2]);
    expect(() => parseKinds("scaling")).toThrow(UsageError);
    expect(() => parseKinds("scaling")).toThrow(
      /--kind: unknown value "scaling" \(use scale, deploy, scale\+deploy, config, other, failed\)/,
    );
    expect(() => parseCallerKinds(",")).toThrow(/give at least one/);
  });
});

type Section = Extract<KnownBlock, { type: "section" }>;
const texts = (blocks: KnownBlock[]) =>
  blocks.filter((b): b is Section => b.type === "section").map((b) => b.text!.text);
const header = (blocks: KnownBlock[]) => (blocks[0] as Extract<KnownBlock, { type: "header" }>).text.text;

describe("digest of mixed batches", () => {
  it("the issue's batch: one deploy by CI and one auto-scaling call are not a 'scale-up'", () => {
    const m = buildDigest([byNo(4), byNo(3)]).message!;
    expect(header(m.blocks)).toBe("ECS: 1 scaled up, 1 deployed");
    expect(texts(m.blocks)).toEqual([
      "*prod* — 2 services\n• api: deployed api:42 (forced) · by role github-deploy\n• web → 7 (was running 4) · by Application Auto Scaling",
    ]);
  });

  it("every kind and caller kind in one batch: exact headline, lines and callers", () => {
    const m = buildDigest(events(), { classify: { schedules } }).message!;
    expect(header(m.blocks)).toBe(
      "ECS: 2 scaled down, 2 scaled up, 1 scaled, 1 deployed and scaled, 2 deployed, 2 reconfigured, 3 failed · 3 clusters",
    );
    const ctx = m.blocks[1] as Extract<KnownBlock, { type: "context" }>;
    expect(ctx.elements.map((e) => ("text" in e ? e.text : ""))).toContain(
      "2 schedule calls · 1 auto-scaling call · 5 calls by roles · 1 deploy-service call · 4 calls by people",
    );
    expect(texts(m.blocks)).toEqual([
      "*❌ Failed (3)*\n" +
        "• prod / api → 0 — *AccessDeniedException*: User: arn:aws:iam::123456789012:user/jdoe is not authorized to perform: ecs:UpdateService on resource: arn:aws:ecs:ap-northeast-2:123456789012:service/prod/api because no identity-based policy allows the ecs:UpdateService action · by jdoe\n" +
        "• prod / api: deployed api:43 — *ClientException*: TaskDefinition not found. · by role github-deploy\n" +
        "• UpdateService cluster not given (the default cluster) — *InvalidParameterException*: Missing required parameter service · by role ops-script",
      "*cluster not given (the default cluster)* — 1 service\n• legacy → 1 · by role ops-script",
      "*dev* — 2 services, 3 calls\n" +
        "• api → 0 (was running 2) · by schedule dev-api-night\n" +
        "• api: desired 0 → 2 (was running 0) · by alice@example.com (AdministratorAccess, console)\n" +
        "• worker → 0 (was running 3) · by schedule dev-worker-night",
      "*prod* — 4 services, 6 calls\n" +
        "• api: deployed api:42 (forced) · by role github-deploy\n" +
        "• api: deployed api:42; changed deploymentConfiguration · by bob@example.com (PowerUser, console)\n" +
        "• api: changed deploymentConfiguration · by bob@example.com (PowerUser, console)\n" +
        "• billing → 3 (was running 2), deployed billing:7 · by CloudFormation (role cfn-exec-role)\n" +
        "• search: changed capacityProviderStrategy, networkConfiguration · by role terraform-apply\n" +
        "• web → 7 (was running 4) · by Application Auto Scaling",
    ]);
  });

  it("a schedule wave with one failure: '5 scaled down, 1 failed', the caller named once", () => {
    const base = byNo(1);
    const wave = ["a", "b", "c", "d", "e", "f"].map((s, i) => ({
      ...base,
      eventId: `w-${i}`,
      service: s,
      ...(i === 5 ? { errorCode: "ServiceNotFoundException" } : {}),
    }));
    const m = buildDigest(wave).message!;
    expect(header(m.blocks)).toBe("ECS: 5 scaled down, 1 failed");
    expect(JSON.stringify(m.blocks[1])).toContain("by EventBridge Scheduler (role traildigest-scheduler-role)");
  });

  it("a forced redeployment alone, and a deploy by a caller name with mrkdwn in it, escaped", () => {
    const forced = { ...byNo(4), taskDefinition: undefined, eventId: "f" };
    const evil = {
      ...byNo(4),
      eventId: "x",
      caller: { ...byNo(4).caller, role: "<!channel>", name: "<!channel>" },
      taskDefinition: "<@U1>:1",
    };
    const m = buildDigest([forced, evil]).message!;
    expect(header(m.blocks)).toBe("ECS: 2 deployed");
    expect(texts(m.blocks)[0]).toContain("• api: forced redeployment · by role github-deploy");
    expect(texts(m.blocks)[0]).toContain("• api: deployed &lt;@U1&gt;:1 (forced) · by role &lt;!channel&gt;");
  });
});

describe("rule scope: the pattern and the preview agree on every record", () => {
  const scopes: [string, RuleScope, number[]][] = [
    ["all", { calls: "all", autoScaling: true, deploys: true }, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]],
    ["scale", { calls: "scale", autoScaling: true, deploys: true }, [1, 2, 3, 5, 6, 9, 11]],
    [
      "all,no-autoscaling",
      { calls: "all", autoScaling: false, deploys: true },
      [1, 2, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13],
    ],
    ["all,no-deploys", { calls: "all", autoScaling: true, deploys: false }, [1, 2, 3, 5, 6, 7, 9, 11, 12, 13]],
    [
      "all,no-deploys,no-autoscaling",
      { calls: "all", autoScaling: false, deploys: false },
      [1, 2, 5, 6, 7, 9, 11, 12, 13],
    ],
    ["scale,no-autoscaling", { calls: "scale", autoScaling: false, deploys: true }, [1, 2, 5, 6, 9, 11]],
  ];
  for (const [text, scope, ids] of scopes) {
    it(`${text}: ${describeScope(scope)}`, () => {
      expect(parseScope(text)).toEqual(scope);
      const pattern = rulePattern(["UpdateService"], scope);
      const raw = callKindEvents();
      const matched = raw
        .filter((r) => matchesPattern(pattern, r))
        .map((r) => Number(String((r.detail as { eventID: string }).eventID).slice(-2)));
      expect(matched).toEqual(ids);
      const previewed = normalizeValue(raw)
        .events.filter((e) => inScope(e, scope))
        .map((e) => Number(e.eventId.slice(-2)));
      expect(previewed).toEqual(ids);
    });
  }

  it("the default scope keeps the pattern every existing rule already has", () => {
    expect(rulePattern(["UpdateService"])).toEqual({
      source: ["aws.ecs"],
      "detail-type": ["AWS API Call via CloudTrail"],
      detail: { eventSource: ["ecs.amazonaws.com"], eventName: ["UpdateService"] },
    });
  });

  it("scale only is one exists test; no auto scaling is anything-but on the role, with a branch for callers without one", () => {
    expect(rulePattern(["UpdateService"], { calls: "scale", autoScaling: false, deploys: true }).detail).toEqual({
      eventSource: ["ecs.amazonaws.com"],
      eventName: ["UpdateService"],
      requestParameters: { desiredCount: [{ exists: true }] },
      userIdentity: {
        $or: [
          {
            sessionContext: {
              sessionIssuer: { userName: [{ "anything-but": ["AWSServiceRoleForApplicationAutoScaling_ECSService"] }] },
            },
          },
          { sessionContext: { sessionIssuer: { userName: [{ exists: false }] } } },
        ],
      },
    });
  });

  it("refuses an unknown --scope part", () => {
    expect(() => parseScope("scale,autoscaling")).toThrow(/--scope: unknown part "autoscaling"/);
  });
});
