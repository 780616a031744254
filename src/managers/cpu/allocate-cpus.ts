import { CPUSet, ManagerError, RecentWeakMap } from "../../core/index.js";
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

/** Distinct hinted masks kept per topology and option; a machine sees only a few of them. */
const ALIGNED_POOLS_LIMIT = 64;

/** Per topology, the CPUs a hinted mask aligns to: by NUMA node, and by socket. */
const alignedPools = new RecentWeakMap<CPUTopology, [Map<BitMask, CPUSet>, Map<BitMask, CPUSet>]>();

/** The CPUs of the hinted NUMA nodes, or with `bySocket` of every socket holding one of them. */
function alignedPool(topology: CPUTopology, affinity: BitMask, bySocket: boolean): CPUSet {
  let pools = alignedPools.get(topology);
  if (!pools) alignedPools.set(topology, (pools = [new Map(), new Map()]));
  const pool = pools[bySocket ? 1 : 0];
  let cpus = pool.get(affinity);
  if (cpus) return cpus;
  const numa = maskBits(affinity);
  cpus = bySocket
    ? topology.cpusInSockets(topology.socketsInNUMANodes(numa))
    : topology.cpusInNUMANodes(numa);
  if (pool.size >= ALIGNED_POOLS_LIMIT) pool.clear();
  pool.set(affinity, cpus);
  return cpus;
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
  return allocatable.intersect(alignedPool(topology, affinity, options.alignBySocket));
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
  const remaining = numCPUs - result.size;
  // A take of nothing never reads what is on offer: the difference is built only when needed.
  const offered = remaining === 0 ? allocatable : allocatable.difference(result);
  const rest = takeByPolicy(topology, options, offered, remaining);
  return result.union(rest);
}
