import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { parseKubeletConfig } from "../k8s/index.js";
import type { NUMANodeMap } from "../managers/memory/index.js";
import { nodeConfigFromKubelet } from "./config.js";
import { Node } from "./node.js";
import {
  block,
  containerOf,
  cpus,
  Gi,
  invariantViolations,
  machineM,
  Mi,
  metricDelta,
  podFromYaml,
  snapshotNode,
  workedExampleConfig,
} from "./test-support.js";
import type { NodeConfig, TopologyManagerScopeName } from "./types.js";

/*
 * pod-level.md §7: the two blog examples on machine M, decided step by step. Every figure below is
 * the spec's own (CPU ids, pools, NUMA nodes, memory blocks, quotas, metric deltas).
 */

const examples = new URL("../../examples/", import.meta.url);
const read = (name: string) => readFileSync(new URL(name, examples), "utf8");

/** The kubelet configuration shipped beside the examples, as the Node reads it. */
function exampleConfig(scope: TopologyManagerScopeName, overrides: Partial<NodeConfig> = {}): NodeConfig {
  const file = `kubelet-${scope}-scope.yaml`;
  return { ...nodeConfigFromKubelet(parseKubeletConfig(read(file), file)), ...overrides };
}

const NUMA0_ALLOCATABLE = 64n * Gi - 1100n * Mi;

function memoryTable(state: NUMANodeMap, id: number) {
  const t = state.get(id)?.memoryMap.get("memory");
  assert.ok(t, `NUMA ${id} has a memory table`);
  return t;
}

describe("pod-level.md §7 configuration", () => {
  for (const scope of ["pod", "container"] as const) {
    it(`examples/kubelet-${scope}-scope.yaml is the configuration of §7`, () => {
      assert.deepEqual(exampleConfig(scope), workedExampleConfig(scope));
    });
  }

  it("machine M starts with default set 0-31, reserved {0,16} and 64Gi per NUMA node", () => {
    const node = new Node({ machine: machineM(), config: exampleConfig("pod") });
    assert.equal(node.defaultCpuSet().toString(), "0-31");
    assert.equal(node.reservedCPUs().toString(), "0,16");
    assert.equal(node.cpuPolicy?.getAvailableCPUs().toString(), "1-15,17-31");
    const ms = node.memoryPolicy!.state.machineState;
    assert.deepEqual(memoryTable(ms, 0), {
      total: 64n * Gi,
      systemReserved: 1100n * Mi,
      allocatable: NUMA0_ALLOCATABLE,
      reserved: 0n,
      free: NUMA0_ALLOCATABLE,
    });
    assert.equal(memoryTable(ms, 1).free, 64n * Gi);
  });
});

