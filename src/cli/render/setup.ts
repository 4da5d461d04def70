// The human view of a setup plan: one row per resource that would change (--verbose: every row), then a summary.
import type { Ui } from "../output/output.js";
import { planSummary, type Plan, type PlanItem } from "../../core/setup/plan.js";
import { plural } from "../../core/text/text.js";

/** A table cell for one value: policy documents by their statements, long values cut (JSON has them whole). */
function show(v: unknown, cut = true): string {
  if (v === null || v === undefined) return "—";
  const st = (v as { Statement?: unknown }).Statement;
  const o = v as { Effect?: string; Action?: unknown; Resource?: unknown };
  let s: string;
  if (Array.isArray(st)) {
    s =
      "statements: " +
      st
        .map(
          (x: { Sid?: string; Action?: unknown; Principal?: { Service?: unknown } }) =>
            x.Sid ?? [x.Principal?.Service, x.Action].filter(Boolean).join(" "),
        )
        .join(", ");
  } else if (o.Effect && o.Action) {
    const actions = [o.Action].flat();
    s = `${actions[0]}${actions.length > 1 ? ` +${actions.length - 1}` : ""} on ${[o.Resource].flat().join(",")}`;
  } else {
    s = typeof v === "string" ? v : JSON.stringify(v);
  }
  // Cut in the middle: ARNs differ at both ends (region, account … name).
  return cut && s.length > 72 ? s.slice(0, 34) + "…" + s.slice(-37) : s;
}

/** An update's from/to, cut to a window around where they first differ. */
function fromTo(from: unknown, to: unknown): [string, string] {
  const a = show(from, false);
  const b = show(to, false);
  if (Math.max(a.length, b.length) <= 72) return [a, b];
  let p = 0;
  while (p < a.length && p < b.length && a[p] === b[p]) p++;
  const start = Math.max(0, p - 20);
  const win = (x: string) => (start > 0 ? "…" : "") + x.slice(start, start + 66) + (x.length > start + 66 ? "…" : "");
  return [win(a), win(b)];
}

function changeLines(i: PlanItem): string {
  const lines = i.changes.map((c) => {
    if (i.action === "create") return `${c.field}: ${show(c.to)}`;
    const [from, to] = fromTo(c.from, c.to);
    const line = `${c.field}: ${from} → ${to}`;
    return line.length <= 80 ? line : `${c.field}:\n  - ${from}\n  + ${to}`;
  });
  if (i.note) lines.push(i.note);
  return lines.join("\n");
}

export function renderPlan(plan: Plan, ui: Ui): string {
  const { c } = ui;
  const label = (a: PlanItem["action"]) =>
    a === "create"
      ? c.green("create")
      : a === "update"
        ? c.yellow("update")
        : a === "delete"
          ? c.red("delete")
          : a === "conflict"
            ? c.magenta("conflict")
            : c.dim("no change");
  // Unchanged rows collapse to a count (--verbose lists them; --json always has every row).
  const shown = ui.verbose ? plan.plan : plan.plan.filter((i) => i.action !== "noop");
  const table = shown.length
    ? ui.table({
        head: ["Resource", "Name", "Action", "Changes"],
        wrap: [3],
        align: ["left", "left", "left", "left"],
        rows: shown.map((i) => [i.resource, i.name, label(i.action), changeLines(i)]),
      })
    : "";
  const n = planSummary(plan);
  const hidden = plan.plan.length - shown.length;
  const summary =
    n.create + n.update + n.delete + n.conflict === 0
      ? `No changes: the pipeline matches the config (${plural(n.noop, "resource")} checked).`
      : `Plan: ${n.create} to create, ${n.update} to update${n.delete ? `, ${n.delete} to delete` : ""}, ${n.noop} unchanged${hidden ? " (not listed; --verbose lists them)" : ""}.` +
        (n.conflict
          ? `\n${plural(n.conflict, "conflict")}: schedules traildigest did not create; apply refuses them unless --adopt names them.`
          : "");
  return table ? `${table}\n${summary}` : summary;
}
