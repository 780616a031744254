import { type CPUSet, RecentWeakMap } from "../../core/index.js";
import type { CPUTopology } from "../../machine/index.js";
import { type BitMask, type NodePositions, positionsOf } from "../topology/index.js";

/*
 * What `generateCPUTopologyHints` (cpu-manager.md §8) counts per NUMA node, shared by the listed
 * hints (hints.ts) and the hint family (hints-family.ts).
 */

/** Per NUMA position (ids ascending): what `generateCPUTopologyHints` counts. */
export interface NodeCounts {
  positions: NodePositions;
  /** How many CPUs each node has in the topology, in descending order (not by position). */
  capacityDescending: readonly number[];
  /** Every position's mask, OR-ed. */
  allNodes: BitMask;
  /** Available CPUs in the node. */
  free: number[];
  /** Positions holding a reusable CPU, ascending. */
  reusableAt: readonly number[];
  reusableCount: number;
}

/** The parts of `NodeCounts` that depend only on the topology. */
interface NUMALayout {
  positions: NodePositions;
  nodeCPUs: readonly CPUSet[];
  capacityDescending: readonly number[];
  allNodes: BitMask;
}

/** Topologies do not change once built, and every admission asks the same questions of them. */
const layouts = new RecentWeakMap<CPUTopology, NUMALayout>();

function numaLayout(topology: CPUTopology): NUMALayout {
  return layouts.get(topology) ?? buildLayout(topology);
}

function buildLayout(topology: CPUTopology): NUMALayout {
  const positions = positionsOf(topology.numaNodes());
  const nodeCPUs = positions.ids.map((id) => topology.cpusInNUMANode(id));
  let allNodes = 0n;
  for (let i = 0; i < positions.size; i++) allNodes |= positions.maskAt(i);
  const layout = {
    positions,
    nodeCPUs,
    capacityDescending: nodeCPUs.map((cpus) => cpus.size).sort((a, b) => b - a),
    allNodes,
  };
  layouts.set(topology, layout);
  return layout;
}

export function nodeCounts(topology: CPUTopology, available: CPUSet, reusable: CPUSet): NodeCounts {
  const { positions, nodeCPUs, capacityDescending, allNodes } = numaLayout(topology);
  const free: number[] = [];
  if (available.isSubsetOf(topology.all)) {
    // Popcounts of word ANDs: cheaper than looking up every available CPU on large machines.
    for (let i = 0; i < positions.size; i++) free.push(available.intersectionSize(nodeCPUs[i]));
  } else {
    for (let i = 0; i < positions.size; i++) free.push(0);
    for (const cpu of available.toArray()) free[positions.positionOf(topology.cpu(cpu).numa)]++;
  }
  return {
    positions,
    capacityDescending,
    allNodes,
    free,
    reusableAt: reusablePositions(topology, positions, reusable),
    reusableCount: reusable.size,
  };
}

const NO_POSITIONS: readonly number[] = Object.freeze([]);

function reusablePositions(
  topology: CPUTopology,
  positions: NodePositions,
  reusable: CPUSet,
): readonly number[] {
  if (reusable.isEmpty()) return NO_POSITIONS;
  const reusableAt = new Set<number>();
  for (const cpu of reusable.toArray()) reusableAt.add(positions.positionOf(topology.cpu(cpu).numa));
  return [...reusableAt].sort((a, b) => a - b);
}

/**
 * The final `minAffinitySize`: the fewest nodes whose total CPUs cover the request, i.e. the
 * shortest prefix of the capacities in descending order (as `capacityDescending` lists them);
 * the node count when no proper subset does (the kubelet starts from it and only lowers it).
 */
export function narrowestByCapacity(capacityDescending: readonly number[], request: number): number {
  let sum = 0;
  for (let k = 1; k < capacityDescending.length; k++) {
    sum += capacityDescending[k - 1];
    if (sum >= request) return k;
  }
  return capacityDescending.length;
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
