import type { CPUSet } from "../../core/index.js";
import type { CPUTopology } from "../../machine/index.js";
import { type NodePositions, positionsOf } from "../topology/index.js";

/*
 * What `generateCPUTopologyHints` (cpu-manager.md §8) counts per NUMA node, shared by the listed
 * hints (hints.ts) and the hint family (hints-family.ts).
 */

/** Per NUMA position (ids ascending): what `generateCPUTopologyHints` counts. */
export interface NodeCounts {
  positions: NodePositions;
  /** Every CPU of the node in the topology. */
  capacity: number[];
  /** Available CPUs in the node. */
  free: number[];
  /** Positions holding a reusable CPU, ascending. */
  reusableAt: number[];
  reusableCount: number;
}

export function nodeCounts(topology: CPUTopology, available: CPUSet, reusable: CPUSet): NodeCounts {
  const positions = positionsOf(topology.numaNodes());
  const capacity = positions.ids.map((id) => topology.cpusInNUMANode(id).size);
  let free: number[];
  if (available.isSubsetOf(topology.all)) {
    // Popcounts of word ANDs: cheaper than looking up every available CPU on large machines.
    free = positions.ids.map((id) => available.intersectionSize(topology.cpusInNUMANode(id)));
  } else {
    free = new Array<number>(positions.size).fill(0);
    for (const cpu of available.toArray()) free[positions.positionOf(topology.cpu(cpu).numa)]++;
  }
  const reusableAt = new Set<number>();
  for (const cpu of reusable.toArray()) reusableAt.add(positions.positionOf(topology.cpu(cpu).numa));
  return {
    positions,
    capacity,
    free,
    reusableAt: [...reusableAt].sort((a, b) => a - b),
    reusableCount: reusable.size,
  };
}

/**
 * The final `minAffinitySize`: the fewest nodes whose total CPUs cover the request, i.e. the
 * shortest prefix of the capacities in descending order; the node count when no proper subset
 * does (the kubelet starts from it and only lowers it).
 */
export function narrowestByCapacity(capacity: readonly number[], request: number): number {
  const sorted = [...capacity].sort((a, b) => b - a);
  let sum = 0;
  for (let k = 1; k < sorted.length; k++) {
    sum += sorted[k - 1];
    if (sum >= request) return k;
  }
  return sorted.length;
}

/**
 * `isHintSocketAligned` for position lists: the hint spans as many sockets as the narrowest
 * satisfying hint needs (header ratio NumNUMANodes / NumSockets; 0 never aligns). Null when no
 * hint can be aligned.
 */
export function socketAlignment(
  topology: CPUTopology,
  counts: NodeCounts,
  minAffinitySize: number,
): ((positions: readonly number[]) => boolean) | null {
  const minSockets = alignedSocketCount(topology, minAffinitySize);
  if (minSockets === null) return null;
  const ids = counts.positions.ids;
  return (positions) => topology.socketsInNUMANodes(positions.map((i) => ids[i])).length === minSockets;
}

/** How many sockets an aligned hint spans, or null when none aligns (a header ratio of 0). */
export function alignedSocketCount(topology: CPUTopology, minAffinitySize: number): number | null {
  const numaPerSocket =
    topology.numSockets === 0 ? 0 : Math.trunc(topology.numNUMANodes / topology.numSockets);
  if (numaPerSocket === 0) return null;
  return Math.ceil(minAffinitySize / numaPerSocket);
}
