import { type CPUSet, ManagerError } from "../../core/index.js";
import type { CPUTopology } from "../../machine/index.js";
import { ReferenceCPUAccumulator, type SortStrategy } from "./accumulator.reference.js";
import { notEnoughCPUsError } from "./take-errors.js";
import type { ElementTable } from "./take-index.js";

/**
 * Takes each listed element whole while the need is at least its size; elements that do not fit
 * are skipped, not a reason to stop (cpu-manager.md §10 rule 3). Like the kubelet, an element's
 * CPUs are read from the CPUs still on offer when it is reached: a listing computed before earlier
 * takes may name an element twice (an uncore cache spanning two NUMA nodes) or one already taken,
 * and taking it again must add nothing.
 */
function takeWhole(acc: ReferenceCPUAccumulator, table: ElementTable, elements: readonly number[]): void {
  for (const e of elements) {
    const cpus = acc.freeOf(table.cpus[e]);
    if (!acc.needsAtLeast(cpus.length)) continue;
    acc.take(cpus);
  }
}

function takeFullNUMANodes(acc: ReferenceCPUAccumulator): void {
  takeWhole(acc, acc.index.numa, acc.freeNUMANodes());
}

function takeFullSockets(acc: ReferenceCPUAccumulator): void {
  takeWhole(acc, acc.index.socket, acc.freeSockets());
}

function takeFullCores(acc: ReferenceCPUAccumulator): void {
  takeWhole(acc, acc.index.core, acc.freeCores());
}

function takeFullUncoreCaches(acc: ReferenceCPUAccumulator): void {
  takeWhole(acc, acc.index.uncore, acc.freeUncoreCaches());
}

/**
 * Claims CPUs of uncore `uncore` only when the lowest cores of it hold exactly the need; an odd
 * need on an SMT machine leaves the highest thread of the last core.
 */
function takePartialUncore(acc: ReferenceCPUAccumulator, uncore: number): void {
  const ix = acc.index;
  // A header without a core count would divide by zero in the kubelet; treat it as one CPU per core.
  const perCore = Math.max(1, ix.topo.cpusPerCore);
  const coresNeeded = Math.ceil(acc.need / perCore);
  const cores = acc.coresNeededInUncoreCache(coresNeeded, uncore);
  let cpus: number[] = [];
  for (const c of cores) for (const cpu of acc.freeCPUsOf(ix.core, c)) cpus.push(cpu);
  cpus.sort((a, b) => a - b);
  if (acc.need % 2 !== 0 && ix.topo.cpusPerCore > 1 && cpus.length > acc.need) {
    cpus = cpus.slice(0, cpus.length - 1);
  }
  if (cpus.length === acc.need) acc.take(cpus);
}

function takeUncoreCaches(acc: ReferenceCPUAccumulator): void {
  const perUncore = acc.index.topo.cpusPerUncore;
  for (const uncore of acc.uncoreOrder()) {
    if (acc.needsAtLeast(perUncore)) takeFullUncoreCaches(acc);
    if (acc.isSatisfied()) return;
    takePartialUncore(acc, uncore);
    if (acc.isSatisfied()) return;
  }
}

function takeRemainingCPUs(acc: ReferenceCPUAccumulator): void {
  for (const cpu of acc.leftoverCPUOrder()) {
    acc.take([cpu]);
    if (acc.isSatisfied()) return;
  }
}

/**
 * The reference `takeByTopologyNUMAPacked` (cpu-manager.md §4), kept beside the fast one in
 * take-packed.ts and compared with it by take.differential.test.ts: whole first-level then
 * second-level elements (NUMA nodes and sockets in the accumulator's orientation), optionally
 * whole and partial uncore caches, whole cores (not with "spread"), then single CPUs. Throws
 * `ManagerError` with the kubelet's text when fewer than `numCPUs` CPUs are available.
 */
export function takeByTopologyNUMAPackedReference(
  topo: CPUTopology,
  available: CPUSet,
  numCPUs: number,
  strategy: SortStrategy,
  preferAlignByUncoreCache: boolean,
): CPUSet {
  const acc = new ReferenceCPUAccumulator(topo, available, numCPUs, strategy);
  if (acc.isSatisfied()) return acc.result();
  if (acc.isFailed()) throw notEnoughCPUsError(numCPUs, available.size);

  if (acc.index.numaFirst) takeFullNUMANodes(acc);
  else takeFullSockets(acc);
  if (acc.isSatisfied()) return acc.result();

  if (acc.index.numaFirst) takeFullSockets(acc);
  else takeFullNUMANodes(acc);
  if (acc.isSatisfied()) return acc.result();

  if (preferAlignByUncoreCache) {
    takeUncoreCaches(acc);
    if (acc.isSatisfied()) return acc.result();
  }

  if (strategy !== "spread") {
    takeFullCores(acc);
    if (acc.isSatisfied()) return acc.result();
  }

  takeRemainingCPUs(acc);
  if (acc.isSatisfied()) return acc.result();

  throw new ManagerError("failed to allocate cpus");
}
