import type { PodRefDoc } from "./device-doc.js";
import type { Amount, NodeAllocatableDoc, PredicateDoc, PredicateFailureDoc } from "./predicate-doc.js";
import { renderTable } from "./table.js";
import { formatBytes } from "./units.js";

/** Text for the predicate admit handler: its failures, the allocatable table, the node's allocatable. */

const isBytes = (resource: string): boolean =>
  resource === "memory" || resource === "ephemeral-storage" || resource.startsWith("hugepages-");

/** An amount in the resource's unit: `cpu` in millicores, bytes in binary units, others as counts. */
export function formatAmount(resource: string, v: Amount): string {
  const n = BigInt(v);
  if (resource === "cpu") return `${n}m`;
  if (isBytes(resource)) return formatBytes(n);
  return String(n);
}

function failureText(f: PredicateFailureDoc): string {
  if (f.kind !== "InsufficientResource" || f.resource === null) return `${f.reason}: ${f.message}`;
  const r = f.resource;
  return `${f.reason}: requested ${formatAmount(r, f.requested ?? 0)}, used by other pods ${formatAmount(r, f.used ?? 0)}, allocatable ${formatAmount(r, f.allocatable ?? 0)}`;
}

/** One row per resource the pod asks for or the node lists: allocatable, used, free, requested. */
export function resourceFitTable(p: PredicateDoc): string {
  const rows = p.resources
    .filter(
      (r) =>
        r.resource === "pods" ||
        BigInt(r.requested) !== 0n ||
        BigInt(r.allocatable) !== 0n ||
        BigInt(r.used) !== 0n,
    )
    .map((r) => [
      r.resource,
      formatAmount(r.resource, r.allocatable),
      formatAmount(r.resource, r.used),
      formatAmount(r.resource, r.free),
      formatAmount(r.resource, r.requested),
      !r.checked ? (BigInt(r.requested) === 0n ? "-" : "not checked") : r.fits ? "yes" : "NO",
    ]);
  return renderTable(["RESOURCE", "ALLOCATABLE", "USED BY OTHER PODS", "FREE", "REQUESTED", "FITS"], rows);
}

/** Plain-language lines about a predicate decision (every failure, what was dropped or skipped). */
export function predicateDetailLines(p: PredicateDoc, preempted: readonly PodRefDoc[] = []): string[] {
  const lines: string[] = [];
  if (!p.admitted && p.failures.length > 0) {
    lines.push(
      p.failures.length === 1 ? "failure:" : `failures (${p.failures.length}, the first is reported):`,
    );
    for (const f of p.failures) lines.push(`  - ${failureText(f)}`);
  }
  if (p.ignoredFailures.length > 0)
    lines.push(
      `a critical pod is not refused for resources when another check fails; set aside: ${p.ignoredFailures.map(failureText).join("; ")}`,
    );
  if (preempted.length > 0)
    lines.push(
      `critical pod: admitted after evicting ${preempted.map((x) => `${x.namespace}/${x.name}`).join(", ")} (phase Failed, reason Preempting); a real kubelet may pick other pods among equal ones`,
    );
  if (p.rejectedAt === "preemption")
    lines.push("critical pod: no set of pods it may evict frees enough of every short resource");
  if (p.droppedExtendedResources.length > 0)
    lines.push(
      `not checked: ${p.droppedExtendedResources.join(", ")} (the node does not list ${p.droppedExtendedResources.length === 1 ? "it" : "them"}; the kubelet drops such requests)`,
    );
  if (p.raisedByDevices.length > 0)
    lines.push(
      `allocatable raised to the devices in use for ${p.raisedByDevices.join(", ")} (the Device Manager already holds devices for this pod)`,
    );
  const disk = p.resources.find((r) => r.resource === "ephemeral-storage");
  if (!p.ephemeralStorageChecked && disk && BigInt(disk.requested) > 0n)
    lines.push(
      "ephemeral-storage not checked: the machine description gives no root filesystem size, so the node lists no ephemeral storage",
    );
  return lines;
}

/** The reminder every predicate rejection needs: nothing the resource managers allocated is undone. */
export const PREDICATE_LEFTOVER_NOTE =
  "the predicate handler runs after the resource managers: what they allocated for this pod (exclusive CPUs, memory, devices) stays held until the next admission's stale-state cleanup and device purge; a removal in between does not reclaim it";

/** `node allocatable`: capacity, allocatable and what the admitted pods request, per resource. */
export function nodeAllocatableTable(n: NodeAllocatableDoc): string {
  const names = [...new Set([...Object.keys(n.allocatable), ...Object.keys(n.requested)])]
    .filter((r) => r !== "pods")
    .sort();
  const rows = [
    ["pods", String(n.capacity.pods ?? 0), String(n.allocatable.pods ?? 0), String(n.pods)],
    ...names.map((r) => [
      r,
      formatAmount(r, n.capacity[r] ?? 0),
      formatAmount(r, n.allocatable[r] ?? 0),
      formatAmount(r, n.requested[r] ?? 0),
    ]),
  ];
  return renderTable(["RESOURCE", "CAPACITY", "ALLOCATABLE", "REQUESTED BY ADMITTED PODS"], rows);
}
