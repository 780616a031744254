import { maskIsSet, type TopologyHint } from "../topology/index.js";
import { NO_NUMA_NODE } from "./state.js";

/** `filterByAffinity`'s three lists: each available device lands in exactly one. */
export interface AffinityGroups {
  /** On a NUMA node of the stored hint. */
  aligned: Set<string>;
  /** On NUMA nodes, none of them in the hint. */
  unaligned: Set<string>;
  /** Without NUMA information (null or []), or everything when alignment does not apply. */
  noAffinity: Set<string>;
}

/**
 * `filterByAffinity` (device-manager.md §5.4). With no topology for the resource or no mask in
 * the hint everything is noAffinity. Upstream files a device under the first of its nodes in the
 * order "in the hint, other nodes, the pseudo node -1", so a device that reports only `-1` itself
 * has no affinity. It also sorts nodes by device count, but hands the lists back as sets, so that
 * sort has no visible effect and is left out.
 */
export function filterByAffinity(
  available: Iterable<string>,
  hint: TopologyHint,
  resourceHasTopology: boolean,
  numaNodesOf: (id: string) => readonly number[] | null,
): AffinityGroups {
  const groups: AffinityGroups = { aligned: new Set(), unaligned: new Set(), noAffinity: new Set() };
  const mask = hint.affinity;
  if (!resourceHasTopology || mask === null) {
    for (const id of available) groups.noAffinity.add(id);
    return groups;
  }
  for (const id of available) {
    const nodes = numaNodesOf(id) ?? [];
    if (nodes.some((n) => maskIsSet(mask, n))) groups.aligned.add(id);
    else if (nodes.some((n) => n !== NO_NUMA_NODE)) groups.unaligned.add(id);
    else groups.noAffinity.add(id);
  }
  return groups;
}
