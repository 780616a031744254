import { RecentWeakMap } from "../../core/index.js";
import type { CPUTopology } from "../../machine/index.js";

/**
 * Dense, array-based tables of one `CPUTopology`, built once per topology object and shared by
 * every take. Elements (NUMA nodes, sockets, cores, uncore caches) are numbered densely in
 * ascending id order, so "ties by id" is "ties by dense index" and counts live in typed arrays.
 */
export interface ElementTable {
  /** Real ids, ascending; the position is the dense index. */
  readonly ids: readonly number[];
  /** CPUs of each element in the full topology. */
  readonly total: Int32Array;
  /** CPU ids of each element, ascending. */
  readonly cpus: readonly (readonly number[])[];
  /** Dense element index of each CPU id (-1 for ids outside the topology). */
  readonly ofCPU: Int32Array;
  /** Each element's CPUs as bitset words: entries `maskStart[e]` up to `maskStart[e + 1]`. */
  readonly maskStart: Int32Array;
  /** Word number of each mask entry. */
  readonly maskWord: Int32Array;
  /** The element's bits within that word. */
  readonly maskBits: Int32Array;
  /** The smallest element (0 for an empty table): no whole element fits a smaller need. */
  readonly minTotal: number;
  /**
   * Per element, when it lies within one NUMA node, socket, core and uncore cache: those four
   * dense indices at `4e..4e+3` (a whole-element take then updates four counts); -1 otherwise.
   */
  readonly within: Int32Array;
}

/**
 * "Children of a parent that still have free CPUs inside that parent" (`SocketsInNUMANodes`,
 * `CoresInSockets`, ...). Each (parent, child) pair that shares a CPU gets a pair number; the
 * accumulator keeps a free count per pair, so the query never scans CPUs.
 */
export interface Relation {
  /** Pair number of each CPU id (-1 outside the topology). */
  readonly pairOfCPU: Int32Array;
  /** Child dense index of each pair. */
  readonly childOfPair: Int32Array;
  /** Pair numbers of each parent, ordered by child index. */
  readonly pairsOfParent: readonly (readonly number[])[];
  readonly pairCount: number;
  /**
   * True when every child lies within one parent: the pair's free count is then the child's own,
   * and no per-pair counts need keeping.
   */
  readonly nested: boolean;
}

export interface TopologyIndex {
  readonly topo: CPUTopology;
  /** One more than the largest CPU id. */
  readonly idLimit: number;
  readonly numa: ElementTable;
  readonly socket: ElementTable;
  readonly core: ElementTable;
  readonly uncore: ElementTable;
  readonly socketsInNUMA: Relation;
  readonly numasInSocket: Relation;
  readonly coresInSocket: Relation;
  readonly coresInNUMA: Relation;
  readonly uncoresInNUMA: Relation;
  readonly coresInUncore: Relation;
  /** NUMA-first iff the header says `NumSockets >= NumNUMANodes` (cpu-manager.md §3). */
  readonly numaFirst: boolean;
  /** Words of a bitset over ids below `idLimit`. */
  readonly wordCount: number;
  /** The topology's CPUs as bitset words. */
  readonly allWords: Uint32Array;
  /** The relations above as a list, for per-CPU updates of the non-nested ones. */
  readonly relations: readonly Relation[];
  /**
   * True when every NUMA node lies within one socket and every core within one NUMA node: a take
   * restricted to one NUMA node's CPUs then only ever looks at that node, its socket and its
   * cores (take-numa-local.ts).
   */
  readonly numaLocal: boolean;
}

