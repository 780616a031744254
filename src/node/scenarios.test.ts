import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Pod } from "../k8s/index.js";
import { Node } from "./node.js";
import {
  bestEffortPod,
  containerOf,
  Gi,
  invariantViolations,
  machineM,
  snapshotNode,
  type TestContainer,
  testPod,
  workedExampleConfig,
} from "./test-support.js";
import type { AdmissionResult, NodeConfig, TopologyManagerScopeName } from "./types.js";

/*
 * pod-level.md §7.3: the tutorial and KEP scenarios on machine M with the §7 kubelet
 * configuration. Where the spec calls CPU ids illustrative, the ids asserted are those of the
 * kubelet's own decision (conformance node/admit.json), and the shape (sizes, sharing, disjointness)
 * is asserted as well.
 */

const POD_REJECTED_SCOPE =
  "Pod Scope pod with pod-level resources failed admission under pod-scope topology manager";
const EMPTY_POOL =
  "pod rejected, sum of exclusive container cpu requests equals pod budget, leaving no cpus for shared containers";
const MM1_MESSAGE =
  "Allocate failed due to [memorymanager] failed to get the default NUMA affinity, no NUMA nodes with enough memory is available, which is unexpected";

function nodeOf(scope: TopologyManagerScopeName, overrides: Partial<NodeConfig> = {}): Node {
  return new Node({ machine: machineM(), config: workedExampleConfig(scope, overrides) });
}

/** Per container: `cpus isolation assignmentType [NUMA:type:GiB ...]`. */
function summary(result: AdmissionResult): Record<string, string> {
  assert.equal(result.admitted, true, `${result.reason}: ${result.message}`);
  return Object.fromEntries(
    (result.containers ?? []).map((c) => [
      c.name,
      [
        c.cpus.toString(),
        c.isolation,
        c.assignmentType,
        ...(c.memory ?? []).map((b) => `${b.numaAffinity}:${b.type}:${Number(b.size) / Number(Gi)}Gi`),
      ].join(" "),
    ]),
  );
}

function assertInvariants(node: Node, ...pods: Pod[]): void {
  assert.deepEqual(invariantViolations(node, { pods: new Map(pods.map((p) => [p.uid, p])) }), []);
}

const app = (name: string, cpu?: string, memory?: string): TestContainer => ({ name, cpu, memory });
const sidecar = (name: string, cpu?: string, memory?: string): TestContainer => ({
  name,
  cpu,
  memory,
  sidecar: true,
});

describe("§7.3 pod-scope-mixed", () => {
  const pod = testPod("uid-psm", {
    budget: { cpu: "4", memory: "4Gi" },
    init: [sidecar("metrics-sidecar"), sidecar("logging-sidecar")],
    containers: [app("main-app", "2", "2Gi")],
  });

  it("bubble 1-2,17-18; main-app 1,17 exclusive; sidecars share 2,18; 4Gi on NUMA 0", () => {
    const node = nodeOf("pod");
    const r = node.admit(pod);
    assert.deepEqual(summary(r), {
      "metrics-sidecar": "2,18 pod pod_shared 0:memory:2Gi",
      "logging-sidecar": "2,18 pod pod_shared 0:memory:2Gi",
      "main-app": "1,17 container pod_exclusive 0:memory:2Gi",
    });
    assert.equal(r.podDecision?.bubble?.toString(), "1-2,17-18");
    assert.equal(r.podDecision?.podSharedPool?.toString(), "2,18");
    assert.deepEqual(r.podDecision?.memory, [{ numaAffinity: [0], type: "memory", size: 4n * Gi }]);
    assert.equal(containerOf(r, "main-app").cfsQuotaUs, -1);
    assert.equal(containerOf(r, "metrics-sidecar").cfsQuotaUs, null);
    assert.equal(
      r.podDecision?.cgroup.cpuQuotaUs,
      400_000,
      "sidecars at level pod keep the pod quota (§4.3)",
    );
    assert.equal(r.defaultCpuSet.toString(), "0,3-16,19-31");
    assertInvariants(node, pod);
  });
});

