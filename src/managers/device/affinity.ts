import { maskIsSet, type TopologyHint } from "../topology/index.js";

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
 * the hint everything is noAffinity. Upstream also sorts NUMA nodes by device count to order the
 * lists, but hands them back as sets, so the sort has no visible effect and is left out.
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
    const nodes = numaNodesOf(id);
    if (nodes === null || nodes.length === 0) groups.noAffinity.add(id);
    else if (nodes.some((n) => maskIsSet(mask, n))) groups.aligned.add(id);
    else groups.unaligned.add(id);
  }
  return groups;
}
