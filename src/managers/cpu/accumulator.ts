import { CPUSet, RecentWeakMap } from "../../core/index.js";
import type { CPUTopology } from "../../machine/index.js";
import { sortByCount } from "./take-sort.js";
import {
  type ElementTable,
  lowestBit,
  popcount32,
  type Relation,
  type TopologyIndex,
  topologyIndex,
} from "./take-index.js";

/**
 * How leftover CPUs are ordered: "packed" fills core by core; "spread" (the
 * `distribute-cpus-across-cores` option) walks socket by socket in id order and skips the
 * whole-core step.
 */
export type SortStrategy = "packed" | "spread";

// Takes on one machine follow each other.
const pools = new RecentWeakMap<TopologyIndex, CPUAccumulator[]>();

/** An element ordering (dense indices) and the free-CPU version it was computed at. */
export class Order {
  items: Int32Array;
  length = 0;
  version = -1;
  constructor(capacity: number) {
    this.items = new Int32Array(capacity);
  }
}

/**
 * The kubelet's `cpuAccumulator` (cpu-manager.md §3) on bitset words: the free CPUs still on offer
 * (its `details`), the CPUs taken so far and the count still needed. Decides exactly as
 * `ReferenceCPUAccumulator` (accumulator.reference.ts); the differential test holds them equal.
 *
 * Free counts per NUMA node, socket, core and uncore cache are kept on every take (per pair only
 * for relations whose children straddle parents; per core only once a core is looked at),
 * orderings are counting sorts over elements kept until the next take, and nothing allocates per
 * CPU or per take once the pool holds an accumulator for the topology.
 */
export class CPUAccumulator {
  readonly index: TopologyIndex;
  strategy: SortStrategy;
  /** CPUs still needed; negative once more than requested was taken. */
  need: number;
  readonly free: Uint32Array;
  readonly taken: Uint32Array;
  freeCount = 0;
  readonly numaFree: Int32Array;
  readonly socketFree: Int32Array;
  /**
   * Free CPUs per core, counted on first use (`countCore`): a small take reads the cores of one
   * NUMA node, and the distributed take's outer accumulator none. Valid for core c when
   * `coresCounted` or `coreCountedAt[c] === stamp`; other entries are stale and updates skip them.
   */
  readonly coreFree: Int32Array;
  /** The `stamp` of the take that counted each core: a new take invalidates them all at once. */
  private readonly coreCountedAt: Int32Array;
  private stamp = 0;
  private coresCounted = false;
  readonly uncoreFree: Int32Array;
  /** Per relation of `index.relations`: per-pair free counts, or null when the relation is nested. */
  private readonly pairFree: (Int32Array | null)[];
  /** The non-null entries of `pairFree`, for the per-CPU updates. */
  private readonly pairCounters: { pairOfCPU: Int32Array; counts: Int32Array }[];
  /** Bumped whenever a take removes free CPUs; orders computed at an older version are stale. */
  version = 0;
  private readonly numaOrd: Order;
  private readonly socketOrd: Order;
  private readonly coreOrd: Order;
  private readonly uncoreOrd: Order;

  private constructor(index: TopologyIndex) {
    const ix = index;
    this.index = ix;
    this.strategy = "packed";
    this.need = 0;
    const wc = ix.wordCount;
    this.free = new Uint32Array(wc);
    this.taken = new Uint32Array(wc);
    this.numaFree = new Int32Array(ix.numa.ids.length);
    this.socketFree = new Int32Array(ix.socket.ids.length);
    this.coreFree = new Int32Array(ix.core.ids.length);
    this.coreCountedAt = new Int32Array(ix.core.ids.length);
    this.uncoreFree = new Int32Array(ix.uncore.ids.length);
    // Only the relations of the accumulator's orientation are ever listed (see the orders below).
    const used = ix.numaFirst
      ? [true, false, true, false, true, true]
      : [false, true, false, true, true, true];
    this.pairFree = ix.relations.map((rel, r) =>
      rel.nested || !used[r] ? null : new Int32Array(rel.pairCount),
    );
    this.pairCounters = [];
    for (let r = 0; r < ix.relations.length; r++) {
      const counts = this.pairFree[r];
      if (counts !== null) this.pairCounters.push({ pairOfCPU: ix.relations[r].pairOfCPU, counts });
    }
    this.numaOrd = new Order(ix.numa.ids.length);
    this.socketOrd = new Order(ix.socket.ids.length);
    this.coreOrd = new Order(ix.core.ids.length);
    this.uncoreOrd = new Order(ix.uncore.ids.length);
  }

