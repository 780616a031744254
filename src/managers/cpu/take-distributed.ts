import { CPUSet, ManagerError } from "../../core/index.js";
import type { CPUTopology } from "../../machine/index.js";
import { CPUAccumulator, type SortStrategy } from "./accumulator.js";
import { BalanceSearch } from "./take-combination.js";
import { distributedRemainderStallError, notEnoughCPUsError } from "./take-errors.js";
import { takePackedWithinNUMA } from "./take-numa-local.js";
import { runPacked, takeByTopologyNUMAPacked } from "./take-packed.js";

export { distributedRemainderStallError } from "./take-errors.js";

/** Go integer division of non-negative operands. */
function div(a: number, b: number): number {
  return Math.trunc(a / b);
}

/** The k range of cpu-manager.md §5 step 4 (machine counts from the CPU details, not the header). */
function numaCountRange(acc: CPUAccumulator, groupSize: number): [number, number] {
  const ix = acc.index;
  const numNUMANodes = ix.numa.ids.length;
  let numNUMAsWithFree = 0;
  for (let m = 0; m < numNUMANodes; m++) if (acc.numaFree[m] > 0) numNUMAsWithFree++;
  const groups = div(ix.topo.all.size - 1, groupSize) + 1;
  const groupsPerNUMA = div(groups - 1, numNUMANodes) + 1;
  const groupsNeeded = div(acc.need - 1, groupSize) + 1;
  const minK = div(groupsNeeded - 1, groupsPerNUMA) + 1;
  return [minK, Math.min(groupsNeeded, numNUMAsWithFree)];
}

/**
 * A packed take of `n` CPUs from the free CPUs of NUMA node `numa` (dense index), handed to
 * `acc`. The kubelet ignores errors of these per-node takes; the accounting check catches them.
 */
function takePackedFromNUMA(acc: CPUAccumulator, numa: number, n: number): void {
  if (takePackedWithinNUMA(acc, numa, n)) return;
  const ix = acc.index;
  const inner = CPUAccumulator.blank(ix, n, acc.strategy);
  try {
    const { maskStart, maskWord, maskBits } = ix.numa;
    for (let i = maskStart[numa]; i < maskStart[numa + 1]; i++) {
      inner.free[maskWord[i]] = acc.free[maskWord[i]] & maskBits[i];
    }
    inner.countFree();
    if (inner.isSatisfied() || inner.isFailed() || !runPacked(inner, false)) return;
    acc.takeWords(inner.taken);
  } finally {
    inner.release();
  }
}

/**
 * `takeByTopologyNUMADistributed` (cpu-manager.md §5): spreads `numCPUs` evenly, in groups of
 * `cpuGroupSize`, over the fewest NUMA nodes that can hold it, choosing the combination and the
 * remainder nodes that keep the free CPUs per NUMA node most balanced. Falls back to the packed
 * take when the request is not a multiple of the group size or no combination qualifies.
 */
export function takeByTopologyNUMADistributed(
  topo: CPUTopology,
  available: CPUSet,
  numCPUs: number,
  cpuGroupSize: number,
  strategy: SortStrategy,
): CPUSet {
  if (!Number.isInteger(cpuGroupSize) || cpuGroupSize < 1) {
    throw new ManagerError(`invalid cpuGroupSize ${cpuGroupSize}: expected a positive integer`);
  }
  const g = cpuGroupSize;
  if (numCPUs % g !== 0) return takeByTopologyNUMAPacked(topo, available, numCPUs, strategy, false);

  if (numCPUs < 1) return CPUSet.empty;
  const acc = CPUAccumulator.fromSet(topo, available, numCPUs, strategy);
  try {
    if (acc.isFailed()) throw notEnoughCPUsError(numCPUs, available.size);

    const order = acc.numaOrder();
    const search = new BalanceSearch(order.items.slice(0, order.length), acc.numaFree.slice(), acc.need, g);
    const [minK, maxK] = numaCountRange(acc, g);
    for (let k = minK; k <= maxK; k++) {
      const choice = search.choose(k);
      if (!choice) continue;

      const dist = div(div(numCPUs, choice.combo.length), g) * g;
      for (const m of choice.combo) takePackedFromNUMA(acc, m, dist);
      let rem = numCPUs - dist * choice.combo.length;
      while (rem > 0) {
        let progressed = false;
        for (const m of choice.remainder) {
          if (rem === 0) break;
          if (acc.numaFree[m] < g) continue;
          takePackedFromNUMA(acc, m, g);
          rem -= g;
          progressed = true;
        }
        if (!progressed) throw distributedRemainderStallError(rem, g);
      }

      if (acc.need > 0) {
        throw new ManagerError(`accounting error, not enough CPUs allocated, remaining: ${acc.need}`);
      }
      if (acc.need < 0) {
        throw new ManagerError(`accounting error, too many CPUs allocated, remaining: ${acc.need}`);
      }
      return acc.result();
    }

    return takeByTopologyNUMAPacked(topo, available, numCPUs, strategy, false);
  } finally {
    acc.release();
  }
}
