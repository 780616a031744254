import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { CPUSet } from "../core/index.js";
import type { Machine } from "../machine/index.js";
import {
  type CPUOwner,
  buildNodeView,
  cpuOwners,
  emptyNodeState,
  type NodeState,
  type PodState,
} from "./ownership.js";
import { busyState, machineM, syntheticMachine, workedExampleState } from "./samples.js";

const GI = 1n << 30n;
const MI = 1n << 20n;

function ownerOf(owners: Map<number, CPUOwner>, id: number): CPUOwner {
  const o = owners.get(id);
  assert.ok(o, `CPU ${id} has an owner`);
  return o;
}

describe("cpuOwners on the worked example (pod-level.md §7)", () => {
  const m = machineM();
  const { state } = workedExampleState(m);
  const owners = cpuOwners(m, state);

  it("marks the reserved core, even though it is in the default set", () => {
    for (const id of [0, 16]) assert.deepEqual(ownerOf(owners, id), { kind: "reserved" });
  });

  it("gives the database its exclusive slice of the bubble", () => {
    for (const id of [1, 2, 3, 17, 18, 19]) {
      const o = ownerOf(owners, id);
      assert.equal(o.kind, "pod-exclusive");
      assert.ok(o.kind === "pod-exclusive" && o.container === "database" && o.pod === "8a1f-db");
    }
  });

  it("shows the pod shared pool with every container that shares it", () => {
    for (const id of [4, 20])
      assert.deepEqual(ownerOf(owners, id), {
        kind: "pod-shared",
        pod: "8a1f-db",
        containers: ["metrics-exporter", "backup-agent"],
        initContainers: [],
      });
  });

  it("shows the container-scope pod as node exclusive", () => {
    for (const id of [5, 6, 21]) {
      const o = ownerOf(owners, id);
      assert.ok(o.kind === "node-exclusive" && o.container === "ml-training" && o.containerKind === "app");
    }
  });

  it("lets long-running containers win over the init container's runnable pool", () => {
    const o = ownerOf(owners, 8);
    assert.ok(o.kind === "pod-exclusive" && o.container === "transform");
    assert.deepEqual(o.initContainers, ["fetch-data"]);
  });

  it("shows the bubble CPU no long-running container uses as the wasted remainder", () => {
    assert.deepEqual(ownerOf(owners, 25), {
      kind: "bubble-unused",
      pod: "77e0-etl",
      initContainers: ["fetch-data"],
    });
  });

  it("leaves everything else in the node shared pool", () => {
    for (const id of [7, 10, 15, 22, 31]) assert.deepEqual(ownerOf(owners, id), { kind: "node-shared" });
  });
});

