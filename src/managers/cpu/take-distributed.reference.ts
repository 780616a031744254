import { CPUSet, ManagerError } from "../../core/index.js";
import type { CPUTopology } from "../../machine/index.js";
import { ReferenceCPUAccumulator, type SortStrategy } from "./accumulator.reference.js";
import { balanceScore, forEachCombination } from "./take-balance.js";
import { distributedRemainderStallError, notEnoughCPUsError } from "./take-errors.js";
import { takeByTopologyNUMAPackedReference as takeByTopologyNUMAPacked } from "./take-packed.reference.js";

/** Go integer division of non-negative operands. */
function div(a: number, b: number): number {
  return Math.trunc(a / b);
}

/** The k range of cpu-manager.md §5 step 4 (machine counts from the CPU details, not the header). */
function numaCountRange(acc: ReferenceCPUAccumulator, groupSize: number): [number, number] {
  const ix = acc.index;
  const numNUMANodes = ix.numa.ids.length;
  let numNUMAsWithFree = 0;
  for (let m = 0; m < numNUMANodes; m++) if (acc.freeInNUMANode(m) > 0) numNUMAsWithFree++;
  const groups = div(ix.topo.all.size - 1, groupSize) + 1;
  const groupsPerNUMA = div(groups - 1, numNUMANodes) + 1;
  const groupsNeeded = div(acc.need - 1, groupSize) + 1;
  const minK = div(groupsNeeded - 1, groupsPerNUMA) + 1;
  return [minK, Math.min(groupsNeeded, numNUMAsWithFree)];
}

/** The kubelet ignores errors of the per-node packed takes; the accounting check catches them. */
function packedOrEmpty(topo: CPUTopology, available: CPUSet, n: number, strategy: SortStrategy): CPUSet {
  try {
    return takeByTopologyNUMAPacked(topo, available, n, strategy, false);
  } catch (err) {
    if (err instanceof ManagerError) return CPUSet.empty;
    throw err;
  }
}

interface Choice {
  combo: number[];
  remainder: number[];
}

/**
 * Chooses, among the k-combinations of `numas`, the one whose even split plus remainder leaves the
 * free counts most balanced; null when no combination qualifies. NUMA nodes are dense indices.
 */
function chooseCombination(
  acc: ReferenceCPUAccumulator,
  numas: readonly number[],
  k: number,
  g: number,
): Choice | null {
  const n = acc.need;
  const numaCount = acc.index.numa.ids.length;
  // Balance is measured over every NUMA node with free CPUs, ascending by id.
  const scored = [...new Set(numas)].sort((a, b) => a - b);
  const score = (after: Int32Array) => balanceScore(scored.map((m) => after[m]));
  let bestBalance = Number.POSITIVE_INFINITY;
  let best: Choice | null = null;

  forEachCombination(numas, k, (combo) => {
    if (bestBalance === 0) return false;
    let comboFree = 0;
    for (const m of new Set(combo)) comboFree += acc.freeInNUMANode(m);
    if (comboFree < n) return true;
    let groups = 0;
    for (const m of combo) groups += div(acc.freeInNUMANode(m), g);
    if (groups * g < n) return true;
    const dist = div(div(n, combo.length), g) * g;
    for (const m of combo) if (acc.freeInNUMANode(m) < dist) return true;

    const after = new Int32Array(numaCount);
    for (const m of numas) after[m] = acc.freeInNUMANode(m);
    for (const m of combo) after[m] -= dist;
    const rem = n - dist * combo.length;
    const candidates = combo.filter((m) => after[m] >= g);

    let localBalance = Number.POSITIVE_INFINITY;
    let localRemainder: number[] = [];
    if (rem === 0) localBalance = score(after);
    for (let j = candidates.length; rem > 0 && j >= 1; j--) {
      forEachCombination(candidates, j, (subset) => {
        let left = rem;
        const trial = after.slice();
        let subsetFree = 0;
        for (const m of subset) subsetFree += trial[m];
        if (subsetFree < left) return true;
        while (left > 0) {
          let progressed = false;
          for (const m of subset) {
            if (left === 0) break;
            if (trial[m] < g) continue;
            trial[m] -= g;
            left -= g;
            progressed = true;
          }
          if (!progressed) throw distributedRemainderStallError(left, g);
        }
        const balance = score(trial);
        if (balance < localBalance) {
          localBalance = balance;
          localRemainder = subset;
        }
        return true;
      });
    }

    if (localBalance < bestBalance) {
      bestBalance = localBalance;
      best = { combo, remainder: localRemainder };
    }
    return true;
  });
  return best;
}

/**
 * The reference `takeByTopologyNUMADistributed` (cpu-manager.md §5), kept beside the fast one in
 * take-distributed.ts: spreads `numCPUs` evenly, in groups of `cpuGroupSize`, over the fewest
 * NUMA nodes that can hold it, choosing the combination and the remainder nodes that keep the
 * free CPUs per NUMA node most balanced. Falls back to the packed take when the request is not a
 * multiple of the group size or no combination qualifies.
 */
export function takeByTopologyNUMADistributedReference(
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

  const acc = new ReferenceCPUAccumulator(topo, available, numCPUs, strategy);
  if (acc.isSatisfied()) return acc.result();
  if (acc.isFailed()) throw notEnoughCPUsError(numCPUs, available.size);

  const numaTable = acc.index.numa;
  const numas = acc.numaOrder();
  const [minK, maxK] = numaCountRange(acc, g);
  for (let k = minK; k <= maxK; k++) {
    const choice = chooseCombination(acc, numas, k, g);
    if (!choice) continue;

    const dist = div(div(numCPUs, choice.combo.length), g) * g;
    for (const m of choice.combo) {
      const free = CPUSet.fromIds(acc.freeCPUsOf(numaTable, m));
      acc.take(packedOrEmpty(topo, free, dist, strategy).toArray());
    }
    let rem = numCPUs - dist * choice.combo.length;
    while (rem > 0) {
      let progressed = false;
      for (const m of choice.remainder) {
        if (rem === 0) break;
        if (acc.freeInNUMANode(m) < g) continue;
        const free = CPUSet.fromIds(acc.freeCPUsOf(numaTable, m));
        acc.take(packedOrEmpty(topo, free, g, strategy).toArray());
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
}
