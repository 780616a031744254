import { CPUSet, ManagerError } from "../../core/index.js";
import type { CPUTopology } from "../../machine/index.js";
import { CPUAccumulator, type Order, type SortStrategy } from "./accumulator.js";
import { takeSinglesOfCores, takeWholeCoresOf } from "./take-core-passes.js";
import { notEnoughCPUsError } from "./take-errors.js";
import { type ElementTable, lowestBit, popcount32 } from "./take-index.js";

/**
 * Takes each listed element whole while the need is at least its size; elements that do not fit
 * are skipped, not a reason to stop (cpu-manager.md §10 rule 3). "Whole" is judged when the listing
 * is made (free count = `size[e]`, or `headerSize` when `size` is null); elements of one table are
 * disjoint, so only an element listed twice changes before it is reached, and taking it again adds
 * nothing, as in the kubelet.
 */
function takeWhole(
  acc: CPUAccumulator,
  table: ElementTable,
  order: Order,
  free: Int32Array,
  size: Int32Array | null,
  headerSize: number,
): void {
  const items = order.items;
  for (let i = 0; i < order.length; i++) {
    const e = items[i];
    const n = free[e];
    if (n !== (size === null ? headerSize : size[e])) continue;
    if (!(acc.need >= n)) continue;
    acc.takeElement(table, e);
  }
}

// Each step first checks whether any whole element could fit the need at all; the listing itself
// has no effect, so skipping it changes nothing. Comparisons are written as the kubelet's
// "need at least n", which a NaN need never passes.

function takeFullNUMANodes(acc: CPUAccumulator): void {
  const table = acc.index.numa;
  if (!(acc.need >= Math.max(1, table.minTotal))) return;
  takeWhole(acc, table, acc.numaOrder(), acc.numaFree, table.total, 0);
}

function takeFullSockets(acc: CPUAccumulator): void {
  const perSocket = acc.index.topo.cpusPerSocket;
  if (perSocket < 1 || !(acc.need >= perSocket)) return;
  takeWhole(acc, acc.index.socket, acc.socketOrder(), acc.socketFree, null, perSocket);
}

function takeFullCores(acc: CPUAccumulator): void {
  const perCore = acc.index.topo.cpusPerCore;
  if (perCore < 1 || !(acc.need >= perCore)) return;
  if (!acc.coreSegmentsIndependent()) {
    takeWhole(acc, acc.index.core, acc.coreOrder(), acc.coreFree, null, perCore);
    return;
  }
  // Listed parent by parent (see takeRemainingByParent); every whole core has `perCore` CPUs,
  // so once the need is below that, the rest of the listing takes nothing.
  const parents = acc.coreParentOrder();
  const rel = acc.coreRelation();
  for (let p = 0; p < parents.length; p++) {
    if (!(takeWholeCoresOf(acc, rel, parents.items[p], perCore, acc.need) >= perCore)) return;
  }
}

function takeFullUncoreCaches(acc: CPUAccumulator): void {
  const table = acc.index.uncore;
  if (!(acc.need >= Math.max(1, table.minTotal))) return;
  takeWhole(acc, table, acc.uncoreOrder(), acc.uncoreFree, table.total, 0);
}

/**
 * Claims CPUs of uncore `uncore` only when the lowest cores of it hold exactly the need; an odd
 * need on an SMT machine leaves the highest thread of the last core. `words` is zeroed scratch.
 */
function takePartialUncore(acc: CPUAccumulator, uncore: number, scratch: UncoreScratch): void {
  const ix = acc.index;
  const core = ix.core;
  // A header without a core count would divide by zero in the kubelet; treat it as one CPU per core.
  const perCore = Math.max(1, ix.topo.cpusPerCore);
  const coresNeeded = Math.ceil(acc.need / perCore);
  const rel = ix.coresInUncore;
  if (rel.nested && rel.pairsOfParent[uncore].length <= coresNeeded) {
    // Every core of the cache is used and lies within it: their free CPUs are the cache's own.
    const count = acc.uncoreFree[uncore];
    const drop = acc.need % 2 !== 0 && ix.topo.cpusPerCore > 1 && count > acc.need;
    if ((drop ? count - 1 : count) !== acc.need) return;
  }
  const cores = scratch.cores;
  const found = acc.coresNeededInUncoreCache(coresNeeded, uncore, cores);
  // Counted first: most caches do not match the need, and then nothing needs listing.
  let count = 0;
  for (let i = 0; i < found; i++) count += acc.coreFree[cores[i]];
  const dropHighest = acc.need % 2 !== 0 && ix.topo.cpusPerCore > 1 && count > acc.need;
  if ((dropHighest ? count - 1 : count) !== acc.need) return;
  const words = scratch.words;
  let top = -1;
  for (let i = 0; i < found; i++) {
    const c = cores[i];
    for (let m = core.maskStart[c]; m < core.maskStart[c + 1]; m++) {
      const w = core.maskWord[m];
      const bits = acc.free[w] & core.maskBits[m];
      if (bits === 0) continue;
      words[w] |= bits;
      if (w > top) top = w;
    }
  }
  if (dropHighest) words[top] &= ~(1 << (31 - Math.clz32(words[top])));
  for (let w = 0; w <= top; w++) {
    if (words[w] !== 0) acc.takeBits(w, words[w], popcount32(words[w]));
    words[w] = 0;
  }
}

