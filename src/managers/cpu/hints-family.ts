import type { CPUSet } from "../../core/index.js";
import type { CPUTopology } from "../../machine/index.js";
import { type BitMask, HintFamily, type SocketAlignment } from "../topology/index.js";
import { alignedSocketCount, narrowestByCapacity, nodeCounts } from "./hints-counts.js";

const NO_EXTRAS: readonly BitMask[] = Object.freeze([]);

/**
 * `generateCPUTopologyHints` (cpu-manager.md §8) as a hint family: the listed masks are those that
 * hold every node with a reusable CPU and whose available CPUs plus the reusable count reach the
 * request, an upward-closed family given by the free CPUs per node; preferred are the masks of
 * `minAffinitySize` nodes and, with `align-by-socket`, those spanning the aligned socket count.
 * Listed (family-listing.ts) it is exactly the list `generateCPUTopologyHints` returns.
 */
export function cpuHintFamily(
  topology: CPUTopology,
  available: CPUSet,
  reusable: CPUSet,
  request: number,
  alignBySocket: boolean,
): HintFamily {
  const counts = nodeCounts(topology, available, reusable);
  const { positions } = counts;
  const minAffinitySize = narrowestByCapacity(counts.capacityDescending, request);
  let required = 0n;
  for (const i of counts.reusableAt) required |= positions.maskAt(i);
  return new HintFamily({
    nodes: positions.ids,
    core: {
      allowed: counts.allNodes,
      required,
      minCount: 1,
      constraints: [{ values: counts.free, need: request - counts.reusableCount }],
    },
    extras: NO_EXTRAS,
    preferredCount: minAffinitySize,
    alignment: alignBySocket ? socketAlignmentOf(topology, positions.ids, minAffinitySize) : null,
  });
}

function socketAlignmentOf(
  topology: CPUTopology,
  ids: readonly number[],
  minAffinitySize: number,
): SocketAlignment | null {
  const sockets = alignedSocketCount(topology, minAffinitySize);
  if (sockets === null) return null;
  const index = new Map<number, number>();
  const socketsAt = ids.map((id) =>
    topology.socketsInNUMANodes([id]).map((s) => {
      let i = index.get(s);
      if (i === undefined) index.set(s, (i = index.size));
      return i;
    }),
  );
  return { socketsAt, sockets };
}