describe("§7.3 empty-shared-pool", () => {
  const pod = testPod("uid-esp", {
    budget: { cpu: "4", memory: "4Gi" },
    init: [sidecar("metrics-sidecar", "1", "1Gi"), sidecar("logging-sidecar")],
    containers: [app("main-app", "3", "3Gi")],
  });

  for (const policy of ["single-numa-node", "restricted"] as const) {
    it(`${policy}: TopologyAffinityError from the unsatisfiable pod hints, node untouched`, () => {
      const node = nodeOf("pod", { topologyManagerPolicy: policy });
      const initial = snapshotNode(node);
      const r = node.admit(pod);
      assert.equal(r.admitted, false);
      assert.equal(r.reason, "TopologyAffinityError");
      assert.equal(r.message, POD_REJECTED_SCOPE);
      assert.equal(r.leftoverState, false);
      assert.deepEqual(snapshotNode(node), initial);
    });
  }

  it("best-effort: admitted by the merge, then AllocatePod fails with EmptyPodSharedPoolError", () => {
    const node = nodeOf("pod", { topologyManagerPolicy: "best-effort" });
    const initial = snapshotNode(node);
    const before = node.metrics.snapshot();
    const r = node.admit(pod);
    assert.equal(r.admitted, false);
    assert.equal(r.reason, "EmptyPodSharedPoolError");
    assert.equal(r.message, EMPTY_POOL);
    assert.equal(r.leftoverState, false);
    assert.deepEqual(snapshotNode(node), initial);
    const after = node.metrics.snapshot();
    assert.equal(after.cpu_manager_pinning_errors_total - (before.cpu_manager_pinning_errors_total ?? 0), 1);
    assert.equal(after["resource_manager_allocation_errors_total{cpu,pod}"], 1);
  });
});

describe("§7.3 container-scope-mixed", () => {
  const pod = testPod("uid-csm", {
    budget: { cpu: "4", memory: "4Gi" },
    init: [sidecar("infrastructure-sidecar", "2", "2Gi")],
    containers: [app("worker-1"), app("worker-2")],
  });

  it("1.37: the sidecar is node-exclusive on 1,17 with 2Gi on NUMA 0; workers in the node shared pool", () => {
    const node = nodeOf("container");
    const r = node.admit(pod);
    assert.deepEqual(summary(r), {
      "infrastructure-sidecar": "1,17 container node_exclusive 0:memory:2Gi",
      "worker-1": "0,2-16,18-31 host node_shared",
      "worker-2": "0,2-16,18-31 host node_shared",
    });
    assert.equal(r.podDecision?.bubble, null);
    assert.equal(r.podDecision?.cgroup.memoryLimitBytes, 4n * Gi);
    // OPEN PL-1 (pod-level.md §9): the kubelet rule gives -1, the documentation caps at 4 CPUs.
    assert.equal(r.podDecision?.cgroup.cpuQuotaUs, -1);
    assert.equal(r.podDecision?.cgroup.documentedCpuQuotaUs, 400_000);
    assertInvariants(node, pod);
  });

  it("1.36 with Memory Manager Static: rejected at the first worker (MM-1), leftover cleaned next time", () => {
    const node = nodeOf("container", { kubernetesVersion: "1.36" });
    const initial = snapshotNode(node);
    const r = node.admit(pod);
    assert.equal(r.admitted, false);
    assert.equal(r.reason, "UnexpectedAdmissionError");
    assert.equal(r.message, MM1_MESSAGE);
    assert.equal(r.leftoverState, true);
    assert.equal(r.defaultCpuSet.toString(), "0,2-16,18-31");
    const cleanup = bestEffortPod("uid-cleanup");
    assert.equal(node.admit(cleanup).admitted, true);
    node.remove(cleanup.uid);
    assert.deepEqual(snapshotNode(node), initial);
  });

  it("1.36 with Memory Manager None: the CPUs as in 1.37", () => {
    const r = nodeOf("container", { kubernetesVersion: "1.36", memoryManagerPolicy: "None" }).admit(pod);
    assert.deepEqual(summary(r), {
      "infrastructure-sidecar": "1,17 container node_exclusive",
      "worker-1": "0,2-16,18-31 host node_shared",
      "worker-2": "0,2-16,18-31 host node_shared",
    });
  });
});

