import { CPUSet, type MetricsRegistry } from "../../core/index.js";
import type { CPUTopology } from "../../machine/index.js";
import { lowestBit, topologyIndex } from "./take-index.js";

export type CPUAssignmentType = "node_exclusive" | "pod_exclusive" | "pod_shared";
export type ResourceSource = "node" | "pod";

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

/**
 * The static policy's metric updates (metrics.md §3.2, §3.4), in one place so that every path
 * moves the same series the same way.
 */
export class CPUPolicyMetrics {
  /** The set the per-NUMA counts were last taken of, and those counts. */
  private counted: CPUSet = CPUSet.empty;
  private readonly perNUMA = new Map<number, number>();
  /** The keys of `perNUMA` ascending, and each node's label list (the gauge is set in node order). */
  private sortedNUMA: number[] = [];
  private readonly numaLabels = new Map<number, readonly string[]>();

  constructor(
    readonly registry: MetricsRegistry,
    private readonly topology: CPUTopology,
  ) {}

  /** `initializeMetrics` at Start. */
  initialize(sharedPoolCPUs: number, assigned: CPUSet): void {
    const r = this.registry;
    r.set("cpu_manager_shared_pool_size_millicores", [], sharedPoolCPUs * 1000);
    r.touch("container_aligned_compute_resources_failure_count", PHYSICAL_CPU);
    r.touch("container_aligned_compute_resources_count", PHYSICAL_CPU);
    r.touch("container_aligned_compute_resources_count", UNCORE_CACHE);
    r.set("cpu_manager_exclusive_cpu_allocation_count", [], assigned.size);
    this.updatePerNUMA(assigned);
  }

  /** `updateMetricsOnAllocate`; `assigned` = every container assignment at this moment. */
  onAllocate(allocated: CPUSet, assigned: CPUSet): void {
    const r = this.registry;
    r.add("cpu_manager_exclusive_cpu_allocation_count", [], allocated.size);
    r.add("cpu_manager_shared_pool_size_millicores", [], -1000 * allocated.size);
    if (withinOneUncore(this.topology, allocated))
      r.inc("container_aligned_compute_resources_count", UNCORE_CACHE);
    this.updatePerNUMA(assigned);
  }

  /**
   * `updateMetricsOnRelease`. The kubelet recomputes the per-NUMA gauge from the remaining
   * assignments minus the released CPUs, even where a sibling still holds some of them.
   */
  onRelease(released: CPUSet, assigned: CPUSet): void {
    const r = this.registry;
    r.add("cpu_manager_exclusive_cpu_allocation_count", [], -released.size);
    r.add("cpu_manager_shared_pool_size_millicores", [], 1000 * released.size);
    this.updatePerNUMA(assigned.difference(released));
  }

  /**
   * `updateAllocationPerNUMAMetric`: sets the gauge of every NUMA node holding some of `cpus`; a
   * node that holds none keeps its previous value, as in the kubelet.
   */
  private updatePerNUMA(cpus: CPUSet): void {
    const counts = this.countPerNUMA(cpus);
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

  private numaOf(id: number): number {
    return this.topology.details.get(id)?.numa ?? 0;
  }

  /**
   * The CPUs of `cpus` per NUMA node (a CPU the topology does not know under node 0, as the
   * kubelet's zero-valued lookup does). Counted from the previous call's set by the CPUs that came
   * and went: consecutive calls differ by one allocation or release, so the cost follows the pod,
   * not the number of assigned CPUs or NUMA nodes.
   */
  private countPerNUMA(cpus: CPUSet): ReadonlyMap<number, number> {
    const words = Math.max(cpus.wordCount, this.counted.wordCount);
    for (let w = 0; w < words; w++) {
      const now = cpus.wordAt(w);
      const before = this.counted.wordAt(w);
      for (let came = now & ~before; came !== 0; came &= came - 1) this.countCPU(w, came, 1);
      for (let went = before & ~now; went !== 0; went &= went - 1) this.countCPU(w, went, -1);
    }
    this.counted = cpus;
    return this.perNUMA;
  }

  /** Adds `delta` to the node of the lowest CPU in `bits` (word `w` of a set). */
  private countCPU(w: number, bits: number, delta: number): void {
    const numa = this.numaOf(w * 32 + lowestBit(bits));
    this.perNUMA.set(numa, (this.perNUMA.get(numa) ?? 0) + delta);
  }

  pinningRequest(): void {
    this.registry.inc("cpu_manager_pinning_requests_total");
  }

  pinningError(source: ResourceSource): void {
    this.registry.inc("cpu_manager_pinning_errors_total");
    this.registry.inc("resource_manager_allocation_errors_total", ["cpu", source]);
  }

  physicalCPUAlignment(ok: boolean): void {
    this.registry.inc(
      ok ? "container_aligned_compute_resources_count" : "container_aligned_compute_resources_failure_count",
      PHYSICAL_CPU,
    );
  }

  allocation(source: ResourceSource): void {
    this.registry.inc("resource_manager_allocations_total", ["cpu", source]);
  }

  assignment(type: CPUAssignmentType): void {
    this.registry.inc("resource_manager_container_assignments", ["cpu", type]);
  }
}
