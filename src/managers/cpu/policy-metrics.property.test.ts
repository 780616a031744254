import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { CPUSet, MetricsRegistry } from "../../core/index.js";
import type { CPUTopology } from "../../machine/index.js";
import { CPUPolicyMetrics, withinOneUncore } from "./policy-metrics.js";
import { CPUState } from "./state.js";
import { availableArb, takeTopologyArb } from "./take.test-support.js";

function outcome(fn: () => boolean): string {
  try {
    return String(fn());
  } catch (err) {
    return `throws ${(err as Error).message}`;
  }
}

/**
 * `updateAllocationPerNUMAMetric` as the kubelet states it: count every CPU of the set by its
 * node (unknown CPUs under node 0), set the gauge of each node holding some, in node order.
 */
class ReferencePerNUMA {
  private readonly seen = new Set<number>();
  constructor(
    private readonly registry: MetricsRegistry,
    private readonly topology: CPUTopology,
  ) {}
  update(cpus: CPUSet): void {
    const counts = new Map<number, number>();
    for (const id of cpus.toArray()) {
      const numa = this.topology.details.get(id)?.numa ?? 0;
      counts.set(numa, (counts.get(numa) ?? 0) + 1);
      this.seen.add(numa);
    }
    for (const numa of [...this.seen].sort((a, b) => a - b)) {
      const n = counts.get(numa) ?? 0;
      if (n > 0) this.registry.set("cpu_manager_allocation_per_numa", [String(numa)], n);
    }
  }
}

describe("CPU policy metrics and state bookkeeping", () => {
  it("the per-NUMA gauge and the counters move as the plain per-CPU count says", () => {
    const stepArb = (topo: CPUTopology) =>
      fc.record({
        release: fc.boolean(),
        cpus: availableArb(topo),
        assigned: availableArb(topo),
        source: fc.constantFrom("node" as const, "pod" as const),
        type: fc.constantFrom("node_exclusive" as const, "pod_exclusive" as const, "pod_shared" as const),
        aligned: fc.boolean(),
      });
    fc.assert(
      fc.property(
        takeTopologyArb.chain(({ topo }) =>
          fc.tuple(fc.constant(topo), availableArb(topo), fc.array(stepArb(topo), { maxLength: 8 })),
        ),
        ([topo, initial, steps]) => {
          const fast = new MetricsRegistry();
          const slow = new MetricsRegistry();
          const metrics = new CPUPolicyMetrics(fast, topo);
          const reference = new ReferencePerNUMA(slow, topo);
          metrics.initialize(7, initial);
          slow.set("cpu_manager_shared_pool_size_millicores", [], 7000);
          slow.touch("container_aligned_compute_resources_failure_count", ["container", "physical_cpu"]);
          slow.touch("container_aligned_compute_resources_count", ["container", "physical_cpu"]);
          slow.touch("container_aligned_compute_resources_count", ["container", "uncore_cache"]);
          slow.set("cpu_manager_exclusive_cpu_allocation_count", [], initial.size);
          reference.update(initial);
          for (const step of steps) {
            if (step.release) {
              metrics.onRelease(step.cpus, step.assigned);
              slow.add("cpu_manager_exclusive_cpu_allocation_count", [], -step.cpus.size);
              slow.add("cpu_manager_shared_pool_size_millicores", [], 1000 * step.cpus.size);
              reference.update(step.assigned.difference(step.cpus));
            } else {
              // The topology's own uncore check refuses unknown CPUs: allocations hold known ones.
              const allocated = step.cpus.intersect(topo.all);
              metrics.onAllocate(allocated, step.assigned);
              slow.add("cpu_manager_exclusive_cpu_allocation_count", [], allocated.size);
              slow.add("cpu_manager_shared_pool_size_millicores", [], -1000 * allocated.size);
              if (topo.withinOneUncore(allocated))
                slow.inc("container_aligned_compute_resources_count", ["container", "uncore_cache"]);
              reference.update(step.assigned);
            }
            metrics.allocation(step.source);
            metrics.assignment(step.type);
            metrics.pinningRequest();
            metrics.pinningError(step.source);
            metrics.physicalCPUAlignment(step.aligned);
            slow.inc("resource_manager_allocations_total", ["cpu", step.source]);
            slow.inc("resource_manager_container_assignments", ["cpu", step.type]);
            slow.inc("cpu_manager_pinning_requests_total");
            slow.inc("cpu_manager_pinning_errors_total");
            slow.inc("resource_manager_allocation_errors_total", ["cpu", step.source]);
            slow.inc(
              step.aligned
                ? "container_aligned_compute_resources_count"
                : "container_aligned_compute_resources_failure_count",
              ["container", "physical_cpu"],
            );
            assert.deepEqual(fast.snapshot(), slow.snapshot());
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it("withinOneUncore answers as the topology does, unknown CPUs included", () => {
    fc.assert(
      fc.property(
        takeTopologyArb.chain(({ topo }) => fc.tuple(fc.constant(topo), availableArb(topo))),
        ([topo, cpus]) => {
          assert.equal(
            outcome(() => withinOneUncore(topo, cpus)),
            outcome(() => topo.withinOneUncore(cpus)),
          );
          // Small sets, where one uncore cache is likely.
          const few = cpus.takeLowest(3);
          assert.equal(
            outcome(() => withinOneUncore(topo, few)),
            outcome(() => topo.withinOneUncore(few)),
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it("the assigned CPUs are the union of the stored container sets after any sequence", () => {
    const setArb = fc.uniqueArray(fc.integer({ min: 0, max: 80 }), { maxLength: 12 }).map(CPUSet.fromIds);
    const opArb = fc.oneof(
      fc.record({ kind: fc.constant("set" as const), pod: fc.nat(2), ctr: fc.nat(2), cpus: setArb }),
      fc.record({ kind: fc.constant("delete" as const), pod: fc.nat(2), ctr: fc.nat(2) }),
      fc.record({ kind: fc.constant("deletePod" as const), pod: fc.nat(2) }),
    );
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 30 }), (ops) => {
        const state = new CPUState();
        for (const op of ops) {
          if (op.kind === "set") state.setCPUSet(`p${op.pod}`, `c${op.ctr}`, op.cpus);
          else if (op.kind === "delete") state.delete(`p${op.pod}`, `c${op.ctr}`);
          else state.deletePod(`p${op.pod}`);
          let union = CPUSet.empty;
          for (const pod of state.getCPUAssignments().values())
            for (const cpus of pod.values()) union = union.union(cpus);
          assert.equal(state.assignedCPUs().toString(), union.toString());
          assert.ok(state.assignedCPUs().equals(union));
          assert.equal(state.clone().assignedCPUs().toString(), union.toString());
        }
      }),
      { numRuns: 300 },
    );
  });
});
