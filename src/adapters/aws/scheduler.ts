// ListSchedules is summary-only (no expression, no Input), so every schedule needs a GetSchedule:
// page through ListSchedules, then GetSchedule with bounded concurrency. Throttling is retried by
// the SDK's adaptive retry mode (clients.ts); the bound keeps a large account from tripping it.
import {
  GetScheduleCommand,
  ListScheduleGroupsCommand,
  ListSchedulesCommand,
  type GetScheduleCommandOutput,
  type ScheduleSummary,
  type SchedulerClient,
} from "@aws-sdk/client-scheduler";
import { mapLimit } from "./concurrency.js";
import { isNotFound } from "./errors.js";

export const DEFAULT_CONCURRENCY = 8;

export interface ListFilter {
  group?: string;
  prefix?: string;
  state?: "ENABLED" | "DISABLED";
}

type Sender = Pick<SchedulerClient, "send">;

export async function listScheduleSummaries(client: Sender, filter: ListFilter = {}): Promise<ScheduleSummary[]> {
  const out: ScheduleSummary[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(
      new ListSchedulesCommand({
        MaxResults: 100,
        GroupName: filter.group,
        NamePrefix: filter.prefix,
        State: filter.state,
        NextToken: token,
      }),
    );
    out.push(...(page.Schedules ?? []));
    token = page.NextToken || undefined;
  } while (token);
  return out;
}

/** Every schedule group's name. */
export async function listScheduleGroups(client: Sender): Promise<string[]> {
  const out: string[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(new ListScheduleGroupsCommand({ NextToken: token }));
    for (const g of page.ScheduleGroups ?? []) if (g.Name) out.push(g.Name);
    token = page.NextToken || undefined;
  } while (token);
  return out;
}

export interface FetchOptions extends ListFilter {
  concurrency?: number;
  onProgress?: (done: number, total: number) => void;
}

/** Every matching schedule in full. A schedule deleted between the list and the get is skipped. */
export async function fetchSchedules(client: Sender, opts: FetchOptions = {}): Promise<GetScheduleCommandOutput[]> {
  const summaries = await listScheduleSummaries(client, opts);
  let done = 0;
  opts.onProgress?.(0, summaries.length);
  const full = await mapLimit(summaries, opts.concurrency ?? DEFAULT_CONCURRENCY, async (s) => {
    try {
      return await client.send(new GetScheduleCommand({ Name: s.Name!, GroupName: s.GroupName }));
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    } finally {
      opts.onProgress?.(++done, summaries.length);
    }
  });
  return full.filter((x): x is GetScheduleCommandOutput => x !== undefined);
}

/**
 * One schedule by name. Without a group, look across groups: exactly one match is returned,
 * several are reported so the caller can ask for --group.
 */
export async function findSchedule(
  client: Sender,
  name: string,
  group?: string,
): Promise<{ schedule?: GetScheduleCommandOutput; groups: string[] }> {
  if (group) {
    try {
      return { schedule: await client.send(new GetScheduleCommand({ Name: name, GroupName: group })), groups: [group] };
    } catch (err) {
      if (isNotFound(err)) return { groups: [] };
      throw err;
    }
  }
  const matches = (await listScheduleSummaries(client, { prefix: name })).filter((s) => s.Name === name);
  const groups = matches.map((s) => s.GroupName ?? "default");
  // A bare name is how `schedules list` prints the default group's schedules: that one wins a tie.
  const pick = matches.length === 1 ? groups[0] : groups.includes("default") ? "default" : undefined;
  if (!pick) return { groups };
  return { schedule: await client.send(new GetScheduleCommand({ Name: name, GroupName: pick })), groups };
}
