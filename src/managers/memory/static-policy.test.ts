import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ManagerError, MetricsRegistry } from "../../core/index.js";
import { DEFAULT_FEATURE_GATES } from "../../k8s/index.js";
import { ERR_DEFAULT_AFFINITY, ERR_GROUP_RULE } from "./hints.js";
import { cloneMemoryState } from "./memory-state.js";
import { QUANTITY_NOT_INT64 } from "./requests.js";
import { StaticPolicy } from "./static-policy.js";
import { Gi, gatesOn, guaranteed, harness, hint, machine, Mi, pod, resources } from "./test-support.js";

const cpuMem = (memory: string) => ({ cpu: "1", memory });
const sizes = (h: ReturnType<typeof harness>, uid: string, names: string[]) =>
  names.map((n) => h.policy.getMemoryBlocks(uid, n)?.map((b) => b.size));
const memoryTable = (h: ReturnType<typeof harness>, node = 0) =>
  h.policy.state.machineState.get(node)!.memoryMap.get("memory")!;

describe("Static policy: init-container reuse (memory-manager.md §6)", () => {
  it("init 4Gi and 3Gi, then app 2Gi and 1Gi: blocks shrink as the new sizes are consumed", () => {
    const h = harness({ memory: machine(1, 12n * Gi) });
    const p = pod("p", {
      initContainers: [guaranteed("i1", cpuMem("4Gi")), guaranteed("i2", cpuMem("3Gi"))],
      containers: [guaranteed("a1", cpuMem("2Gi")), guaranteed("a2", cpuMem("1Gi"))],
    });
    const names = ["i1", "i2", "a1", "a2"];
    h.policy.allocate(p, p.initContainers[0]);
    h.policy.allocate(p, p.initContainers[1]);
    assert.deepEqual(sizes(h, "p", ["i1", "i2"]), [[Gi], [3n * Gi]]);
    h.policy.allocate(p, p.containers[0]);
    assert.deepEqual(sizes(h, "p", ["i1", "i2", "a1"]), [[0n], [2n * Gi], [2n * Gi]]);
    h.policy.allocate(p, p.containers[1]);
    assert.deepEqual(sizes(h, "p", names), [[0n], [Gi], [2n * Gi], [Gi]]);
    assert.equal(memoryTable(h).reserved, 4n * Gi);
    assert.equal(h.policy.state.machineState.get(0)!.numberOfAssignments, 4);
  });

  it("init 1Gi and 2Gi, then app 3Gi and 4Gi: 7Gi reserved, both init blocks end at 0", () => {
    const h = harness({ memory: machine(1, 12n * Gi) });
    const p = pod("p", {
      initContainers: [guaranteed("i1", cpuMem("1Gi")), guaranteed("i2", cpuMem("2Gi"))],
      containers: [guaranteed("a1", cpuMem("3Gi")), guaranteed("a2", cpuMem("4Gi"))],
    });
    for (const c of [...p.initContainers, ...p.containers]) assert.equal(h.policy.allocate(p, c), null);
    assert.deepEqual(sizes(h, "p", ["i1", "i2", "a1", "a2"]), [[0n], [0n], [3n * Gi], [4n * Gi]]);
    assert.equal(memoryTable(h).reserved, 7n * Gi);
  });

  it("removing every container, shrunk init blocks included, restores the machine state", () => {
    const h = harness({ memory: machine(1, 12n * Gi) });
    const before = cloneMemoryState(h.policy.state).machineState;
    const p = pod("p", {
      initContainers: [guaranteed("i1", cpuMem("4Gi")), guaranteed("i2", cpuMem("3Gi"))],
      containers: [guaranteed("a1", cpuMem("2Gi")), guaranteed("a2", cpuMem("1Gi"))],
    });
    for (const c of [...p.initContainers, ...p.containers]) h.policy.allocate(p, c);
    for (const c of [...p.initContainers, ...p.containers]) h.policy.removeContainer("p", c.name);
    assert.deepEqual(h.policy.state.machineState, before);
    assert.equal(h.policy.state.entries.size, 0);
  });

  it("sidecars never donate memory", () => {
    const h = harness({ memory: machine(1, 12n * Gi) });
    const p = pod("p", {
      initContainers: [guaranteed("s1", cpuMem("2Gi"), "Always")],
      containers: [guaranteed("a1", cpuMem("1Gi"))],
    });
    for (const c of [...p.initContainers, ...p.containers]) h.policy.allocate(p, c);
    assert.deepEqual(sizes(h, "p", ["s1", "a1"]), [[2n * Gi], [Gi]]);
    assert.equal(memoryTable(h).reserved, 3n * Gi);
  });
});

