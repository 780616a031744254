import type { MetricsRegistry } from "../core/index.js";
import type { SeriesHandle } from "../core/metrics.js";

/** Where an allocation's resources came from: the node's pools, or a pod-level budget. */
export type ResourceSource = "node" | "pod";
export type AssignmentType = "node_exclusive" | "pod_exclusive" | "pod_shared";

/**
 * The `resource_manager_*` series the CPU and the Memory Manager both count, for one resource,
 * resolved once per registry: every admission counts the same few.
 */
export interface ResourceManagerSeries {
  readonly allocationErrors: Readonly<Record<ResourceSource, SeriesHandle>>;
  readonly allocations: Readonly<Record<ResourceSource, SeriesHandle>>;
  readonly assignments: Readonly<Record<AssignmentType, SeriesHandle>>;
}

export function resourceManagerSeries(
  registry: MetricsRegistry,
  resource: "cpu" | "memory",
): ResourceManagerSeries {
  const bySource = (
    name: "resource_manager_allocation_errors_total" | "resource_manager_allocations_total",
  ) => ({
    node: registry.series(name, [resource, "node"]),
    pod: registry.series(name, [resource, "pod"]),
  });
  const assignment = (type: AssignmentType) =>
    registry.series("resource_manager_container_assignments", [resource, type]);
  return {
    allocationErrors: bySource("resource_manager_allocation_errors_total"),
    allocations: bySource("resource_manager_allocations_total"),
    assignments: {
      node_exclusive: assignment("node_exclusive"),
      pod_exclusive: assignment("pod_exclusive"),
      pod_shared: assignment("pod_shared"),
    },
  };
}
