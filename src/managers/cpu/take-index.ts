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
  return { ids, total: Int32Array.from(cpus, (l) => l.length), cpus, ofCPU };
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
  };
}

const cache = new WeakMap<CPUTopology, TopologyIndex>();

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
  index = {
    topo,
    idLimit,
    numa,
    socket,
    core,
    uncore,
    socketsInNUMA: buildRelation(numa, socket),
    numasInSocket: buildRelation(socket, numa),
    coresInSocket: buildRelation(socket, core),
    coresInNUMA: buildRelation(numa, core),
    uncoresInNUMA: buildRelation(numa, uncore),
    coresInUncore: buildRelation(uncore, core),
    numaFirst: topo.numSockets >= topo.numNUMANodes,
  };
  cache.set(topo, index);
  return index;
}