describe("§7.3 KEP pod-scope tables (pod of 5 CPUs)", () => {
  const budget = { cpu: "5", memory: "5Gi" };

  it("three Guaranteed containers 3/1/1 get three distinct slices of the bubble", () => {
    const node = nodeOf("pod");
    const pod = testPod("uid-k1", {
      budget,
      containers: [app("c1", "3", "1Gi"), app("c2", "1", "1Gi"), app("c3", "1", "1Gi")],
    });
    const r = node.admit(pod);
    assert.deepEqual(summary(r), {
      c1: "1,3,17 container pod_exclusive 0:memory:1Gi",
      c2: "2 container pod_exclusive 0:memory:1Gi",
      c3: "18 container pod_exclusive 0:memory:1Gi",
    });
    const bubble = r.podDecision!.bubble!;
    assert.equal(bubble.toString(), "1-3,17-18");
    const sets = ["c1", "c2", "c3"].map((n) => containerOf(r, n).cpus);
    assert.deepEqual(
      sets.map((s) => s.size),
      [3, 1, 1],
    );
    assert.ok(sets[0].union(sets[1], sets[2]).equals(bubble), "the slices tile the bubble");
    assertInvariants(node, pod);
  });

  it("C1 3 CPUs plus two shared containers: C2 and C3 share the other 2", () => {
    const node = nodeOf("pod");
    const pod = testPod("uid-k2", { budget, containers: [app("c1", "3", "1Gi"), app("c2"), app("c3")] });
    assert.deepEqual(summary(node.admit(pod)), {
      c1: "1,3,17 container pod_exclusive 0:memory:1Gi",
      c2: "2,18 pod pod_shared 0:memory:4Gi",
      c3: "2,18 pod pod_shared 0:memory:4Gi",
    });
    assertInvariants(node, pod);
  });

  it("no Guaranteed containers: all share the 5-CPU bubble", () => {
    const node = nodeOf("pod");
    const pod = testPod("uid-k3", { budget, containers: [app("c1"), app("c2"), app("c3")] });
    const r = node.admit(pod);
    assert.deepEqual(summary(r), {
      c1: "1-3,17-18 pod pod_shared 0:memory:5Gi",
      c2: "1-3,17-18 pod pod_shared 0:memory:5Gi",
      c3: "1-3,17-18 pod pod_shared 0:memory:5Gi",
    });
    assert.equal(r.podDecision?.podSharedPool?.toString(), "1-3,17-18");
    assertInvariants(node, pod);
  });

  it("C1 3 + C2 2 + shared C3: rejected (no CPU left for C3)", () => {
    const node = nodeOf("pod");
    const initial = snapshotNode(node);
    const pod = testPod("uid-k4", {
      budget,
      containers: [app("c1", "3", "1Gi"), app("c2", "2", "1Gi"), app("c3")],
    });
    const r = node.admit(pod);
    assert.equal(r.admitted, false);
    assert.equal(r.reason, "TopologyAffinityError");
    assert.equal(r.message, POD_REJECTED_SCOPE);
    assert.deepEqual(snapshotNode(node), initial);
  });

  it("KEP example 1: a 4-CPU pod of three containers without resources gives all three one set", () => {
    const node = nodeOf("pod");
    const pod = testPod("uid-k5", {
      budget: { cpu: "4", memory: "4Gi" },
      containers: [app("c1"), app("c2"), app("c3")],
    });
    assert.deepEqual(summary(node.admit(pod)), {
      c1: "1-2,17-18 pod pod_shared 0:memory:4Gi",
      c2: "1-2,17-18 pod pod_shared 0:memory:4Gi",
      c3: "1-2,17-18 pod pod_shared 0:memory:4Gi",
    });
    assertInvariants(node, pod);
  });
});

describe("§7.3 KEP: container scope, pod-level resources only", () => {
  const pod = testPod("uid-k6", { budget: { cpu: "4", memory: "4Gi" }, containers: [app("c1"), app("c2")] });

  it("1.37: no alignment, everything in the node shared pool", () => {
    const node = nodeOf("container");
    const initial = snapshotNode(node);
    const r = node.admit(pod);
    assert.deepEqual(summary(r), { c1: "0-31 host node_shared", c2: "0-31 host node_shared" });
    assert.deepEqual(
      r.containers?.map((c) => c.numaAffinity),
      [null, null],
    );
    assert.deepEqual(snapshotNode(node), initial, "nothing is allocated");
  });

  it("1.36 with Memory Manager Static: rejected by MM-1", () => {
    const r = nodeOf("container", { kubernetesVersion: "1.36" }).admit(pod);
    assert.equal(r.reason, "UnexpectedAdmissionError");
    assert.equal(r.message, MM1_MESSAGE);
  });
});