describe("pod-level.md §7.1 blog example 1: tightly-coupled-database, pod scope", () => {
  const setup = () => {
    const node = new Node({ machine: machineM(), config: exampleConfig("pod") });
    const pod = podFromYaml(read("tightly-coupled-database.yaml"));
    const initial = snapshotNode(node);
    const before = node.metrics.snapshot();
    const result = node.admit(pod);
    return { node, pod, initial, before, result };
  };

  it("is admitted with the bubble 1-4,17-20 on NUMA 0 (steps 1-4)", () => {
    const { result } = setup();
    assert.equal(result.admitted, true, `${result.reason}: ${result.message}`);
    assert.equal(result.reason, null);
    assert.equal(result.podDecision?.bubble?.toString(), "1-4,17-20");
    assert.equal(result.podDecision?.podSharedPool?.toString(), "4,20");
    assert.equal(result.defaultCpuSet.toString(), "0,5-16,21-31");
    for (const name of ["metrics-exporter", "backup-agent", "database"])
      assert.deepEqual(containerOf(result, name).numaAffinity, [0], `hint {0} stored for ${name}`);
  });

  it("merges {0}/{1} preferred, {0,1} not, from both providers into {NUMA 0} on the pod-level path (step 2)", () => {
    const { result } = setup();
    const hints = [
      { numaNodes: [0], preferred: true },
      { numaNodes: [1], preferred: true },
      { numaNodes: [0, 1], preferred: false },
    ];
    assert.equal(result.trace.path, "pod-level");
    assert.deepEqual(result.trace.merges, [
      {
        container: null,
        answers: [
          { provider: "device", hints: {} },
          { provider: "cpu", hints: { cpu: hints } },
          { provider: "memory", hints: { memory: hints } },
        ],
        hint: { numaNodes: [0], preferred: true },
        admit: true,
      },
    ]);
    assert.deepEqual(
      result.trace.allocations.map((a) => [a.provider, a.call, a.error]),
      [
        ["device", "allocatePod", null],
        ["cpu", "allocatePod", null],
        ["memory", "allocatePod", null],
      ],
    );
  });

  it("gives database 6 exclusive CPUs and the sidecars the pod shared pool (steps 4-6)", () => {
    const { result } = setup();
    assert.deepEqual(
      result.containers?.map((c) => ({
        name: c.name,
        kind: c.kind,
        cpus: c.cpus.toString(),
        isolation: c.isolation,
        assignmentType: c.assignmentType,
        memoryAssignmentType: c.memoryAssignmentType,
        cpusetMems: c.cpusetMems,
        cfsQuotaUs: c.cfsQuotaUs,
      })),
      [
        {
          name: "metrics-exporter",
          kind: "sidecar",
          cpus: "4,20",
          isolation: "pod",
          assignmentType: "pod_shared",
          memoryAssignmentType: "pod_shared",
          cpusetMems: [0],
          cfsQuotaUs: null,
        },
        {
          name: "backup-agent",
          kind: "sidecar",
          cpus: "4,20",
          isolation: "pod",
          assignmentType: "pod_shared",
          memoryAssignmentType: "pod_shared",
          cpusetMems: [0],
          cfsQuotaUs: null,
        },
        {
          name: "database",
          kind: "app",
          cpus: "1-3,17-19",
          isolation: "container",
          assignmentType: "pod_exclusive",
          memoryAssignmentType: "pod_exclusive",
          cpusetMems: [0],
          cfsQuotaUs: -1,
        },
      ],
    );
  });

  it("splits the 16Gi memory bubble into 12Gi for database and 4Gi shared (step 5)", () => {
    const { node, result } = setup();
    assert.deepEqual(result.podDecision?.memory, [block([0], "memory", 16n * Gi)]);
    assert.deepEqual(containerOf(result, "database").memory, [block([0], "memory", 12n * Gi)]);
    for (const name of ["metrics-exporter", "backup-agent"])
      assert.deepEqual(containerOf(result, name).memory, [block([0], "memory", 4n * Gi)]);
    const ms = node.memoryPolicy!.state.machineState;
    assert.deepEqual(memoryTable(ms, 0), {
      total: 64n * Gi,
      systemReserved: 1100n * Mi,
      allocatable: NUMA0_ALLOCATABLE,
      reserved: 16n * Gi,
      free: NUMA0_ALLOCATABLE - 16n * Gi,
    });
    assert.equal(ms.get(0)?.numberOfAssignments, 1);
    assert.deepEqual(ms.get(0)?.cells, [0]);
    assert.equal(ms.get(1)?.numberOfAssignments, 0);
    assert.equal(memoryTable(ms, 1).reserved, 0n);
  });

  it("keeps the pod CFS quota at the pod CPU limit and the memory limit at 16Gi (step 6)", () => {
    const { result } = setup();
    const cg = result.podDecision!.cgroup;
    assert.equal(cg.cpuQuotaUs, 800_000);
    assert.equal(cg.cpuPeriodUs, 100_000);
    assert.equal(cg.cpuShares, 8192);
    assert.equal(cg.memoryLimitBytes, 16n * Gi);
  });

  it("moves exactly the metrics of step 7", () => {
    const { node, before } = setup();
    assert.deepEqual(metricDelta(before, node.metrics.snapshot()), {
      "container_aligned_compute_resources_count{container,uncore_cache}": 1,
      "container_aligned_compute_resources_count{pod,numa_node}": 1,
      cpu_manager_exclusive_cpu_allocation_count: 8,
      cpu_manager_pinning_requests_total: 1,
      cpu_manager_shared_pool_size_millicores: -8000,
      memory_manager_pinning_requests_total: 4,
      "resource_manager_allocations_total{cpu,pod}": 3,
      "resource_manager_allocations_total{memory,pod}": 3,
      "resource_manager_container_assignments{cpu,pod_exclusive}": 1,
      "resource_manager_container_assignments{cpu,pod_shared}": 2,
      "resource_manager_container_assignments{memory,pod_exclusive}": 1,
      "resource_manager_container_assignments{memory,pod_shared}": 2,
      topology_manager_admission_requests_total: 1,
    });
  });

  it("stores the checkpoint content of step 9", () => {
    const { node, pod } = setup();
    const s = snapshotNode(node);
    assert.equal(s.defaultCpuSet, "0,5-16,21-31");
    assert.deepEqual(s.cpuEntries, {
      [pod.uid]: { "backup-agent": "4,20", database: "1-3,17-19", "metrics-exporter": "4,20" },
    });
    assert.deepEqual(s.podCpuEntries, { [pod.uid]: "1-4,17-20" });
    assert.deepEqual(s.podMemoryEntries, { [pod.uid]: [block([0], "memory", 16n * Gi)] });
  });

  it("keeps every node invariant", () => {
    const { node, pod } = setup();
    assert.deepEqual(invariantViolations(node, { pods: new Map([[pod.uid, pod]]) }), []);
  });

  it("releases nothing until the last container leaves, then restores everything (step 10)", () => {
    const { node, pod, initial, result } = setup();
    const admittedState = snapshotNode(node);
    const gauges = node.metrics.snapshot();
    node.removeContainer(pod.uid, "metrics-exporter");
    node.removeContainer(pod.uid, "backup-agent");
    const midway = snapshotNode(node);
    assert.equal(midway.defaultCpuSet, result.defaultCpuSet.toString());
    assert.deepEqual(midway.podCpuEntries, admittedState.podCpuEntries);
    assert.deepEqual(midway.machineState, admittedState.machineState);
    assert.deepEqual(midway.podMemoryEntries, admittedState.podMemoryEntries);
    node.removeContainer(pod.uid, "database");
    assert.deepEqual(snapshotNode(node), initial);
    const after = node.metrics.snapshot();
    assert.equal(
      after.cpu_manager_shared_pool_size_millicores,
      gauges.cpu_manager_shared_pool_size_millicores + 8000,
    );
    assert.equal(after.cpu_manager_exclusive_cpu_allocation_count, 0);
  });

  it("Node.remove restores the empty node as well", () => {
    const { node, pod, initial } = setup();
    assert.equal(node.remove(pod.uid).defaultCpuSet.toString(), "0-31");
    assert.deepEqual(snapshotNode(node), initial);
    assert.deepEqual(node.admittedPods(), []);
  });
});