describe("Static policy: container path", () => {
  it("counts metrics, is idempotent and reports cpuset.mems", () => {
    const h = harness({ memory: machine(2, 8n * Gi) });
    const p = pod("p", { containers: [guaranteed("a", cpuMem("2Gi"))] });
    assert.equal(h.policy.allocate(p, p.containers[0]), null);
    assert.equal(h.policy.allocate(p, p.containers[0]), null);
    assert.equal(h.metrics.get("memory_manager_pinning_requests_total"), 2);
    assert.equal(h.metrics.get("resource_manager_allocations_total", ["memory", "node"]), 1);
    assert.equal(h.metrics.get("resource_manager_container_assignments", ["memory", "node_exclusive"]), 1);
    assert.deepEqual(h.policy.getMemoryNUMANodes(p, p.containers[0]), [0]);
    assert.deepEqual(h.policy.containerKeys(), [{ podUID: "p", containerName: "a" }]);
    const regenerated = h.policy.getTopologyHints(p, p.containers[0]);
    assert.deepEqual(regenerated, new Map([["memory", [hint([0], true)]]]));
  });

  it("rejects a fractional binary quantity as not representable", () => {
    const h = harness({ memory: machine(1, 8n * Gi) });
    const p = pod("p", { containers: [guaranteed("a", cpuMem("1.5Gi"))] });
    assert.equal(h.policy.allocate(p, p.containers[0])?.message, QUANTITY_NOT_INT64);
    assert.equal(h.metrics.get("memory_manager_pinning_errors_total"), 1);
    assert.equal(h.policy.getTopologyHints(p, p.containers[0]), null);
  });

  it("answers an empty map when nothing fits, and Allocate then fails", () => {
    const h = harness({ memory: machine(1, 4n * Gi) });
    const p = pod("p", { containers: [guaranteed("a", cpuMem("8Gi"))] });
    assert.deepEqual(h.policy.getTopologyHints(p, p.containers[0]), new Map());
    assert.equal(h.policy.allocate(p, p.containers[0])?.message, ERR_DEFAULT_AFFINITY);
  });

  it("fails construction without reserved memory", () => {
    const policy = StaticPolicy.create({
      machine: { memory: machine(1, Gi) },
      reservedMemory: new Map(),
      gates: { ...DEFAULT_FEATURE_GATES },
      version: "1.37",
      affinity: { getAffinity: () => hint(null, false) },
      metrics: new MetricsRegistry(),
    });
    assert.ok(policy instanceof ManagerError);
    assert.equal(policy.message, "[memorymanager] you should specify the system reserved memory");
  });
});

