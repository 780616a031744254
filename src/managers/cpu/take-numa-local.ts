import type { CPUAccumulator } from "./accumulator.js";
import { takeSingles, takeSinglesOfCores, takeWholeCoresOf } from "./take-core-passes.js";

/**
 * The distributed take's per-node packed take (cpu-manager.md §5 step 8: `takeByTopologyNUMAPacked`
 * on the free CPUs of one NUMA node, no uncore alignment, errors ignored), done in place on the
 * outer accumulator: its counts for that node, its socket and its cores are the ones the packed
 * take would build from that node's CPUs alone, so the same steps take the same CPUs.
 *
 * Only for `index.numaLocal` topologies and an integral `n`: then a take that passes the
 * short-supply check always completes, so nothing taken here would have been thrown away.
 * Returns false (and takes nothing) when it does not apply.
 */
export function takePackedWithinNUMA(acc: CPUAccumulator, numa: number, n: number): boolean {
  const ix = acc.index;
  if (!ix.numaLocal || !Number.isInteger(n)) return false;
  if (n < 1 || n > acc.numaFree[numa]) return true; // satisfied at once, or short supply: nothing
  let need = n;
  // Whole node and whole socket, in the accumulator's orientation. The node's socket holds
  // exactly the node's free CPUs here, so "whole socket" compares them with the header's CPUs per
  // socket; either way the step takes every free CPU of the node.
  for (let step = 0; step < 2; step++) {
    const socketStep = ix.numaFirst === (step === 1);
    const free = acc.numaFree[numa];
    const whole = socketStep
      ? ix.topo.cpusPerSocket >= 1 && free === ix.topo.cpusPerSocket
      : free > 0 && free === ix.numa.total[numa];
    if (whole && need >= free) {
      need -= free;
      acc.takeElement(ix.numa, numa);
    }
    if (need < 1) return true;
  }

  const rel = ix.coresInNUMA;
  const perCore = ix.topo.cpusPerCore;
  if (acc.strategy !== "spread" && perCore >= 1 && need >= perCore) {
    need = takeWholeCoresOf(acc, rel, numa, perCore, need);
    if (need < 1) return true;
  }
  // Single CPUs: core by core, or with "spread" the socket's (here the node's own) in id order.
  if (acc.strategy === "spread") takeSingles(acc, ix.numa, numa, need);
  else takeSinglesOfCores(acc, rel, numa, need);
  return true;
}