describe("pod-level.md §7.2 blog example 2: ml-workload, container scope", () => {
  const setup = (overrides: Partial<NodeConfig> = {}) => {
    const node = new Node({ machine: machineM(), config: exampleConfig("container", overrides) });
    const pod = podFromYaml(read("ml-workload.yaml"));
    const initial = snapshotNode(node);
    const before = node.metrics.snapshot();
    const result = node.admit(pod);
    return { node, pod, initial, before, result };
  };

  it("1.37: ml-training gets 1-2,17 on NUMA 0 and the sidecar the node shared pool (steps 1-3)", () => {
    const { result } = setup();
    assert.equal(result.admitted, true, `${result.reason}: ${result.message}`);
    assert.equal(result.defaultCpuSet.toString(), "0,3-16,18-31");
    assert.equal(result.podDecision?.bubble, null);
    assert.equal(result.podDecision?.podSharedPool, null);
    assert.equal(result.podDecision?.memory, null);
    const training = containerOf(result, "ml-training");
    assert.equal(training.cpus.toString(), "1-2,17");
    assert.equal(training.isolation, "container");
    assert.equal(training.assignmentType, "node_exclusive");
    assert.equal(training.memoryAssignmentType, "node_exclusive");
    assert.deepEqual(training.numaAffinity, [0]);
    assert.deepEqual(training.memory, [block([0], "memory", 6n * Gi)]);
    assert.deepEqual(training.cpusetMems, [0]);
    assert.equal(training.cfsQuotaUs, -1);
    const sidecar = containerOf(result, "service-mesh-sidecar");
    assert.equal(sidecar.kind, "sidecar");
    assert.equal(sidecar.cpus.toString(), "0,3-16,18-31");
    assert.equal(sidecar.hasCPUAssignment, false);
    assert.equal(sidecar.isolation, "host");
    assert.equal(sidecar.assignmentType, "node_shared");
    assert.equal(sidecar.memoryAssignmentType, "node_shared");
    assert.equal(sidecar.numaAffinity, null, "single-numa-node stores a null affinity for 'don't care'");
    assert.equal(sidecar.memory, null);
    assert.equal(sidecar.cpusetMems, null);
    assert.equal(sidecar.cfsQuotaUs, null);
  });

  it("1.37: the sidecar has no hints (don't care), ml-training {0}/{1} preferred from both providers", () => {
    const { result } = setup();
    const hints = [
      { numaNodes: [0], preferred: true },
      { numaNodes: [1], preferred: true },
      { numaNodes: [0, 1], preferred: false },
    ];
    assert.equal(result.trace.path, "container");
    assert.deepEqual(
      result.trace.merges.map((m) => ({ container: m.container, answers: m.answers, hint: m.hint })),
      [
        {
          container: "service-mesh-sidecar",
          answers: [
            { provider: "device", hints: {} },
            { provider: "cpu", hints: null },
            { provider: "memory", hints: null },
          ],
          hint: { numaNodes: null, preferred: true },
        },
        {
          container: "ml-training",
          answers: [
            { provider: "device", hints: {} },
            { provider: "cpu", hints: { cpu: hints } },
            { provider: "memory", hints: { memory: hints } },
          ],
          hint: { numaNodes: [0], preferred: true },
        },
      ],
    );
  });

  it("1.37: NUMA 0 reserves 6Gi for one assignment", () => {
    const { node } = setup();
    const ms = node.memoryPolicy!.state.machineState;
    assert.equal(memoryTable(ms, 0).reserved, 6n * Gi);
    assert.equal(memoryTable(ms, 0).free, NUMA0_ALLOCATABLE - 6n * Gi);
    assert.equal(ms.get(0)?.numberOfAssignments, 1);
  });

  it("1.37: the pod cgroup has the 8Gi limit and quota -1, the documentation's 4 CPUs beside it (PL-1)", () => {
    const { result } = setup();
    const cg = result.podDecision!.cgroup;
    assert.equal(cg.memoryLimitBytes, 8n * Gi);
    assert.equal(cg.cpuQuotaUs, -1);
    assert.equal(cg.documentedCpuQuotaUs, 400_000);
  });

  it("1.37: moves exactly the metrics of step 4", () => {
    const { node, before } = setup();
    assert.deepEqual(metricDelta(before, node.metrics.snapshot()), {
      // +1 per container of the pod once its allocations succeeded (conformance node/admit.json).
      "container_aligned_compute_resources_count{container,numa_node}": 2,
      "container_aligned_compute_resources_count{container,uncore_cache}": 1,
      "cpu_manager_allocation_per_numa{0}": 3,
      cpu_manager_exclusive_cpu_allocation_count: 3,
      cpu_manager_pinning_requests_total: 1,
      cpu_manager_shared_pool_size_millicores: -3000,
      memory_manager_pinning_requests_total: 1,
      "resource_manager_allocations_total{cpu,node}": 1,
      "resource_manager_allocations_total{memory,node}": 1,
      "resource_manager_container_assignments{cpu,node_exclusive}": 1,
      "resource_manager_container_assignments{memory,node_exclusive}": 1,
      topology_manager_admission_requests_total: 1,
    });
  });

  it("1.37: removal restores the empty node", () => {
    const { node, pod, initial } = setup();
    assert.deepEqual(invariantViolations(node, { pods: new Map([[pod.uid, pod]]) }), []);
    assert.equal(node.remove(pod.uid).defaultCpuSet.toString(), "0-31");
    assert.deepEqual(snapshotNode(node), initial);
  });

  it("1.36 with the Memory Manager Static rejects the pod at the sidecar (MM-1)", () => {
    const { node, before, result, initial } = setup({ kubernetesVersion: "1.36" });
    assert.equal(result.admitted, false);
    assert.equal(result.reason, "UnexpectedAdmissionError");
    assert.equal(
      result.message,
      "Allocate failed due to [memorymanager] failed to get the default NUMA affinity, no NUMA nodes with enough memory is available, which is unexpected",
    );
    assert.equal(result.containers, null);
    assert.equal(result.defaultCpuSet.toString(), "0-31");
    assert.deepEqual(snapshotNode(node), initial);
    assert.deepEqual(metricDelta(before, node.metrics.snapshot()), {
      memory_manager_pinning_errors_total: 1,
      memory_manager_pinning_requests_total: 1,
      "resource_manager_allocation_errors_total{memory,node}": 1,
      topology_manager_admission_errors_total: 1,
      topology_manager_admission_requests_total: 1,
    });
  });

  it("1.36 with the Memory Manager None places the CPUs as 1.37 does", () => {
    const { node, pod, initial, result } = setup({ kubernetesVersion: "1.36", memoryManagerPolicy: "None" });
    assert.equal(result.admitted, true, `${result.reason}: ${result.message}`);
    assert.equal(containerOf(result, "ml-training").cpus.toString(), "1-2,17");
    assert.equal(containerOf(result, "ml-training").memory, null);
    assert.equal(containerOf(result, "ml-training").cpusetMems, null);
    assert.equal(containerOf(result, "service-mesh-sidecar").cpus.toString(), "0,3-16,18-31");
    assert.equal(result.defaultCpuSet.toString(), "0,3-16,18-31");
    assert.equal(node.remove(pod.uid).defaultCpuSet.toString(), "0-31");
    assert.deepEqual(snapshotNode(node), initial);
  });

  it("the same CPUs are chosen on a fresh node every time", () => {
    for (let i = 0; i < 3; i++)
      assert.ok(containerOf(setup().result, "ml-training").cpus.equals(cpus("1-2,17")));
  });
});