describe("Static policy: MM-1, a container without exclusive memory in container scope", () => {
  const mixed = () =>
    pod("p", {
      containers: [guaranteed("exclusive", cpuMem("1Gi")), { name: "shared", resources: null }],
      resources: {
        requests: resources({ cpu: "2", memory: "4Gi" }),
        limits: resources({ cpu: "2", memory: "4Gi" }),
      },
    });

  it("1.37 skips it: no hints, no entry, no metrics", () => {
    const h = harness({ memory: machine(2, 8n * Gi), gates: gatesOn(), version: "1.37" });
    const p = mixed();
    assert.equal(h.policy.getTopologyHints(p, p.containers[1]), null);
    assert.equal(h.policy.allocate(p, p.containers[1]), null);
    assert.equal(h.policy.getMemoryBlocks("p", "shared"), null);
    assert.deepEqual(h.metrics.snapshot(), {});
  });

  it("1.36 with a null hint fails with the default-affinity error and counts it", () => {
    const h = harness({ memory: machine(2, 8n * Gi), gates: gatesOn(), version: "1.36" });
    const p = mixed();
    assert.deepEqual(h.policy.getTopologyHints(p, p.containers[1]), new Map());
    assert.equal(h.policy.allocate(p, p.containers[1])?.message, ERR_DEFAULT_AFFINITY);
    assert.equal(h.metrics.get("memory_manager_pinning_requests_total"), 1);
    assert.equal(h.metrics.get("memory_manager_pinning_errors_total"), 1);
    assert.equal(h.metrics.get("resource_manager_allocation_errors_total", ["memory", "node"]), 1);
  });

  it("1.36 with an all-nodes hint stores an empty entry that changes nothing", () => {
    const h = harness({ memory: machine(2, 8n * Gi), gates: gatesOn(), version: "1.36" });
    const before = cloneMemoryState(h.policy.state).machineState;
    h.setHint(hint([0, 1], false));
    const p = mixed();
    assert.equal(h.policy.allocate(p, p.containers[1]), null);
    assert.deepEqual(h.policy.getMemoryBlocks("p", "shared"), []);
    assert.equal(h.policy.getMemoryNUMANodes(p, p.containers[1]), null);
    assert.deepEqual(h.policy.state.machineState, before);
    assert.equal(h.metrics.get("resource_manager_container_assignments", ["memory", "node_exclusive"]), 1);
    assert.equal(h.metrics.get("resource_manager_allocations_total", ["memory", "node"]), 0);
    h.policy.removeContainer("p", "shared");
    assert.equal(h.policy.getMemoryBlocks("p", "shared"), null);
    assert.deepEqual(h.policy.state.machineState, before);
  });

  it("1.36 with an all-nodes hint breaks the group rule next to a single-node allocation", () => {
    const h = harness({ memory: machine(2, 8n * Gi), gates: gatesOn(), version: "1.36" });
    const p = mixed();
    h.setHint(hint([0], true));
    assert.equal(h.policy.allocate(p, p.containers[0]), null);
    h.setHint(hint([0, 1], false));
    assert.equal(h.policy.allocate(p, p.containers[1])?.message, ERR_GROUP_RULE);
  });
});

