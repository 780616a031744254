import { CPUSet } from "../../core/index.js";
import type { SortStrategy } from "./accumulator.js";
import type { CPUTopology } from "../../machine/index.js";
import { type ElementTable, type Relation, type TopologyIndex, topologyIndex } from "./take-index.js";

export type { SortStrategy };

/**
 * The reference `cpuAccumulator` (cpu-manager.md §3), kept beside the word-based one in
 * accumulator.ts as the plain statement of the rules: the free CPUs still on offer (its
 * `details`), the CPUs taken so far and the count still needed.
 *
 * Free counts per NUMA node, socket, core, uncore cache and per (parent, child) pair are kept up to
 * date on every take, so each ordering is a sort over elements, never a scan of the machine's
 * CPUs, and is rebuilt whenever the free CPUs changed. Nested orders concatenate per parent, so an
 * element under two parents (an uncore cache spanning NUMA nodes) is listed twice, as in the
 * kubelet. Orderings return dense element indices (see `TopologyIndex`); `ids(table, order)` turns
 * them into real ids.
 */
export class ReferenceCPUAccumulator {
  readonly index: TopologyIndex;
  readonly strategy: SortStrategy;
  /** CPUs still needed; negative once more than requested was taken. */
  need: number;
  private readonly free: Uint8Array;
  private readonly taken: Uint8Array;
  private readonly takenIds: number[] = [];
  private freeTotal = 0;
  private readonly freeInNUMA: Int32Array;
  private readonly freeInSocket: Int32Array;
  private readonly freeInCore: Int32Array;
  private readonly freeInUncore: Int32Array;
  private readonly pairFree = new Map<Relation, Int32Array>();
  /** Bumped whenever a take removes free CPUs; orders computed at an older version are stale. */
  private version = 0;
  private readonly memo = new Map<string, { version: number; order: readonly number[] }>();
  /** The same counts as `pairFree`, as a flat list for the per-CPU update loop. */
  private readonly pairCounters: { pairOfCPU: Int32Array; counts: Int32Array }[] = [];

  constructor(topo: CPUTopology, available: CPUSet, numCPUs: number, strategy: SortStrategy) {
    const ix = topologyIndex(topo);
    this.index = ix;
    this.strategy = strategy;
    this.need = numCPUs;
    this.free = new Uint8Array(ix.idLimit);
    this.taken = new Uint8Array(ix.idLimit);
    this.freeInNUMA = new Int32Array(ix.numa.ids.length);
    this.freeInSocket = new Int32Array(ix.socket.ids.length);
    this.freeInCore = new Int32Array(ix.core.ids.length);
    this.freeInUncore = new Int32Array(ix.uncore.ids.length);
    for (const rel of this.relations()) {
      const counts = new Int32Array(rel.pairCount);
      this.pairFree.set(rel, counts);
      this.pairCounters.push({ pairOfCPU: rel.pairOfCPU, counts });
    }
    // `details = CPUDetails.KeepOnly(available)`: ids outside the topology are ignored.
    for (const cpu of available.toArray()) {
      if (cpu >= ix.idLimit || ix.numa.ofCPU[cpu] < 0) continue;
      this.free[cpu] = 1;
      this.freeTotal++;
      this.count(cpu, 1);
    }
  }

  private relations(): Relation[] {
    const ix = this.index;
    return [
      ix.socketsInNUMA,
      ix.numasInSocket,
      ix.coresInSocket,
      ix.coresInNUMA,
      ix.uncoresInNUMA,
      ix.coresInUncore,
    ];
  }

  private count(cpu: number, delta: number): void {
    const ix = this.index;
    this.freeInNUMA[ix.numa.ofCPU[cpu]] += delta;
    this.freeInSocket[ix.socket.ofCPU[cpu]] += delta;
    this.freeInCore[ix.core.ofCPU[cpu]] += delta;
    this.freeInUncore[ix.uncore.ofCPU[cpu]] += delta;
    for (const { pairOfCPU, counts } of this.pairCounters) counts[pairOfCPU[cpu]] += delta;
  }

  // --- state -------------------------------------------------------------------------------

