import { CPUSet, type MetricsRegistry } from "../../core/index.js";
import type { SeriesHandle } from "../../core/metrics.js";
import type { CPUTopology } from "../../machine/index.js";
import { lowestBit, popcount32, topologyIndex } from "./take-index.js";

import {
  type AssignmentType,
  type ResourceManagerSeries,
  type ResourceSource,
  resourceManagerSeries,
} from "../resource-manager-series.js";

export type CPUAssignmentType = AssignmentType;
export type { ResourceSource };

const PHYSICAL_CPU = ["container", "physical_cpu"] as const;
const UNCORE_CACHE = ["container", "uncore_cache"] as const;

/**
 * `topology.withinOneUncore(cpus)` read from the topology's dense tables, without listing the
 * ids. A CPU the topology does not know is left to the topology itself, which refuses it.
 */
export function withinOneUncore(topology: CPUTopology, cpus: CPUSet): boolean {
  if (!cpus.isSubsetOf(topology.all)) return topology.withinOneUncore(cpus);
  const uncoreOf = topologyIndex(topology).uncore.ofCPU;
  let seen = -1;
  for (let w = 0; w < cpus.wordCount; w++) {
    for (let bits = cpus.wordAt(w); bits !== 0; bits &= bits - 1) {
      const uncore = uncoreOf[w * 32 + lowestBit(bits)];
      if (seen < 0) seen = uncore;
      else if (uncore !== seen) return false;
    }
  }
  return true;
}

/** Per topology word, the NUMA nodes with CPUs in it and their bits: counting per node, not per CPU. */
interface NUMAWords {
  /** Entries of word `w` are `start[w]` up to `start[w + 1]`. */
  readonly start: Int32Array;
  /** The node id of each entry. */
  readonly numa: Int32Array;
  /** The node's CPUs in that word. */
  readonly bits: Int32Array;
  /** The topology's CPUs per word; the ids outside count under node 0, as the kubelet's lookup does. */
  readonly known: Uint32Array;
}

const numaWordsOf = new WeakMap<CPUTopology, NUMAWords>();

function numaWords(topology: CPUTopology): NUMAWords {
  let table = numaWordsOf.get(topology);
  if (table) return table;
  const { numa, wordCount, allWords } = topologyIndex(topology);
  const perWord: { numa: number; bits: number }[][] = Array.from({ length: wordCount }, () => []);
  for (let e = 0; e < numa.ids.length; e++) {
    for (let m = numa.maskStart[e]; m < numa.maskStart[e + 1]; m++)
      perWord[numa.maskWord[m]].push({ numa: numa.ids[e], bits: numa.maskBits[m] });
  }
  const entries = perWord.flat();
  const start = new Int32Array(wordCount + 1);
  for (let w = 0; w < wordCount; w++) start[w + 1] = start[w] + perWord[w].length;
  table = {
    start,
    numa: Int32Array.from(entries, (x) => x.numa),
    bits: Int32Array.from(entries, (x) => x.bits),
    known: allWords,
  };
  numaWordsOf.set(topology, table);
  return table;
}

/**
 * The static policy's metric updates (metrics.md §3.2, §3.4), in one place so that every path
 * moves the same series the same way.
 */
export class CPUPolicyMetrics {
  /** The words of the set the per-NUMA counts were last taken of, and those counts. */
  private counted = new Uint32Array(0);
  private readonly perNUMA = new Map<number, number>();
  /** The keys of `perNUMA` ascending, and each node's label list (the gauge is set in node order). */
  private sortedNUMA: number[] = [];
  private readonly numaLabels = new Map<number, readonly string[]>();
  private readonly numaWords: NUMAWords;
  // Counted on every admission with the same labels: the series are named once.
  private readonly pinningRequests: SeriesHandle;
  private readonly pinningErrors: SeriesHandle;
  private readonly shared: ResourceManagerSeries;
  private readonly exclusiveCPUs: SeriesHandle;
  private readonly sharedPool: SeriesHandle;
  private readonly uncoreAligned: SeriesHandle;
  private readonly physicalAligned: SeriesHandle;
  private readonly physicalUnaligned: SeriesHandle;

  constructor(
    readonly registry: MetricsRegistry,
    private readonly topology: CPUTopology,
  ) {
    this.numaWords = numaWords(topology);
    const r = registry;
    this.pinningRequests = r.series("cpu_manager_pinning_requests_total");
    this.pinningErrors = r.series("cpu_manager_pinning_errors_total");
    this.shared = resourceManagerSeries(r, "cpu");
    this.exclusiveCPUs = r.series("cpu_manager_exclusive_cpu_allocation_count");
    this.sharedPool = r.series("cpu_manager_shared_pool_size_millicores");
    this.uncoreAligned = r.series("container_aligned_compute_resources_count", UNCORE_CACHE);
    this.physicalAligned = r.series("container_aligned_compute_resources_count", PHYSICAL_CPU);
    this.physicalUnaligned = r.series("container_aligned_compute_resources_failure_count", PHYSICAL_CPU);
  }

