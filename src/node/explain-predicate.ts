import { containersInOrder, type Pod } from "../k8s/index.js";
import type { Node } from "./node.js";
import type { PredicateDecision } from "./predicate/index.js";
import type { AdmissionResult } from "./types.js";

/**
 * What `explain` says about the predicate admit handler: its decision (or, when the Topology
 * Manager refused first, what it would have decided), and notes on its less obvious rules.
 */

/** The predicate decision of the admission, or the one it would have reached had it run. */
export function predicateView(node: Node, pod: Pod, result: AdmissionResult): PredicateDecision {
  return result.predicate ?? node.predicateFor(pod);
}

/**
 * Admitted pods known only from checkpoint files (`--state`): the files name their containers and
 * what the managers gave them, not their requests, so the predicate counts them as requesting nothing.
 */
function podsWithoutRequests(node: Node): string[] {
  const holders = new Set<string>();
  for (const k of node.cpuPolicy?.containerKeys() ?? []) holders.add(k.podUID);
  for (const uid of node.memoryPolicy?.state.entries.keys() ?? []) holders.add(uid);
  return node
    .admittedPods()
    .filter(
      (p) =>
        holders.has(p.uid) && p.resources === null && containersInOrder(p).every((c) => c.resources === null),
    )
    .map((p) => (p.name ? `${p.namespace}/${p.name}` : p.uid));
}

/** `verbose` adds the note every Topology Manager rejection would repeat. */
export function predicateNotes(
  node: Node,
  result: AdmissionResult,
  p: PredicateDecision,
  verbose = false,
): string[] {
  const notes: string[] = [];
  const unknown = podsWithoutRequests(node);
  if (unknown.length > 0)
    notes.push(
      `${unknown.length === 1 ? "a running pod" : `${unknown.length} running pods`} known only from checkpoint files (${unknown.join(", ")}): checkpoints record what the managers gave a pod, not its requests, so the predicate handler's "used" counts ${unknown.length === 1 ? "it" : "them"} as requesting nothing`,
    );
  if (result.rejectedBy === "predicate" && result.leftoverState)
    notes.push(
      "rejected by the predicate admit handler, which runs after the resource managers: the CPUs, memory and devices they allocated for this pod stay held (nothing is rolled back) until the next admission's stale-state cleanup and device purge; removing another pod in between does not reclaim them",
    );
  if (verbose && result.rejectedBy === "topology")
    notes.push(
      "the Topology Manager refused the pod, so the predicate admit handler (node allocatable, node affinity, host ports, taints) never ran; its table shows what it would have found",
    );
  if (result.preempted.length > 0)
    notes.push(
      "a critical pod is admitted by evicting other pods; among pods of equal requests a real kubelet may evict others than podpin (its choice depends on its pod manager's order)",
    );
  const disk = p.resources.find((r) => r.resourceName === "ephemeral-storage");
  if (!p.ephemeralStorageChecked && disk && disk.requested > 0n)
    notes.push(
      "the pod requests ephemeral-storage, but the machine description gives no root filesystem size: podpin lists no ephemeral storage and skips that check (a real kubelet always checks it)",
    );
  if (p.droppedExtendedResources.length > 0)
    notes.push(
      `the node lists no ${p.droppedExtendedResources.join(", ")}: the kubelet drops those requests before its fit check, so they never refuse the pod here (a scheduler would not have placed it)`,
    );
  return notes;
}