  isSatisfied(): boolean {
    return this.need < 1;
  }

  isFailed(): boolean {
    return this.need > this.freeTotal;
  }

  needsAtLeast(n: number): boolean {
    return this.need >= n;
  }

  /** Number of free CPUs (the size of the kubelet's `details`). */
  get freeCount(): number {
    return this.freeTotal;
  }

  isFree(cpu: number): boolean {
    return cpu >= 0 && cpu < this.free.length && this.free[cpu] === 1;
  }

  /**
   * Adds `cpus` (a set of ids) to the result and removes them from the free CPUs. Like the
   * kubelet, the need shrinks by the size of the given set, even for ids already taken or not
   * free: whole elements are taken by their full-topology CPU list, and an element listed twice
   * is counted twice.
   */
  /** The CPUs of `cpus` still on offer (the kubelet's `details` restricted to them). */
  freeOf(cpus: readonly number[]): number[] {
    return cpus.filter((cpu) => cpu < this.free.length && this.free[cpu] === 1);
  }

  take(cpus: readonly number[]): void {
    for (const cpu of cpus) {
      if (cpu < this.taken.length) {
        if (this.taken[cpu] === 0) {
          this.taken[cpu] = 1;
          this.takenIds.push(cpu);
        }
        if (this.free[cpu] === 1) {
          this.free[cpu] = 0;
          this.freeTotal--;
          this.count(cpu, -1);
          this.version++;
        }
      } else {
        this.takenIds.push(cpu);
      }
    }
    this.need -= cpus.length;
  }

  result(): CPUSet {
    return CPUSet.fromIds(this.takenIds);
  }

  // --- free counts -------------------------------------------------------------------------

  freeInNUMANode(numa: number): number {
    return this.freeInNUMA[numa];
  }

  /** Free CPU ids of an element, ascending. */
  freeCPUsOf(table: ElementTable, element: number): number[] {
    return table.cpus[element].filter((cpu) => this.free[cpu] === 1);
  }

  // --- orderings (cpu-manager.md §3) ---------------------------------------------------------

  /**
   * Ascending free count, ties by id. Every caller builds `list` in ascending id order, so a
   * stable order by count alone is the kubelet's order: already-sorted lists (the common case
   * of equally free elements) cost one pass and small count ranges use a counting sort.
   */
  private sortByFree(list: number[], free: Int32Array): number[] {
    const n = list.length;
    if (n < 2) return list;
    let sorted = true;
    let min = free[list[0]];
    let max = min;
    for (let i = 1; i < n; i++) {
      const f = free[list[i]];
      if (f < free[list[i - 1]] || (f === free[list[i - 1]] && list[i] < list[i - 1])) sorted = false;
      if (f < min) min = f;
      else if (f > max) max = f;
    }
    if (sorted) return list;
    const range = max - min + 1;
    if (range > 64 || !isAscending(list)) return list.sort((a, b) => free[a] - free[b] || a - b);
    const start = new Int32Array(range + 1);
    for (const e of list) start[free[e] - min + 1]++;
    for (let k = 1; k <= range; k++) start[k] += start[k - 1];
    const out = new Array<number>(n);
    for (const e of list) out[start[free[e] - min]++] = e;
    return out;
  }

  private withFree(free: Int32Array): number[] {
    const out: number[] = [];
    for (let e = 0; e < free.length; e++) if (free[e] > 0) out.push(e);
    return this.sortByFree(out, free);
  }

  /** Children of `parent` that have free CPUs inside it, sorted by their own free count. */
  private childrenWithFree(rel: Relation, parent: number, childFree: Int32Array): number[] {
    const counts = this.pairFree.get(rel)!;
    const out: number[] = [];
    for (const pair of rel.pairsOfParent[parent]) if (counts[pair] > 0) out.push(rel.childOfPair[pair]);
    return this.sortByFree(out, childFree);
  }

  /** For each parent in order, its sorted children, concatenated (an element can repeat). */
  private nested(parents: readonly number[], rel: Relation, childFree: Int32Array): number[] {
    const out: number[] = [];
    for (const p of parents) for (const c of this.childrenWithFree(rel, p, childFree)) out.push(c);
    return out;
  }