interface UncoreScratch {
  cores: Int32Array;
  /** All zero between uses. */
  words: Uint32Array;
}

let sharedUncoreScratch: UncoreScratch = { cores: new Int32Array(256), words: new Uint32Array(16) };

/** Scratch for the partial-uncore step: takes do not nest inside it, so one set is enough. */
function uncoreScratch(cores: number, words: number): UncoreScratch {
  const s = sharedUncoreScratch;
  if (s.cores.length < cores || s.words.length < words) {
    sharedUncoreScratch = {
      cores: new Int32Array(Math.max(cores, s.cores.length)),
      words: new Uint32Array(Math.max(words, s.words.length)),
    };
  }
  return sharedUncoreScratch;
}

function takeUncoreCaches(acc: CPUAccumulator): void {
  const perUncore = acc.index.topo.cpusPerUncore;
  // The listing is made once; the whole-cache step below re-lists into the same buffer.
  const order = acc.uncoreOrder();
  const list = order.items.slice(0, order.length);
  const scratch = uncoreScratch(acc.index.core.ids.length, acc.index.wordCount);
  // The whole-cache step depends only on the free CPUs and the need: once it took nothing,
  // repeating it before anything changes takes nothing again.
  let idleAt = -1;
  let idleNeed = 0;
  for (let i = 0; i < list.length; i++) {
    if (acc.need >= perUncore && !(acc.version === idleAt && acc.need === idleNeed)) {
      const before = acc.version;
      takeFullUncoreCaches(acc);
      if (acc.version === before) {
        idleAt = before;
        idleNeed = acc.need;
      }
    }
    if (acc.isSatisfied()) return;
    takePartialUncore(acc, list[i], scratch);
    if (acc.isSatisfied()) return;
  }
}

/**
 * Single CPUs in the order of the listing made when the step starts: per core (per socket with
 * "spread"), each element's CPUs free at that moment, ascending.
 */
function takeRemainingCPUs(acc: CPUAccumulator): void {
  if (acc.strategy === "packed" && acc.coreSegmentsIndependent()) takeRemainingByParent(acc);
  else takeRemainingFromListing(acc);
}

/**
 * The same CPUs in the same order as `takeRemainingFromListing`, listing the cores of one parent
 * only when the walk reaches it: a small request sorts the cores of one NUMA node, not all.
 */
function takeRemainingByParent(acc: CPUAccumulator): void {
  const parents = acc.coreParentOrder();
  const rel = acc.coreRelation();
  for (let p = 0; p < parents.length; p++) {
    if (takeSinglesOfCores(acc, rel, parents.items[p], acc.need) < 1) return;
  }
}

function takeRemainingFromListing(acc: CPUAccumulator): void {
  const ix = acc.index;
  const spread = acc.strategy === "spread";
  const table = spread ? ix.socket : ix.core;
  const order = spread ? acc.socketOrder() : acc.coreOrder();
  const snapshot = acc.free.slice();
  const { maskStart, maskWord, maskBits } = table;
  for (let i = 0; i < order.length; i++) {
    const e = order.items[i];
    for (let m = maskStart[e]; m < maskStart[e + 1]; m++) {
      const w = maskWord[m];
      let bits = snapshot[w] & maskBits[m];
      while (bits !== 0) {
        acc.takeBits(w, 1 << lowestBit(bits), 1);
        if (acc.isSatisfied()) return;
        bits &= bits - 1;
      }
    }
  }
}

/**
 * The steps of `takeByTopologyNUMAPacked` after its checks; true when the need is met. Shared
 * with the distributed take, which runs it per NUMA node.
 */
export function runPacked(acc: CPUAccumulator, preferAlignByUncoreCache: boolean): boolean {
  if (acc.index.numaFirst) takeFullNUMANodes(acc);
  else takeFullSockets(acc);
  if (acc.isSatisfied()) return true;

  if (acc.index.numaFirst) takeFullSockets(acc);
  else takeFullNUMANodes(acc);
  if (acc.isSatisfied()) return true;

  if (preferAlignByUncoreCache) {
    takeUncoreCaches(acc);
    if (acc.isSatisfied()) return true;
  }

  if (acc.strategy !== "spread") {
    takeFullCores(acc);
    if (acc.isSatisfied()) return true;
  }

  takeRemainingCPUs(acc);
  return acc.isSatisfied();
}

/**
 * `takeByTopologyNUMAPacked` (cpu-manager.md §4): whole first-level then second-level elements
 * (NUMA nodes and sockets in the accumulator's orientation), optionally whole and partial uncore
 * caches, whole cores (not with "spread"), then single CPUs. Throws `ManagerError` with the
 * kubelet's text when fewer than `numCPUs` CPUs are available.
 */
export function takeByTopologyNUMAPacked(
  topo: CPUTopology,
  available: CPUSet,
  numCPUs: number,
  strategy: SortStrategy,
  preferAlignByUncoreCache: boolean,
): CPUSet {
  // Nothing to take: the accumulator would be satisfied before looking at the machine.
  if (numCPUs < 1) return CPUSet.empty;
  const acc = CPUAccumulator.fromSet(topo, available, numCPUs, strategy);
  try {
    if (acc.isFailed()) throw notEnoughCPUsError(numCPUs, available.size);
    if (runPacked(acc, preferAlignByUncoreCache)) return acc.result();
    throw new ManagerError("failed to allocate cpus");
  } finally {
    acc.release();
  }
}
