import type { MetricsRegistry } from "../../core/index.js";
import type { SeriesHandle } from "../../core/metrics.js";
import { type ResourceManagerSeries, resourceManagerSeries } from "../resource-manager-series.js";

/** The Memory Manager's series, resolved once per registry: every admission counts the same few. */
export class MemoryCounters {
  readonly pinningRequests: SeriesHandle;
  readonly pinningErrors: SeriesHandle;
  readonly allocationErrors: ResourceManagerSeries["allocationErrors"];
  readonly allocations: ResourceManagerSeries["allocations"];
  readonly nodeExclusive: SeriesHandle;
  readonly podExclusive: SeriesHandle;
  readonly podShared: SeriesHandle;

  constructor(private readonly registry: MetricsRegistry) {
    this.pinningRequests = registry.series("memory_manager_pinning_requests_total");
    this.pinningErrors = registry.series("memory_manager_pinning_errors_total");
    const shared = resourceManagerSeries(registry, "memory");
    this.allocationErrors = shared.allocationErrors;
    this.allocations = shared.allocations;
    this.nodeExclusive = shared.assignments.node_exclusive;
    this.podExclusive = shared.assignments.pod_exclusive;
    this.podShared = shared.assignments.pod_shared;
  }
  inc(series: SeriesHandle): void {
    this.registry.incSeries(series);
  }

  /** Counts `n` at once; nothing for 0, so that a series nothing counted does not appear. */
  add(series: SeriesHandle, n: number): void {
    if (n > 0) this.registry.incSeries(series, n);
  }
}