describe("§7.3 KEP end-to-end scenarios (pod scope)", () => {
  it("shared-only: both containers share the whole 2-CPU bubble", () => {
    const node = nodeOf("pod");
    const pod = testPod("uid-sh", { budget: { cpu: "2", memory: "2Gi" }, containers: [app("a"), app("b")] });
    assert.deepEqual(summary(node.admit(pod)), {
      a: "1,17 pod pod_shared 0:memory:2Gi",
      b: "1,17 pod pod_shared 0:memory:2Gi",
    });
    assertInvariants(node, pod);
  });

  it("exclusive-only: each container a distinct set, the pod quota unlimited", () => {
    const node = nodeOf("pod");
    const pod = testPod("uid-ex", {
      budget: { cpu: "4", memory: "2Gi" },
      containers: [app("a", "2", "1Gi"), app("b", "2", "1Gi")],
    });
    const r = node.admit(pod);
    assert.deepEqual(summary(r), {
      a: "1,17 container pod_exclusive 0:memory:1Gi",
      b: "2,18 container pod_exclusive 0:memory:1Gi",
    });
    assert.equal(r.podDecision?.cgroup.cpuQuotaUs, -1, "no container at level pod (§4.3)");
    assertInvariants(node, pod);
  });

  it("init container exclusive: its CPUs are reused by an app container and the shared pool", () => {
    const node = nodeOf("pod");
    const pod = testPod("uid-e1", {
      budget: { cpu: "4", memory: "4Gi" },
      init: [app("init-1", "3", "1Gi")],
      containers: [app("app-1", "2", "1Gi"), app("app-2")],
    });
    const r = node.admit(pod);
    assert.deepEqual(summary(r), {
      "init-1": "1-2,17 container pod_exclusive 0:memory:1Gi",
      "app-1": "1,17 container pod_exclusive 0:memory:1Gi",
      "app-2": "2,18 pod pod_shared 0:memory:3Gi",
    });
    const init = containerOf(r, "init-1").cpus;
    assert.ok(init.intersects(containerOf(r, "app-1").cpus), "app-1 reuses init-1's CPUs");
    assert.ok(init.intersects(containerOf(r, "app-2").cpus), "the shared pool reuses init-1's CPUs");
    assertInvariants(node, pod);
  });

  it("sidecar exclusive: its CPUs are never reused", () => {
    const node = nodeOf("pod");
    const pod = testPod("uid-e2", {
      budget: { cpu: "4", memory: "4Gi" },
      init: [sidecar("sidecar-1", "1", "1Gi")],
      containers: [app("app-1", "2", "1Gi"), app("app-2")],
    });
    const r = node.admit(pod);
    assert.deepEqual(summary(r), {
      "sidecar-1": "1 container pod_exclusive 0:memory:1Gi",
      "app-1": "2,18 container pod_exclusive 0:memory:1Gi",
      "app-2": "17 pod pod_shared 0:memory:2Gi",
    });
    const side = containerOf(r, "sidecar-1").cpus;
    assert.ok(!side.intersects(containerOf(r, "app-1").cpus.union(containerOf(r, "app-2").cpus)));
    assertInvariants(node, pod);
  });

  it("full-pcpus-only: a total of 4 gets whole cores, a total of 3 is an SMTAlignmentError", () => {
    const node = nodeOf("pod", { cpuManagerPolicyOptions: { "full-pcpus-only": "true" } });
    const even = testPod("uid-f1", {
      budget: { cpu: "4", memory: "4Gi" },
      containers: [app("app-1", "2", "1Gi"), app("app-2")],
    });
    const r = node.admit(even);
    assert.deepEqual(summary(r), {
      "app-1": "1,17 container pod_exclusive 0:memory:1Gi",
      "app-2": "2,18 pod pod_shared 0:memory:3Gi",
    });
    const bubble = r.podDecision!.bubble!;
    assert.ok(node.machine.topology.physicalCPUsOf(bubble).equals(bubble), "the bubble is whole cores");
    const stateAfterEven = snapshotNode(node);
    const odd = testPod("uid-f2", {
      budget: { cpu: "3", memory: "4Gi" },
      containers: [app("app-1", "2", "1Gi"), app("app-2")],
    });
    const r2 = node.admit(odd);
    assert.equal(r2.admitted, false);
    assert.equal(r2.reason, "SMTAlignmentError");
    assert.equal(r2.message, "SMT Alignment Error: requested 3 cpus not multiple cpus per core = 2");
    assert.equal(r2.defaultCpuSet.toString(), "0,3-16,19-31");
    assert.deepEqual(snapshotNode(node).podCpuEntries, stateAfterEven.podCpuEntries);
    assertInvariants(node, even, odd);
  });

  it("sequential pods get the same CPUs back after release", () => {
    const node = nodeOf("pod");
    const initial = snapshotNode(node);
    const spec = {
      budget: { cpu: "4", memory: "4Gi" },
      containers: [app("app", "2", "1Gi"), app("shared")],
    };
    const first = node.admit(testPod("uid-s1", spec));
    const want = {
      app: "1,17 container pod_exclusive 0:memory:1Gi",
      shared: "2,18 pod pod_shared 0:memory:3Gi",
    };
    assert.deepEqual(summary(first), want);
    assert.equal(node.remove("uid-s1").defaultCpuSet.toString(), "0-31");
    assert.deepEqual(snapshotNode(node), initial);
    assert.deepEqual(summary(node.admit(testPod("uid-s2", spec))), want);
  });
});
