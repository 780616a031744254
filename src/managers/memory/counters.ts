import type { MetricsRegistry } from "../../core/index.js";
import type { SeriesHandle } from "../../core/metrics.js";

/** The Memory Manager's series, resolved once per registry: every admission counts the same few. */
export class MemoryCounters {
  readonly pinningRequests: SeriesHandle;
  readonly pinningErrors: SeriesHandle;
  readonly allocationErrors: { readonly node: SeriesHandle; readonly pod: SeriesHandle };
  readonly allocations: { readonly node: SeriesHandle; readonly pod: SeriesHandle };
  readonly nodeExclusive: SeriesHandle;
  readonly podExclusive: SeriesHandle;
  readonly podShared: SeriesHandle;

  constructor(private readonly registry: MetricsRegistry) {
    const r = registry;
    this.pinningRequests = r.series("memory_manager_pinning_requests_total");
    this.pinningErrors = r.series("memory_manager_pinning_errors_total");
    this.allocationErrors = {
      node: r.series("resource_manager_allocation_errors_total", ["memory", "node"]),
      pod: r.series("resource_manager_allocation_errors_total", ["memory", "pod"]),
    };
    this.allocations = {
      node: r.series("resource_manager_allocations_total", ["memory", "node"]),
      pod: r.series("resource_manager_allocations_total", ["memory", "pod"]),
    };
    this.nodeExclusive = r.series("resource_manager_container_assignments", ["memory", "node_exclusive"]);
    this.podExclusive = r.series("resource_manager_container_assignments", ["memory", "pod_exclusive"]);
    this.podShared = r.series("resource_manager_container_assignments", ["memory", "pod_shared"]);
  }

  inc(series: SeriesHandle): void {
    this.registry.incSeries(series);
  }

  /** Counts `n` at once; nothing for 0, so that a series nothing counted does not appear. */
  add(series: SeriesHandle, n: number): void {
    if (n > 0) this.registry.incSeries(series, n);
  }
}