  /**
   * Orders depend only on the free counts, so each is kept until the next take frees something:
   * the kubelet re-sorts on every call, which gives the same lists.
   */
  private memoized(key: string, build: () => readonly number[]): readonly number[] {
    const hit = this.memo.get(key);
    if (hit && hit.version === this.version) return hit.order;
    const order = build();
    this.memo.set(key, { version: this.version, order });
    return order;
  }

  numaOrder(): readonly number[] {
    return this.memoized("numa", () => {
      const ix = this.index;
      if (ix.numaFirst) return this.withFree(this.freeInNUMA);
      return this.nested(this.socketOrder(), ix.numasInSocket, this.freeInNUMA);
    });
  }

  socketOrder(): readonly number[] {
    return this.memoized("socket", () => {
      const ix = this.index;
      if (ix.numaFirst) return this.nested(this.numaOrder(), ix.socketsInNUMA, this.freeInSocket);
      return this.withFree(this.freeInSocket);
    });
  }

  coreOrder(): readonly number[] {
    return this.memoized("core", () => {
      const ix = this.index;
      if (ix.numaFirst) return this.nested(this.socketOrder(), ix.coresInSocket, this.freeInCore);
      return this.nested(this.numaOrder(), ix.coresInNUMA, this.freeInCore);
    });
  }

  uncoreOrder(): readonly number[] {
    return this.memoized("uncore", () =>
      this.nested(this.numaOrder(), this.index.uncoresInNUMA, this.freeInUncore),
    );
  }

  /** Free CPUs in the order the last step takes them one by one. */
  leftoverCPUOrder(): number[] {
    const ix = this.index;
    const out: number[] = [];
    if (this.strategy === "spread") {
      for (const s of this.socketOrder()) for (const cpu of this.freeCPUsOf(ix.socket, s)) out.push(cpu);
    } else {
      for (const c of this.coreOrder()) for (const cpu of this.freeCPUsOf(ix.core, c)) out.push(cpu);
    }
    return out;
  }

  // --- completely free elements ----------------------------------------------------------------

  /** NUMA nodes whose free count equals their size in the full topology. */
  freeNUMANodes(): number[] {
    const total = this.index.numa.total;
    return this.numaOrder().filter((m) => this.freeInNUMA[m] === total[m]);
  }

  /** Sockets whose free count equals the header ratio `CPUsPerSocket`. */
  freeSockets(): number[] {
    const perSocket = this.index.topo.cpusPerSocket;
    return this.socketOrder().filter((s) => this.freeInSocket[s] === perSocket);
  }

  /** Cores whose free count equals the header ratio `CPUsPerCore`. */
  freeCores(): number[] {
    const perCore = this.index.topo.cpusPerCore;
    return this.coreOrder().filter((c) => this.freeInCore[c] === perCore);
  }

  /** Uncore caches whose free count equals their size in the full topology. */
  freeUncoreCaches(): number[] {
    const total = this.index.uncore.total;
    return this.uncoreOrder().filter((u) => this.freeInUncore[u] === total[u]);
  }

  /**
   * `CoresNeededInUncoreCache(k, u)`: the cores with a free CPU in uncore `u`, all of them when
   * there are at most `k`, else the `k` numerically smallest.
   */
  coresNeededInUncoreCache(k: number, uncore: number): number[] {
    const rel = this.index.coresInUncore;
    const counts = this.pairFree.get(rel)!;
    const cores: number[] = [];
    // Pairs are ordered by core index, which is ascending core id.
    for (const pair of rel.pairsOfParent[uncore]) if (counts[pair] > 0) cores.push(rel.childOfPair[pair]);
    return cores.length <= k ? cores : cores.slice(0, Math.max(0, k));
  }
}

function isAscending(list: readonly number[]): boolean {
  for (let i = 1; i < list.length; i++) if (list[i] <= list[i - 1]) return false;
  return true;
}

/** Real ids of dense element indices. */
export function ids(table: ElementTable, order: readonly number[]): number[] {
  return order.map((e) => table.ids[e]);
}
