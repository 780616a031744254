import { CPUSet } from "../core/index.js";

/** One logical CPU as the kubelet's `CPUDetails` holds it. */
export interface CPUInfo {
  id: number;
  core: number;
  socket: number;
  numa: number;
  uncore: number;
}

/** The header counts of the kubelet's `CPUTopology`, used exactly as stored (cpu-manager.md §2). */
export interface TopologyHeader {
  numCPUs: number;
  numCores: number;
  numSockets: number;
  numNUMANodes: number;
  numUncoreCaches: number;
}

function groupBy(cpus: CPUInfo[], key: (c: CPUInfo) => number): Map<number, CPUSet> {
  const ids = new Map<number, number[]>();
  for (const c of cpus) {
    const k = key(c);
    let list = ids.get(k);
    if (!list) ids.set(k, (list = []));
    list.push(c.id);
  }
  const out = new Map<number, CPUSet>();
  for (const k of [...ids.keys()].sort((a, b) => a - b)) out.set(k, CPUSet.fromIds(ids.get(k)!));
  return out;
}

function sortedUnique(values: Iterable<number>): number[] {
  return [...new Set(values)].sort((a, b) => a - b);
}

/**
 * The CPU topology: header fields as given (a test fixture may leave some at 0) and the per-CPU
 * details, with every grouping precomputed as a CPUSet so queries are set operations.
 */
export class CPUTopology implements TopologyHeader {
  readonly numCPUs: number;
  readonly numCores: number;
  readonly numSockets: number;
  readonly numNUMANodes: number;
  readonly numUncoreCaches: number;
  readonly details: ReadonlyMap<number, CPUInfo>;
  readonly all: CPUSet;
  private readonly byNUMA: Map<number, CPUSet>;
  private readonly bySocket: Map<number, CPUSet>;
  private readonly byCore: Map<number, CPUSet>;
  private readonly byUncore: Map<number, CPUSet>;

  constructor(header: TopologyHeader, cpus: CPUInfo[]) {
    this.numCPUs = header.numCPUs;
    this.numCores = header.numCores;
    this.numSockets = header.numSockets;
    this.numNUMANodes = header.numNUMANodes;
    this.numUncoreCaches = header.numUncoreCaches;
    const sorted = [...cpus].sort((a, b) => a.id - b.id);
    const details = new Map<number, CPUInfo>();
    for (const c of sorted) {
      if (details.has(c.id)) throw new Error(`CPU ${c.id} is described twice`);
      details.set(c.id, { ...c });
    }
    this.details = details;
    this.all = CPUSet.fromIds(details.keys());
    this.byNUMA = groupBy(sorted, (c) => c.numa);
    this.bySocket = groupBy(sorted, (c) => c.socket);
    this.byCore = groupBy(sorted, (c) => c.core);
    this.byUncore = groupBy(sorted, (c) => c.uncore);
  }

  /** Builds a topology whose header counts are the distinct ids of the CPU list (what discovery does). */
  static fromCPUs(cpus: CPUInfo[]): CPUTopology {
    return new CPUTopology(
      {
        numCPUs: cpus.length,
        numCores: new Set(cpus.map((c) => c.core)).size,
        numSockets: new Set(cpus.map((c) => c.socket)).size,
        numNUMANodes: new Set(cpus.map((c) => c.numa)).size,
        numUncoreCaches: new Set(cpus.map((c) => c.uncore)).size,
      },
      cpus,
    );
  }

  // Header ratios (integer division; 0 when the divisor is 0).
  get cpusPerCore(): number {
    return this.numCores === 0 ? 0 : Math.trunc(this.numCPUs / this.numCores);
  }
  get cpusPerSocket(): number {
    return this.numSockets === 0 ? 0 : Math.trunc(this.numCPUs / this.numSockets);
  }
  get cpusPerUncore(): number {
    return this.numUncoreCaches === 0 ? 0 : Math.trunc(this.numCPUs / this.numUncoreCaches);
  }

  cpu(id: number): CPUInfo {
    const c = this.details.get(id);
    if (!c) throw new Error(`CPU ${id} is not part of the topology`);
    return c;
  }

  /** Distinct NUMA ids of the CPU details, ascending (not the header count). */
  numaNodes(): number[] {
    return [...this.byNUMA.keys()];
  }
  sockets(): number[] {
    return [...this.bySocket.keys()];
  }
  cores(): number[] {
    return [...this.byCore.keys()];
  }
  uncoreCaches(): number[] {
    return [...this.byUncore.keys()];
  }

  cpusInNUMANode(id: number): CPUSet {
    return this.byNUMA.get(id) ?? CPUSet.empty;
  }
  cpusInNUMANodes(ids: Iterable<number>): CPUSet {
    return CPUSet.empty.union(...[...ids].map((id) => this.cpusInNUMANode(id)));
  }
  cpusInSocket(id: number): CPUSet {
    return this.bySocket.get(id) ?? CPUSet.empty;
  }
  cpusInSockets(ids: Iterable<number>): CPUSet {
    return CPUSet.empty.union(...[...ids].map((id) => this.cpusInSocket(id)));
  }
  cpusInCore(id: number): CPUSet {
    return this.byCore.get(id) ?? CPUSet.empty;
  }
  cpusInCores(ids: Iterable<number>): CPUSet {
    return CPUSet.empty.union(...[...ids].map((id) => this.cpusInCore(id)));
  }
  cpusInUncore(id: number): CPUSet {
    return this.byUncore.get(id) ?? CPUSet.empty;
  }

  /** Ids of the groups that hold at least one CPU of `cpus`, ascending. */
  numaNodesOf(cpus: CPUSet): number[] {
    return sortedUnique(cpus.toArray().map((id) => this.cpu(id).numa));
  }
  socketsOf(cpus: CPUSet): number[] {
    return sortedUnique(cpus.toArray().map((id) => this.cpu(id).socket));
  }
  coresOf(cpus: CPUSet): number[] {
    return sortedUnique(cpus.toArray().map((id) => this.cpu(id).core));
  }
  uncoresOf(cpus: CPUSet): number[] {
    return sortedUnique(cpus.toArray().map((id) => this.cpu(id).uncore));
  }

  /** Sockets that contain a CPU of the given NUMA nodes. */
  socketsInNUMANodes(ids: Iterable<number>): number[] {
    return this.socketsOf(this.cpusInNUMANodes(ids));
  }
  /** NUMA nodes that contain a CPU of the given sockets. */
  numaNodesInSockets(ids: Iterable<number>): number[] {
    return this.numaNodesOf(this.cpusInSockets(ids));
  }

  /** Every CPU of every core that holds one of `cpus` (the kubelet's "physical CPUs"). */
  physicalCPUsOf(cpus: CPUSet): CPUSet {
    return this.cpusInCores(this.coresOf(cpus));
  }

  /** Whether `cpus` lies within one uncore cache (`CheckAlignment`, metrics only). */
  withinOneUncore(cpus: CPUSet): boolean {
    return this.uncoresOf(cpus).length <= 1;
  }
}