  /**
   * An accumulator over `available` (ids outside the topology are ignored). Accumulators are
   * pooled per topology, since building their arrays costs more than a small take: hand it back
   * with `release()` once its result is read.
   */
  static fromSet(
    topo: CPUTopology,
    available: CPUSet,
    numCPUs: number,
    strategy: SortStrategy,
  ): CPUAccumulator {
    const acc = CPUAccumulator.blank(topologyIndex(topo), numCPUs, strategy);
    const free = acc.free;
    for (let w = 0; w < free.length; w++) free[w] = available.wordAt(w);
    acc.countFree();
    return acc;
  }

  /** An accumulator with nothing on offer yet: set bits in `free`, then call `countFree()`. */
  static blank(index: TopologyIndex, numCPUs: number, strategy: SortStrategy): CPUAccumulator {
    let pool = pools.get(index);
    if (!pool) pools.set(index, (pool = []));
    const acc = pool.pop() ?? new CPUAccumulator(index);
    acc.strategy = strategy;
    acc.need = numCPUs;
    acc.version = 0;
    acc.numaOrd.version = -1;
    acc.socketOrd.version = -1;
    acc.coreOrd.version = -1;
    acc.uncoreOrd.version = -1;
    // Loops, not `fill`: these are a word or a few, where the builtin's call costs more.
    for (let w = 0; w < acc.free.length; w++) {
      acc.taken[w] = 0;
      acc.free[w] = 0;
    }
    acc.coresCounted = false;
    if (++acc.stamp === 0x7fffffff) {
      acc.coreCountedAt.fill(0);
      acc.stamp = 1;
    }
    return acc;
  }

  /** Returns the accumulator to its topology's pool; it must not be used afterwards. */
  release(): void {
    pools.get(this.index)?.push(this);
  }

  /** Drops ids outside the topology (`details = CPUDetails.KeepOnly(available)`) and counts. */
  countFree(): void {
    const all = this.index.allWords;
    let total = 0;
    for (let w = 0; w < this.free.length; w++) {
      const bits = this.free[w] & all[w];
      this.free[w] = bits;
      total += popcount32(bits);
    }
    this.freeCount = total;
    this.countAll(total);
  }

  /**
   * Initial free counts: per element by masked popcounts when most CPUs are on offer, per CPU when
   * few are (the per-NUMA takes of the distributed algorithm).
   */
  private countAll(total: number): void {
    const ix = this.index;
    const entries = ix.numa.maskWord.length + ix.socket.maskWord.length + ix.uncore.maskWord.length;
    if (total * 4 < entries) {
      this.coresCounted = true;
      this.numaFree.fill(0);
      this.socketFree.fill(0);
      this.coreFree.fill(0);
      this.uncoreFree.fill(0);
      for (const { counts } of this.pairCounters) counts.fill(0);
      for (let w = 0; w < this.free.length; w++) {
        let bits = this.free[w];
        while (bits !== 0) {
          this.count((w << 5) | lowestBit(bits), 1);
          bits &= bits - 1;
        }
      }
      return;
    }
    this.countTable(ix.numa, this.numaFree);
    this.countTable(ix.socket, this.socketFree);
    this.countTable(ix.uncore, this.uncoreFree);
    for (const { pairOfCPU, counts } of this.pairCounters) {
      counts.fill(0);
      for (let w = 0; w < this.free.length; w++) {
        let bits = this.free[w];
        while (bits !== 0) {
          counts[pairOfCPU[(w << 5) | lowestBit(bits)]]++;
          bits &= bits - 1;
        }
      }
    }
  }

  /** Makes `coreFree[core]` valid (a masked popcount of the free words the first time). */
  countCore(core: number): void {
    if (this.coresCounted || this.coreCountedAt[core] === this.stamp) return;
    const { maskStart, maskWord, maskBits } = this.index.core;
    let n = 0;
    for (let i = maskStart[core]; i < maskStart[core + 1]; i++)
      n += popcount32(this.free[maskWord[i]] & maskBits[i]);
    this.coreFree[core] = n;
    this.coreCountedAt[core] = this.stamp;
  }

  private countTable(table: ElementTable, out: Int32Array): void {
    const { maskStart, maskWord, maskBits } = table;
    const free = this.free;
    for (let e = 0; e < out.length; e++) {
      let n = 0;
      for (let i = maskStart[e]; i < maskStart[e + 1]; i++) n += popcount32(free[maskWord[i]] & maskBits[i]);
      out[e] = n;
    }
  }