describe("buildNodeView", () => {
  it("counts every owner kind and lists the pods in order", () => {
    const m = machineM();
    const view = buildNodeView(m, workedExampleState(m).state);
    assert.equal(view.cpus.length, 32);
    assert.deepEqual(view.counts, {
      reserved: 2,
      "node-shared": 15,
      "node-exclusive": 3,
      "pod-exclusive": 9,
      "pod-shared": 2,
      "bubble-unused": 1,
      unaccounted: 0,
    });
    assert.deepEqual(
      view.pods.map((p) => [p.name, p.index]),
      [
        ["tightly-coupled-database", 0],
        ["ml-workload", 1],
        ["etl-pipeline", 2],
        ["web-frontend", 3],
      ],
    );
  });

  it("attributes memory per NUMA node to pods and keeps the system reservation apart", () => {
    const m = machineM();
    const view = buildNodeView(m, workedExampleState(m).state);
    const n0 = view.numaNodes[0].memory.find((r) => r.resource === "memory")!;
    assert.equal(n0.systemReserved, 1100n * MI);
    assert.deepEqual(n0.pods, [
      { pod: "8a1f-db", bytes: 16n * GI },
      { pod: "41c2-ml", bytes: 6n * GI },
    ]);
    assert.equal(n0.free, 64n * GI - 1100n * MI - 22n * GI);
    assert.equal(n0.otherReserved, 0n);
    const n1 = view.numaNodes[1].memory.find((r) => r.resource === "memory")!;
    assert.deepEqual(n1.pods, [{ pod: "77e0-etl", bytes: 8n * GI }]);
  });

  it("reports free CPUs per NUMA node as the default set minus the reserved CPUs", () => {
    const m = machineM();
    const view = buildNodeView(m, workedExampleState(m).state);
    assert.equal(view.numaNodes[0].allocatableCpus.toString(), "7,22-23");
    assert.equal(view.numaNodes[0].sharedPoolCpus.toString(), "0,7,16,22-23");
    assert.equal(view.numaNodes[1].allocatableCpus.toString(), "10-15,26-31");
  });

  it("keeps reserved CPUs outside the default set (strict reservation) as reserved", () => {
    const m = machineM();
    const state: NodeState = {
      ...emptyNodeState(m),
      defaultCpuSet: m.topology.all.difference(CPUSet.of(0, 16)),
      reservedCpus: CPUSet.of(0, 16),
    };
    const view = buildNodeView(m, state);
    assert.equal(view.counts.reserved, 2);
    assert.equal(view.cpus[0].inDefaultSet, false);
  });

  it("flags CPUs that are neither in the default set nor held by a pod", () => {
    const m = machineM();
    const state: NodeState = { ...emptyNodeState(m), defaultCpuSet: m.topology.all.difference(CPUSet.of(9)) };
    assert.deepEqual(buildNodeView(m, state).cpus[9].owner, { kind: "unaccounted" });
  });

  it("without a Memory Manager machine state, uses the machine's memory with hugepage pools carved out", () => {
    const base = machineM();
    const m: Machine = {
      ...base,
      memory: new Map([
        [0, { memory: 64n * GI, hugepages: [{ pageSizeKiB: 2048, numPages: 1024n }] }],
        [1, { memory: 64n * GI, hugepages: [] }],
      ]),
    };
    const view = buildNodeView(m, emptyNodeState(m));
    const res = view.numaNodes[0].memory.map((r) => [r.resource, r.total, r.free]);
    assert.deepEqual(res, [
      ["memory", 62n * GI, 62n * GI],
      ["hugepages-2Mi", 2n * GI, 2n * GI],
    ]);
  });

  it("spreads a block over several NUMA nodes the way the Memory Manager fills a group", () => {
    const m = machineM();
    const pod: PodState = {
      uid: "wide",
      name: "wide",
      namespace: "default",
      bubble: null,
      podSharedPool: null,
      memory: null,
      containers: [
        {
          name: "c",
          kind: "app",
          assignmentType: "node_exclusive",
          cpus: CPUSet.of(1),
          memory: [{ numaAffinity: [0, 1], type: "memory", size: 100n * GI }],
        },
      ],
    };
    const table = (reserved: bigint) => ({
      numberOfAssignments: 1,
      memoryMap: new Map([
        [
          "memory",
          { total: 64n * GI, systemReserved: 0n, allocatable: 64n * GI, reserved, free: 64n * GI - reserved },
        ],
      ]),
      cells: [0, 1],
    });
    const state: NodeState = {
      defaultCpuSet: m.topology.all.difference(CPUSet.of(1)),
      reservedCpus: CPUSet.empty,
      pods: [pod],
      memoryMachineState: new Map([
        [0, table(64n * GI)],
        [1, table(36n * GI)],
      ]),
    };
    const view = buildNodeView(m, state);
    assert.deepEqual(view.numaNodes[0].memory[0].pods, [{ pod: "wide", bytes: 64n * GI }]);
    assert.deepEqual(view.numaNodes[1].memory[0].pods, [{ pod: "wide", bytes: 36n * GI }]);
    assert.deepEqual(view.numaNodes[0].cells, [0, 1]);
  });

  it("lists CPU-less NUMA nodes with their memory", () => {
    const m = syntheticMachine({
      name: "hbm",
      sockets: 1,
      numaPerSocket: 1,
      coresPerNuma: 4,
      threadsPerCore: 2,
      memoryOnlyNodes: 2,
      memoryPerNode: 32n * GI,
      memoryOnlyNodeMemory: 16n * GI,
    });
    const view = buildNodeView(m, emptyNodeState(m));
    assert.deepEqual(
      view.numaNodes.map((n) => [n.id, n.cpus.size, n.memory[0].total]),
      [
        [0, 8, 32n * GI],
        [1, 0, 16n * GI],
        [2, 0, 16n * GI],
      ],
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Invariants over random node states
// ---------------------------------------------------------------------------------------------

interface RandomPod {
  bubbleCores: number;
  exclusiveCores: number[];
  sharedContainers: number;
  podScope: boolean;
  initUsesBubble: boolean;
}

const randomPod: fc.Arbitrary<RandomPod> = fc.record({
  bubbleCores: fc.integer({ min: 1, max: 4 }),
  exclusiveCores: fc.array(fc.integer({ min: 1, max: 2 }), { maxLength: 3 }),
  sharedContainers: fc.integer({ min: 0, max: 2 }),
  podScope: fc.boolean(),
  initUsesBubble: fc.boolean(),
});

/** Places random pods core by core on machine M, the way the allocator would (whole cores, no overlap). */
function placePods(m: Machine, specs: RandomPod[], reservedCores: number): NodeState {
  const topo = m.topology;
  const cores = topo.cores();
  const reserved = topo.cpusInCores(cores.slice(0, reservedCores));
  let next = reservedCores;
  const take = (n: number): CPUSet => {
    const ids = cores.slice(next, next + n);
    next += ids.length;
    return topo.cpusInCores(ids);
  };
  const pods: PodState[] = [];
  specs.forEach((s, i) => {
    const uid = `p${i}`;
    if (s.podScope) {
      const bubble = take(s.bubbleCores);
      if (bubble.isEmpty()) return;
      let left = bubble;
      const containers: PodState["containers"][number][] = [];
      if (s.initUsesBubble)
        containers.push({
          name: "init",
          kind: "init",
          assignmentType: "pod_shared",
          cpus: bubble,
          memory: null,
        });
      s.exclusiveCores.forEach((n, j) => {
        const ex = topo.cpusInCores(topo.coresOf(left).slice(0, n));
        if (ex.isEmpty()) return;
        left = left.difference(ex);
        containers.push({
          name: `ex${j}`,
          kind: "app",
          assignmentType: "pod_exclusive",
          cpus: ex,
          memory: null,
        });
      });
      for (let j = 0; j < s.sharedContainers && !left.isEmpty(); j++)
        containers.push({
          name: `sh${j}`,
          kind: "sidecar",
          assignmentType: "pod_shared",
          cpus: left,
          memory: null,
        });
      pods.push({ uid, name: uid, namespace: "ns", bubble, podSharedPool: left, memory: null, containers });
    } else {
      const containers: PodState["containers"][number][] = s.exclusiveCores.map((n, j) => ({
        name: `ex${j}`,
        kind: "app" as const,
        assignmentType: "node_exclusive" as const,
        cpus: take(n),
        memory: null,
      }));
      containers.push({
        name: "shared",
        kind: "app",
        assignmentType: "node_shared",
        cpus: null,
        memory: null,
      });
      pods.push({
        uid,
        name: uid,
        namespace: "ns",
        bubble: null,
        podSharedPool: null,
        memory: null,
        containers,
      });
    }
  });
  const held = CPUSet.empty.union(
    ...pods.flatMap((p) => [p.bubble ?? CPUSet.empty, ...p.containers.map((c) => c.cpus ?? CPUSet.empty)]),
  );
  return { defaultCpuSet: topo.all.difference(held), reservedCpus: reserved, pods, memoryMachineState: null };
}

describe("ownership invariants (property)", () => {
  const m = machineM();

  it("every CPU has exactly one owner, consistent with the state it was derived from", () => {
    fc.assert(
      fc.property(
        fc.array(randomPod, { maxLength: 6 }),
        fc.integer({ min: 0, max: 2 }),
        (specs, reservedCores) => {
          const state = placePods(m, specs, reservedCores);
          const view = buildNodeView(m, state);
          assert.equal(view.cpus.length, m.topology.all.size);
          const total = Object.values(view.counts).reduce((a, b) => a + b, 0);
          assert.equal(total, m.topology.all.size);
          for (const cpu of view.cpus) {
            const o = cpu.owner;
            if (state.reservedCpus.has(cpu.id)) assert.equal(o.kind, "reserved");
            else if (state.defaultCpuSet.has(cpu.id)) assert.equal(o.kind, "node-shared");
            else assert.ok(o.kind !== "unaccounted" && o.kind !== "node-shared" && o.kind !== "reserved");
            const pod = "pod" in o ? state.pods.find((p) => p.uid === o.pod) : undefined;
            if (o.kind === "pod-exclusive") {
              const c = pod?.containers.find((x) => x.name === o.container);
              assert.ok(c?.cpus?.has(cpu.id) && c.assignmentType === "pod_exclusive");
            }
            if (o.kind === "pod-shared") assert.ok(pod?.podSharedPool?.has(cpu.id));
            if (o.kind === "bubble-unused") {
              assert.ok(pod?.bubble?.has(cpu.id));
              const longRunning = pod!.containers.filter((c) => c.kind !== "init" && c.cpus?.has(cpu.id));
              assert.equal(longRunning.length, 0);
            }
            if (o.kind === "node-exclusive") assert.ok(pod?.containers.some((c) => c.cpus?.has(cpu.id)));
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it("pods' bubbles are covered exactly by their exclusive, shared and unused CPUs", () => {
    fc.assert(
      fc.property(fc.array(randomPod, { maxLength: 6 }), (specs) => {
        const state = placePods(m, specs, 1);
        const view = buildNodeView(m, state);
        for (const pod of state.pods) {
          if (!pod.bubble) continue;
          const inBubble = view.cpus
            .filter((c) => "pod" in c.owner && c.owner.pod === pod.uid)
            .map((c) => c.id);
          assert.equal(CPUSet.fromIds(inBubble).toString(), pod.bubble.toString());
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe("busyState sample", () => {
  it("never double-books a CPU on a big machine", () => {
    const m = syntheticMachine({
      name: "big",
      sockets: 2,
      numaPerSocket: 4,
      coresPerNuma: 32,
      threadsPerCore: 2,
      memoryPerNode: 128n * GI,
    });
    const state = busyState(m);
    const seen = new Set<number>();
    for (const p of state.pods) {
      for (const id of p.bubble ?? CPUSet.empty) {
        assert.ok(!seen.has(id), `CPU ${id} is in two bubbles`);
        seen.add(id);
      }
    }
    const view = buildNodeView(m, state);
    assert.equal(view.counts.unaccounted, 0);
    for (const n of view.numaNodes) for (const r of n.memory) assert.ok(r.free >= 0n);
  });
});
