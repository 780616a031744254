import { CPUSet, ManagerError } from "../../core/index.js";
import type { CPUTopology } from "../../machine/index.js";
import { type BitMask, maskBits } from "../topology/index.js";
import type { StaticPolicyOptions } from "./options.js";
import { takeByTopologyNUMADistributed, takeByTopologyNUMAPacked } from "./take.js";

/**
 * The static policy's `takeByTopology` (cpu-manager.md §6.4 "Policy take dispatch"): the options
 * pick the sorting strategy and the packed or NUMA-distributed algorithm. Throws `ManagerError`.
 */
export function takeByPolicy(
  topology: CPUTopology,
  options: StaticPolicyOptions,
  available: CPUSet,
  numCPUs: number,
): CPUSet {
  const strategy = options.distributeCPUsAcrossCores ? "spread" : "packed";
  try {
    if (options.distributeCPUsAcrossNUMA) {
      const groupSize = options.fullPhysicalCPUsOnly ? topology.cpusPerCore : 1;
      return takeByTopologyNUMADistributed(topology, available, numCPUs, groupSize, strategy);
    }
    return takeByTopologyNUMAPacked(topology, available, numCPUs, strategy, options.preferAlignByUncoreCache);
  } catch (err) {
    if (err instanceof ManagerError) throw err;
    throw new ManagerError((err as Error).message ?? String(err));
  }
}

/**
 * `getAlignedCPUs`: the allocatable CPUs of the hinted NUMA nodes, or with `align-by-socket` of
 * every socket that holds a hinted node.
 */
function alignedCPUs(
  topology: CPUTopology,
  options: StaticPolicyOptions,
  affinity: BitMask,
  allocatable: CPUSet,
): CPUSet {
  const numa = maskBits(affinity);
  if (options.alignBySocket)
    return allocatable.intersect(topology.cpusInSockets(topology.socketsInNUMANodes(numa)));
  return allocatable.intersect(topology.cpusInNUMANodes(numa));
}

/**
 * `allocateCPUs` without the state write (cpu-manager.md §6.4 step 7): as many CPUs as possible
 * from the hinted NUMA nodes, the rest from anywhere in `allocatable`. Throws `ManagerError`; the
 * caller removes the result from the default set.
 */
export function pickCPUs(
  topology: CPUTopology,
  options: StaticPolicyOptions,
  allocatable: CPUSet,
  numCPUs: number,
  affinity: BitMask | null,
): CPUSet {
  let result = CPUSet.empty;
  if (affinity !== null) {
    const aligned = alignedCPUs(topology, options, affinity, allocatable);
    result = takeByPolicy(topology, options, aligned, Math.min(numCPUs, aligned.size));
  }
  const rest = takeByPolicy(topology, options, allocatable.difference(result), numCPUs - result.size);
  return result.union(rest);
}