  private count(cpu: number, delta: number): void {
    const ix = this.index;
    this.numaFree[ix.numa.ofCPU[cpu]] += delta;
    this.socketFree[ix.socket.ofCPU[cpu]] += delta;
    const core = ix.core.ofCPU[cpu];
    if (this.coresCounted || this.coreCountedAt[core] === this.stamp) this.coreFree[core] += delta;
    this.uncoreFree[ix.uncore.ofCPU[cpu]] += delta;
    const pc = this.pairCounters;
    for (let r = 0; r < pc.length; r++) pc[r].counts[pc[r].pairOfCPU[cpu]] += delta;
  }

  // --- state -------------------------------------------------------------------------------

  isSatisfied(): boolean {
    return this.need < 1;
  }

  isFailed(): boolean {
    return this.need > this.freeCount;
  }

  /**
   * Takes the free CPUs among `bits` of word `w`, and like the kubelet lowers the need by
   * `listed`, the size of the set the step handed over (ids it names twice or already took count).
   */
  takeBits(w: number, bits: number, listed: number): void {
    const fresh = bits & this.free[w];
    this.taken[w] |= bits;
    this.need -= listed;
    if (fresh === 0) return;
    this.free[w] &= ~fresh;
    this.freeCount -= popcount32(fresh);
    this.version++;
    let b = fresh;
    while (b !== 0) {
      this.count((w << 5) | lowestBit(b), -1);
      b &= b - 1;
    }
  }

  /** Takes every free CPU of `words` (a bitset over the topology's ids). */
  takeWords(words: ArrayLike<number>): void {
    for (let w = 0; w < words.length; w++) {
      const bits = words[w] & this.free[w];
      if (bits !== 0) this.takeBits(w, bits, popcount32(bits));
    }
  }

  /** Takes the free CPUs of element `e` of `table`. */
  takeElement(table: ElementTable, e: number): void {
    const { maskStart, maskWord, maskBits, within } = table;
    if (within[4 * e] < 0 || this.pairCounters.length > 0) {
      for (let i = maskStart[e]; i < maskStart[e + 1]; i++) {
        const w = maskWord[i];
        const bits = this.free[w] & maskBits[i];
        if (bits !== 0) this.takeBits(w, bits, popcount32(bits));
      }
      return;
    }
    // The element lies in one NUMA node, socket, core and uncore cache: four counts to lower.
    let n = 0;
    for (let i = maskStart[e]; i < maskStart[e + 1]; i++) {
      const w = maskWord[i];
      const bits = this.free[w] & maskBits[i];
      if (bits === 0) continue;
      this.free[w] &= ~bits;
      this.taken[w] |= bits;
      n += popcount32(bits);
    }
    if (n === 0) return;
    this.need -= n;
    this.freeCount -= n;
    this.version++;
    this.numaFree[within[4 * e]] -= n;
    this.socketFree[within[4 * e + 1]] -= n;
    const core = within[4 * e + 2];
    if (this.coresCounted || this.coreCountedAt[core] === this.stamp) this.coreFree[core] -= n;
    this.uncoreFree[within[4 * e + 3]] -= n;
  }

  result(): CPUSet {
    return CPUSet.fromWords(this.taken);
  }

  // --- orderings (cpu-manager.md §3) ---------------------------------------------------------

  /** Elements with free CPUs, ascending free count, ties by id. */
  private withFree(order: Order, free: Int32Array): void {
    const items = order.items;
    let n = 0;
    for (let e = 0; e < free.length; e++) if (free[e] > 0) items[n++] = e;
    sortByCount(items, 0, n, free);
    order.length = n;
  }

  /**
   * For each parent in order, its children with free CPUs inside it sorted by their own free
   * count, concatenated (an element under two parents is listed twice, as in the kubelet).
   */
  private nested(order: Order, parents: Order, relIndex: number, rel: Relation, childFree: Int32Array): void {
    // A parent listed twice lists its children twice: size the buffer for the worst case.
    let capacity = 0;
    for (let i = 0; i < parents.length; i++) capacity += rel.pairsOfParent[parents.items[i]].length;
    if (order.items.length < capacity) order.items = new Int32Array(capacity);
    let n = 0;
    for (let i = 0; i < parents.length; i++) {
      n = this.segment(order.items, n, parents.items[i], relIndex, rel, childFree);
    }
    order.length = n;
  }