  /** `initializeMetrics` at Start. */
  initialize(sharedPoolCPUs: number, assigned: CPUSet): void {
    const r = this.registry;
    r.set("cpu_manager_shared_pool_size_millicores", [], sharedPoolCPUs * 1000);
    r.touch("container_aligned_compute_resources_failure_count", PHYSICAL_CPU);
    r.touch("container_aligned_compute_resources_count", PHYSICAL_CPU);
    r.touch("container_aligned_compute_resources_count", UNCORE_CACHE);
    r.set("cpu_manager_exclusive_cpu_allocation_count", [], assigned.size);
    this.updatePerNUMA(assigned, CPUSet.empty);
  }

  /** `updateMetricsOnAllocate`; `assigned` = every container assignment at this moment. */
  onAllocate(allocated: CPUSet, assigned: CPUSet): void {
    const r = this.registry;
    r.incSeries(this.exclusiveCPUs, allocated.size);
    r.incSeries(this.sharedPool, -1000 * allocated.size);
    if (withinOneUncore(this.topology, allocated)) r.incSeries(this.uncoreAligned);
    this.updatePerNUMA(assigned, CPUSet.empty);
  }

  /**
   * `updateMetricsOnRelease`. The kubelet recomputes the per-NUMA gauge from the remaining
   * assignments minus the released CPUs, even where a sibling still holds some of them.
   */
  onRelease(released: CPUSet, assigned: CPUSet): void {
    const r = this.registry;
    r.incSeries(this.exclusiveCPUs, -released.size);
    r.incSeries(this.sharedPool, 1000 * released.size);
    this.updatePerNUMA(assigned, released);
  }

  /**
   * `updateAllocationPerNUMAMetric` of `cpus` minus `except`: sets the gauge of every NUMA node
   * holding some of them; a node that holds none keeps its previous value, as in the kubelet.
   */
  private updatePerNUMA(cpus: CPUSet, except: CPUSet): void {
    const counts = this.countPerNUMA(cpus, except);
    if (this.sortedNUMA.length !== counts.size) {
      // A node is counted from its first CPU on and never leaves the map: sort when one joins.
      this.sortedNUMA = [...counts.keys()].sort((a, b) => a - b);
      for (const numa of this.sortedNUMA)
        if (!this.numaLabels.has(numa)) this.numaLabels.set(numa, [String(numa)]);
    }
    for (const numa of this.sortedNUMA) {
      const n = counts.get(numa) ?? 0;
      if (n > 0) this.registry.set("cpu_manager_allocation_per_numa", this.numaLabels.get(numa) ?? [], n);
    }
  }

  /**
   * The CPUs of `cpus` minus `except` per NUMA node (a CPU the topology does not know under node
   * 0). Counted from the previous call's set by the CPUs that came and went: consecutive calls
   * differ by one allocation or release, so the cost follows the pod, not the number of assigned
   * CPUs or NUMA nodes.
   */
  private countPerNUMA(cpus: CPUSet, except: CPUSet): ReadonlyMap<number, number> {
    if (cpus.wordCount > this.counted.length) {
      const grown = new Uint32Array(cpus.wordCount);
      grown.set(this.counted);
      this.counted = grown;
    }
    const counted = this.counted;
    const { start, numa, bits, known } = this.numaWords;
    for (let w = 0; w < counted.length; w++) {
      const now = (cpus.wordAt(w) & ~except.wordAt(w)) >>> 0;
      const before = counted[w];
      if (now === before) continue;
      counted[w] = now;
      const came = now & ~before;
      const went = before & ~now;
      if (w < start.length - 1) {
        for (let i = start[w]; i < start[w + 1]; i++) this.countNode(numa[i], came & bits[i], went & bits[i]);
      }
      const unknown = w < known.length ? ~known[w] : -1;
      this.countNode(0, came & unknown, went & unknown);
    }
    return this.perNUMA;
  }

  private countNode(numa: number, came: number, went: number): void {
    if (came === 0 && went === 0) return;
    this.perNUMA.set(numa, (this.perNUMA.get(numa) ?? 0) + popcount32(came) - popcount32(went));
  }

  pinningRequest(): void {
    this.registry.incSeries(this.pinningRequests);
  }

  pinningError(source: ResourceSource): void {
    this.registry.incSeries(this.pinningErrors);
    this.registry.incSeries(this.shared.allocationErrors[source]);
  }

  physicalCPUAlignment(ok: boolean): void {
    this.registry.incSeries(ok ? this.physicalAligned : this.physicalUnaligned);
  }

  allocation(source: ResourceSource): void {
    this.registry.incSeries(this.shared.allocations[source]);
  }

  assignment(type: CPUAssignmentType): void {
    this.registry.incSeries(this.shared.assignments[type]);
  }
}
