import type { CPUSet } from "../../core/index.js";
import type { CPUTopology } from "../../machine/index.js";
import { type BitMask, iterateBitMasks, maskBits, maskCount, type TopologyHint } from "../topology/index.js";

/** Counts `cpus` per NUMA node id. */
function countPerNUMA(topology: CPUTopology, cpus: CPUSet): Map<number, number> {
  const out = new Map<number, number>();
  for (const id of cpus.toArray()) {
    const numa = topology.cpu(id).numa;
    out.set(numa, (out.get(numa) ?? 0) + 1);
  }
  return out;
}

function sumOver(mask: BitMask, perNUMA: ReadonlyMap<number, number>): number {
  let n = 0;
  for (const id of maskBits(mask)) n += perNUMA.get(id) ?? 0;
  return n;
}

/**
 * `isHintSocketAligned` (align-by-socket): the hint spans as many sockets as the narrowest
 * satisfying hint needs. Uses the header ratio NumNUMANodes / NumSockets; 0 never aligns.
 */
function isSocketAligned(topology: CPUTopology, mask: BitMask, minAffinitySize: number): boolean {
  const numaPerSocket =
    topology.numSockets === 0 ? 0 : Math.trunc(topology.numNUMANodes / topology.numSockets);
  if (numaPerSocket === 0) return false;
  const minSockets = Math.ceil(minAffinitySize / numaPerSocket);
  return topology.socketsInNUMANodes(maskBits(mask)).length === minSockets;
}

/**
 * `generateCPUTopologyHints` (cpu-manager.md §8) written as the rule reads, mask by mask: one hint
 * per NUMA mask (in `IterateBitMasks` order) that holds the reusable CPUs and enough reusable +
 * available CPUs for the request; the narrowest masks by capacity are preferred. Reusable and
 * available CPUs are counted separately, exactly as the kubelet does, even if they overlap.
 * Kept as the reference the tabulated implementation (hints.ts) is checked and benchmarked against.
 */
export function generateCPUTopologyHintsReference(
  topology: CPUTopology,
  available: CPUSet,
  reusable: CPUSet,
  request: number,
  alignBySocket: boolean,
): TopologyHint[] {
  const numaNodes = topology.numaNodes();
  const capacity = new Map(numaNodes.map((id) => [id, topology.cpusInNUMANode(id).size]));
  const free = countPerNUMA(topology, available);
  const reusableNodes = new Set(countPerNUMA(topology, reusable).keys());
  const reusableCount = reusable.size;

  let minAffinitySize = numaNodes.length;
  const hints: TopologyHint[] = [];
  iterateBitMasks(numaNodes, (mask) => {
    const count = maskCount(mask);
    if (sumOver(mask, capacity) >= request && count < minAffinitySize) minAffinitySize = count;
    for (const id of reusableNodes) {
      if (((mask >> BigInt(id)) & 1n) === 0n) return true;
    }
    if (reusableCount + sumOver(mask, free) >= request) hints.push({ affinity: mask, preferred: false });
    return true;
  });

  for (const h of hints) {
    const mask = h.affinity!;
    if (alignBySocket && isSocketAligned(topology, mask, minAffinitySize)) h.preferred = true;
    else if (maskCount(mask) === minAffinitySize) h.preferred = true;
  }
  return hints;
}