  /** Writes the sorted children with free CPUs of `parent` at `items[from]`; returns the new end. */
  private segment(
    items: Int32Array,
    from: number,
    parent: number,
    relIndex: number,
    rel: Relation,
    childFree: Int32Array,
  ): number {
    const counts = this.pairFree[relIndex];
    const pairs = rel.pairsOfParent[parent];
    if (childFree === this.coreFree && !this.coresCounted) {
      const { maskStart, maskWord, maskBits } = this.index.core;
      const countedAt = this.coreCountedAt;
      const stamp = this.stamp;
      const free = this.free;
      for (let j = 0; j < pairs.length; j++) {
        const c = rel.childOfPair[pairs[j]];
        if (countedAt[c] === stamp) continue;
        let k = 0;
        for (let i = maskStart[c]; i < maskStart[c + 1]; i++)
          k += popcount32(free[maskWord[i]] & maskBits[i]);
        childFree[c] = k;
        countedAt[c] = stamp;
      }
    }
    let n = from;
    if (counts === null) {
      for (let j = 0; j < pairs.length; j++) {
        const c = rel.childOfPair[pairs[j]];
        if (childFree[c] > 0) items[n++] = c;
      }
    } else {
      for (let j = 0; j < pairs.length; j++) if (counts[pairs[j]] > 0) items[n++] = rel.childOfPair[pairs[j]];
    }
    sortByCount(items, from, n, childFree);
    return n;
  }

  /**
   * True when the core listing can be produced parent by parent while CPUs are taken: each core
   * lies in one parent and no parent is listed twice, so taking from one parent's cores leaves
   * the counts of every later parent's cores as they were when the listing started.
   */
  coreSegmentsIndependent(): boolean {
    const ix = this.index;
    return ix.numaFirst
      ? ix.socketsInNUMA.nested && ix.coresInSocket.nested
      : ix.numasInSocket.nested && ix.coresInNUMA.nested;
  }

  /** The parents `coreOrder` nests cores under (sockets NUMA-first, else NUMA nodes). */
  coreParentOrder(): Order {
    return this.index.numaFirst ? this.socketOrder() : this.numaOrder();
  }

  /** The relation `coreOrder` nests cores by (cores in sockets NUMA-first, else in NUMA nodes). */
  coreRelation(): Relation {
    return this.index.numaFirst ? this.index.coresInSocket : this.index.coresInNUMA;
  }

  numaOrder(): Order {
    const o = this.numaOrd;
    if (o.version === this.version) return o;
    const ix = this.index;
    if (ix.numaFirst) this.withFree(o, this.numaFree);
    else this.nested(o, this.socketOrder(), 1, ix.numasInSocket, this.numaFree);
    o.version = this.version;
    return o;
  }

  socketOrder(): Order {
    const o = this.socketOrd;
    if (o.version === this.version) return o;
    const ix = this.index;
    if (ix.numaFirst) this.nested(o, this.numaOrder(), 0, ix.socketsInNUMA, this.socketFree);
    else this.withFree(o, this.socketFree);
    o.version = this.version;
    return o;
  }

  coreOrder(): Order {
    const o = this.coreOrd;
    if (o.version === this.version) return o;
    const ix = this.index;
    if (ix.numaFirst) this.nested(o, this.socketOrder(), 2, ix.coresInSocket, this.coreFree);
    else this.nested(o, this.numaOrder(), 3, ix.coresInNUMA, this.coreFree);
    o.version = this.version;
    return o;
  }

  uncoreOrder(): Order {
    const o = this.uncoreOrd;
    if (o.version === this.version) return o;
    this.nested(o, this.numaOrder(), 4, this.index.uncoresInNUMA, this.uncoreFree);
    o.version = this.version;
    return o;
  }

  /**
   * `CoresNeededInUncoreCache(k, u)`: the cores with a free CPU in uncore `u`, all of them when
   * there are at most `k`, else the `k` numerically smallest; written to `out`, count returned.
   */
  coresNeededInUncoreCache(k: number, uncore: number, out: Int32Array): number {
    const rel = this.index.coresInUncore;
    const counts = this.pairFree[5];
    const pairs = rel.pairsOfParent[uncore];
    let found = 0;
    // Pairs are ordered by core index, which is ascending core id.
    for (let j = 0; j < pairs.length; j++) {
      const c = rel.childOfPair[pairs[j]];
      this.countCore(c);
      if ((counts === null ? this.coreFree[c] : counts[pairs[j]]) > 0) out[found++] = c;
    }
    return found <= k ? found : Math.max(0, k);
  }
}