describe("Static policy: pod-level path (pod-level.md §2.5–§2.8)", () => {
  const bubblePod = () =>
    pod("p", {
      initContainers: [{ name: "init", resources: null }, guaranteed("side", cpuMem("1Gi"), "Always")],
      containers: [guaranteed("app", cpuMem("2Gi")), { name: "shared", resources: null }],
      resources: {
        requests: resources({ cpu: "4", memory: "4Gi" }),
        limits: resources({ cpu: "4", memory: "4Gi" }),
      },
    });

  it("partitions the budget, charges it once and releases it with the last container", () => {
    const h = harness({ memory: machine(2, 8n * Gi), gates: gatesOn() });
    const before = cloneMemoryState(h.policy.state).machineState;
    const p = bubblePod();
    assert.deepEqual(
      h.policy.getPodTopologyHints(p),
      new Map([["memory", [hint([0]), hint([1]), hint([0, 1], false)]]]),
    );
    assert.equal(h.policy.allocatePod(p), null);
    assert.deepEqual(sizes(h, "p", ["init", "side", "app", "shared"]), [[4n * Gi], [Gi], [2n * Gi], [Gi]]);
    assert.deepEqual(h.policy.getPodMemoryBlocks("p"), [
      { numaAffinity: [0], type: "memory", size: 4n * Gi },
    ]);
    assert.equal(memoryTable(h).reserved, 4n * Gi);
    assert.equal(h.policy.state.machineState.get(0)!.numberOfAssignments, 1);
    assert.equal(h.metrics.get("memory_manager_pinning_requests_total"), 4);
    assert.equal(h.metrics.get("resource_manager_allocations_total", ["memory", "pod"]), 4);
    assert.equal(h.metrics.get("resource_manager_container_assignments", ["memory", "pod_exclusive"]), 2);
    assert.equal(h.metrics.get("resource_manager_container_assignments", ["memory", "pod_shared"]), 2);

    for (const name of ["init", "side", "app"]) h.policy.removeContainer("p", name);
    assert.equal(memoryTable(h).reserved, 4n * Gi);
    h.policy.removeContainer("p", "shared");
    assert.deepEqual(h.policy.state.machineState, before);
    assert.equal(h.policy.getPodMemoryBlocks("p"), null);
  });

  it("a restored pod-level state validates at start, a tampered one does not", () => {
    const h = harness({ memory: machine(2, 8n * Gi), gates: gatesOn() });
    h.policy.allocatePod(bubblePod());
    const restart = (state: ReturnType<typeof cloneMemoryState>) =>
      (
        StaticPolicy.create({
          machine: { memory: machine(2, 8n * Gi) },
          reservedMemory: new Map([[0, new Map([["memory", Gi]])]]),
          gates: gatesOn(),
          version: "1.37",
          affinity: { getAffinity: () => hint(null, false) },
          metrics: new MetricsRegistry(),
          state,
        }) as StaticPolicy
      ).start();
    assert.equal(restart(cloneMemoryState(h.policy.state)), null);
    const tampered = cloneMemoryState(h.policy.state);
    tampered.machineState.get(0)!.memoryMap.get("memory")!.reserved -= Mi;
    assert.equal(
      restart(tampered)?.message,
      "[memorymanager] the expected machine state is different from the real one",
    );
  });

  const rejects = (spec: Parameters<typeof pod>[1], message: string) => {
    const h = harness({ memory: machine(1, 8n * Gi), gates: gatesOn() });
    const p = pod("p", spec);
    const err = h.policy.allocatePod(p);
    assert.equal(err?.reason, "EmptyPodSharedPoolError");
    assert.equal(err?.message, message);
    assert.deepEqual(h.policy.getPodTopologyHints(p), new Map([["memory", []]]));
    assert.equal(h.metrics.get("resource_manager_allocation_errors_total", ["memory", "pod"]), 1);
  };
  const budget = (memory: string) => ({
    requests: resources({ cpu: "2", memory }),
    limits: resources({ cpu: "2", memory }),
  });

  it("validation: exclusive containers use up the budget while a container shares it", () => {
    rejects(
      {
        containers: [guaranteed("a", cpuMem("1Gi")), { name: "b", resources: null }],
        resources: budget("1Gi"),
      },
      "pod rejected, sum of exclusive container memory requests equals pod budget, leaving no memory for shared containers",
    );
  });

  it("validation: an exclusive init container larger than what sidecars leave", () => {
    rejects(
      {
        initContainers: [guaranteed("s", cpuMem("1Gi"), "Always"), guaranteed("i", cpuMem("2Gi"))],
        containers: [guaranteed("a", cpuMem("512Mi"))],
        resources: budget("2Gi"),
      },
      "pod rejected, largest exclusive init container requests 2147483648 of memory, but only 1073741824 available",
    );
  });

  it("validation: a shared init container after sidecars took the whole budget", () => {
    rejects(
      {
        initContainers: [guaranteed("s", cpuMem("1Gi"), "Always"), { name: "i", resources: null }],
        containers: [guaranteed("a", cpuMem("512Mi"))],
        resources: budget("1Gi"),
      },
      "pod rejected, pod has shared init containers but no memory available for them",
    );
  });

  it("an unreadable pod budget admits the pod without allocating", () => {
    const h = harness({ memory: machine(1, 8n * Gi), gates: gatesOn() });
    const p = pod("p", { containers: [{ name: "a", resources: null }], resources: budget("1.5Gi") });
    assert.equal(h.policy.allocatePod(p), null);
    assert.equal(h.policy.state.entries.size, 0);
    assert.deepEqual(h.metrics.snapshot(), {});
  });

  it("gates off: a pod-level pod gets no hints and no allocation", () => {
    const h = harness({ memory: machine(1, 8n * Gi) });
    const p = pod("p", {
      containers: [guaranteed("a", cpuMem("1Gi"))],
      resources: budget("2Gi"),
      qosClass: "Guaranteed",
    });
    assert.equal(h.policy.getTopologyHints(p, p.containers[0]), null);
    assert.equal(h.policy.getPodTopologyHints(p), null);
    assert.equal(h.policy.allocate(p, p.containers[0]), null);
    assert.equal(h.policy.state.entries.size, 0);
    assert.deepEqual(h.metrics.snapshot(), {});
  });
});
