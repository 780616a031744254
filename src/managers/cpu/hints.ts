import type { CPUSet } from "../../core/index.js";
import type { CPUTopology } from "../../machine/index.js";
import {
  iterationOrder,
  MAX_TABULATED_NODES,
  popcount32,
  subsetSums,
  type TopologyHint,
} from "../topology/index.js";
import { generateCPUTopologyHintsReference } from "./hints.reference.js";
import { type NodeCounts, narrowestByCapacity, nodeCounts, socketAlignment } from "./hints-counts.js";
import { cpuHintSettings } from "./hints-settings.js";

function positionsIn(p: number): number[] {
  const out: number[] = [];
  for (let rest = p; rest !== 0; rest &= rest - 1) out.push(31 - Math.clz32(rest & -rest));
  return out;
}

/** Every mask, in `IterateBitMasks` order, with the available-CPU sums read from one table. */
function tabulatedHints(
  counts: NodeCounts,
  request: number,
  minAffinitySize: number,
  aligned: ((positions: readonly number[]) => boolean) | null,
): TopologyHint[] {
  const n = counts.positions.size;
  const free = subsetSums(counts.free, n);
  const order = iterationOrder(n);
  let reusableMask = 0;
  for (const i of counts.reusableAt) reusableMask |= 1 << i;
  // reusable + free >= request, with small integers on both sides.
  const needFree = request - counts.reusableCount;
  const hints: TopologyHint[] = [];
  for (let k = 0; k < order.length; k++) {
    const p = order[k];
    if ((p & reusableMask) !== reusableMask || free[p] < needFree) continue;
    const preferred = popcount32(p) === minAffinitySize || aligned?.(positionsIn(p)) === true;
    hints.push({ affinity: counts.positions.toMask(p), preferred });
  }
  return hints;
}

/**
 * The single-node hints of the full list, in the same order with the same flags. Under
 * `single-numa-node` the Topology Manager keeps only preferred hints of one node (or none), and
 * an empty list filters exactly like a list of multi-node hints, so the merge and the verdict are
 * those of the full list (topology-manager.md §5).
 */
function singleNodeHints(
  counts: NodeCounts,
  request: number,
  minAffinitySize: number,
  aligned: ((positions: readonly number[]) => boolean) | null,
): TopologyHint[] {
  const hints: TopologyHint[] = [];
  const { reusableAt } = counts;
  for (let i = 0; i < counts.positions.size; i++) {
    if (reusableAt.length > 1 || (reusableAt.length === 1 && reusableAt[0] !== i)) continue;
    if (counts.reusableCount + counts.free[i] < request) continue;
    const preferred = minAffinitySize === 1 || aligned?.([i]) === true;
    hints.push({ affinity: counts.positions.maskAt(i), preferred });
  }
  return hints;
}

/** Whether `single-numa-node` gets only the single-node hints on a machine of `nodes` NUMA nodes. */
export function useSingleNodeHints(nodes: number): boolean {
  return cpuHintSettings.singleNUMAFastPath && nodes > cpuHintSettings.singleNUMAFastPathAboveNodes;
}

/**
 * `generateCPUTopologyHints` (cpu-manager.md §8): one hint per NUMA mask (in `IterateBitMasks`
 * order) that holds the reusable CPUs and enough reusable + available CPUs for the request; the
 * narrowest masks by capacity are preferred. Reusable and available CPUs are counted separately,
 * exactly as the kubelet does, even if they overlap. The list equals the reference's
 * (hints.reference.ts) but costs one table pass; with `singleNUMANodePolicy` (the Topology
 * Manager runs `single-numa-node`) on a machine of many NUMA nodes (hints-settings.ts) only its
 * single-node hints are listed, in O(nodes).
 */
export function generateCPUTopologyHints(
  topology: CPUTopology,
  available: CPUSet,
  reusable: CPUSet,
  request: number,
  alignBySocket: boolean,
  singleNUMANodePolicy = false,
): TopologyHint[] {
  if (cpuHintSettings.enumeration === "reference")
    return generateCPUTopologyHintsReference(topology, available, reusable, request, alignBySocket);
  const counts = nodeCounts(topology, available, reusable);
  const minAffinitySize = narrowestByCapacity(counts.capacityDescending, request);
  const aligned = alignBySocket ? socketAlignment(topology, counts, minAffinitySize) : null;
  if (singleNUMANodePolicy && useSingleNodeHints(counts.positions.size))
    return singleNodeHints(counts, request, minAffinitySize, aligned);
  if (counts.positions.size > MAX_TABULATED_NODES)
    return generateCPUTopologyHintsReference(topology, available, reusable, request, alignBySocket);
  return tabulatedHints(counts, request, minAffinitySize, aligned);
}