/** Number of set bits of a 32-bit word. */
export function popcount32(x: number): number {
  let v = x - ((x >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  v = (v + (v >>> 4)) & 0x0f0f0f0f;
  return Math.imul(v, 0x01010101) >>> 24;
}

/** The lowest set bit's position in a non-zero word. */
export function lowestBit(word: number): number {
  return 31 - Math.clz32(word & -word);
}

function buildTable(idList: readonly number[], idLimit: number, key: (id: number) => number): ElementTable {
  const ids = [...new Set(idList.map(key))].sort((a, b) => a - b);
  const dense = new Map<number, number>(ids.map((id, i) => [id, i]));
  const ofCPU = new Int32Array(idLimit).fill(-1);
  const cpus: number[][] = ids.map(() => []);
  for (const cpu of idList) {
    const e = dense.get(key(cpu))!;
    ofCPU[cpu] = e;
    cpus[e].push(cpu);
  }
  const maskStart = new Int32Array(ids.length + 1);
  const maskWord: number[] = [];
  const maskBits: number[] = [];
  for (let e = 0; e < ids.length; e++) {
    maskStart[e] = maskWord.length;
    // cpus[e] is ascending, so equal words are adjacent.
    for (const cpu of cpus[e]) {
      const w = cpu >>> 5;
      if (maskWord.length === maskStart[e] || maskWord[maskWord.length - 1] !== w) {
        maskWord.push(w);
        maskBits.push(0);
      }
      maskBits[maskBits.length - 1] |= 1 << (cpu & 31);
    }
  }
  maskStart[ids.length] = maskWord.length;
  const total = Int32Array.from(cpus, (l) => l.length);
  return {
    ids,
    total,
    cpus,
    ofCPU,
    maskStart,
    maskWord: Int32Array.from(maskWord),
    maskBits: Int32Array.from(maskBits),
    minTotal: total.length === 0 ? 0 : Math.min(...total),
    within: new Int32Array(ids.length * 4).fill(-1),
  };
}

function fillWithin(table: ElementTable, levels: readonly ElementTable[]): void {
  for (let e = 0; e < table.ids.length; e++) {
    const cpus = table.cpus[e];
    const at = levels.map((level) => level.ofCPU[cpus[0]]);
    if (!cpus.every((cpu) => levels.every((level, l) => level.ofCPU[cpu] === at[l]))) continue;
    table.within.set(at, 4 * e);
  }
}

function buildRelation(parent: ElementTable, child: ElementTable): Relation {
  const pairOfCPU = new Int32Array(parent.ofCPU.length).fill(-1);
  const childOfPairList: number[] = [];
  const pairsOfParent: number[][] = [];
  // pairOfChild[c] is the pair of (current parent, c); stale entries belong to earlier parents.
  const pairOfChild = new Int32Array(child.ids.length).fill(-1);
  for (let p = 0; p < parent.ids.length; p++) {
    const firstPair = childOfPairList.length;
    const pairs: number[] = [];
    for (const cpu of parent.cpus[p]) {
      const c = child.ofCPU[cpu];
      let pair = pairOfChild[c];
      if (pair < firstPair) {
        pair = childOfPairList.length;
        pairOfChild[c] = pair;
        childOfPairList.push(c);
        pairs.push(pair);
      }
      pairOfCPU[cpu] = pair;
    }
    pairsOfParent.push(pairs.sort((x, y) => childOfPairList[x] - childOfPairList[y]));
  }
  return {
    pairOfCPU,
    childOfPair: Int32Array.from(childOfPairList),
    pairsOfParent,
    pairCount: childOfPairList.length,
    nested: childOfPairList.length === child.ids.length,
  };
}

// A node asks of one topology, many times per admission.
const cache = new RecentWeakMap<CPUTopology, TopologyIndex>();

/** The index of `topo`, built on first use (O(CPUs)) and cached for the topology's lifetime. */
export function topologyIndex(topo: CPUTopology): TopologyIndex {
  let index = cache.get(topo);
  if (index) return index;
  const idLimit = topo.all.max() + 1;
  const cpuIds = topo.all.toArray();
  const info = cpuIds.map((id) => topo.cpu(id));
  const infoOf = new Array<(typeof info)[number]>(idLimit);
  for (const c of info) infoOf[c.id] = c;
  const numa = buildTable(cpuIds, idLimit, (id) => infoOf[id].numa);
  const socket = buildTable(cpuIds, idLimit, (id) => infoOf[id].socket);
  const core = buildTable(cpuIds, idLimit, (id) => infoOf[id].core);
  const uncore = buildTable(cpuIds, idLimit, (id) => infoOf[id].uncore);
  for (const table of [numa, socket, core, uncore]) fillWithin(table, [numa, socket, core, uncore]);
  const wordCount = (idLimit + 31) >>> 5;
  const allWords = new Uint32Array(wordCount);
  for (const cpu of cpuIds) allWords[cpu >>> 5] |= 1 << (cpu & 31);
  const socketsInNUMA = buildRelation(numa, socket);
  const numasInSocket = buildRelation(socket, numa);
  const coresInSocket = buildRelation(socket, core);
  const coresInNUMA = buildRelation(numa, core);
  const uncoresInNUMA = buildRelation(numa, uncore);
  const coresInUncore = buildRelation(uncore, core);
  index = {
    topo,
    idLimit,
    numa,
    socket,
    core,
    uncore,
    socketsInNUMA,
    numasInSocket,
    coresInSocket,
    coresInNUMA,
    uncoresInNUMA,
    coresInUncore,
    numaFirst: topo.numSockets >= topo.numNUMANodes,
    numaLocal:
      numa.cpus.every((cpus) => cpus.every((cpu) => socket.ofCPU[cpu] === socket.ofCPU[cpus[0]])) &&
      coresInNUMA.nested,
    wordCount,
    allWords,
    relations: [socketsInNUMA, numasInSocket, coresInSocket, coresInNUMA, uncoresInNUMA, coresInUncore],
  };
  cache.set(topo, index);
  return index;
}
