// The one managed marker. EventBridge Scheduler schedules carry no tags, so setup (and any export of
// the pipeline: Terraform, CloudFormation) writes the Description in exactly one form, ending in a fixed
// suffix, and `setup apply --prune` / the adopt check recognise ONLY that exact form. A description
// that merely mentions the marker ("unmanaged-by:traildigest", "copied from a managed-by:traildigest
// schedule") is not ours.

/** The marker token (kept as the name other modules already import). */
export const SCHEDULE_MARKER = "managed-by:traildigest";

/** The suffix every managed schedule's Description ends with. */
export const MANAGED_SUFFIX = ` (${SCHEDULE_MARKER})`;

/** The Description setup writes for a schedule scaling `cluster/service` to `desiredCount`. */
export function managedScheduleDescription(cluster: string, service: string, desiredCount: number): string {
  return `scale ${cluster}/${service} to ${desiredCount}${MANAGED_SUFFIX}`;
}

const MANAGED_RE = /^scale \S+\/\S+ to \d+ \(managed-by:traildigest\)$/;

/** True only for a Description in exactly the form managedScheduleDescription writes. */
export function isManagedDescription(description: string | null | undefined): boolean {
  return typeof description === "string" && MANAGED_RE.test(description);
}
