import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ManagerError, MetricsRegistry } from "../../core/index.js";
import { DEFAULT_FEATURE_GATES, type Pod } from "../../k8s/index.js";
import {
  createTopologyManager,
  type HintProvider,
  type ProviderHints,
  type TopologyManager,
} from "../topology/index.js";
import { DeviceManager } from "./manager.js";
import { EMPTY_ALLOCATE_RESPONSE } from "./pod-devices.js";
import type { PodDevices } from "./state.js";
import { container, hint, hintRows, machineDevices, pod, resource, testManager } from "./test-support.js";

const six = resource("gpu", [
  ["d1", null],
  ["d2", null],
  ["d3", null],
  ["d4", null],
  ["d5", null],
  ["d6", null],
]);

const held = (m: DeviceManager, podUID: string) =>
  Object.fromEntries([...m.podDeviceIDs(podUID)].map(([c, r]) => [c, Object.fromEntries(r)]));

function allocateAll(m: DeviceManager, p: Pod): (string | null)[] {
  return [...p.initContainers, ...p.containers].map((c) => m.allocate(p, c)?.message ?? null);
}

describe("Allocate and init-container reuse (device-manager.md §5.1, §6)", () => {
  it("a sidecar never lends its devices; sidecars and apps are pairwise disjoint", () => {
    const { manager, active } = testManager(machineDevices(six), [0]);
    const p = pod(
      "p",
      [container("app1", { gpu: "1" }), container("app2", { gpu: "1" })],
      [
        container("init", { gpu: "3" }),
        container("side1", { gpu: "1" }, "Always"),
        container("side2", { gpu: "2" }, "Always"),
      ],
    );
    active.add("p");
    assert.deepEqual(allocateAll(manager, p), [null, null, null, null, null]);
    const h = held(manager, "p");
    assert.deepEqual(h.init.gpu, ["d1", "d2", "d3"]);
    assert.deepEqual(h.side1.gpu, ["d1"]);
    assert.deepEqual(h.side2.gpu, ["d2", "d3"]);
    const later = [...h.side1.gpu, ...h.side2.gpu, ...h.app1.gpu, ...h.app2.gpu];
    assert.equal(new Set(later).size, later.length);
  });

  it("a standard init container lends what it reused and what it got", () => {
    const { manager, active } = testManager(machineDevices(six), [0]);
    const p = pod(
      "p",
      [container("app", { gpu: "3" })],
      [container("i1", { gpu: "2" }), container("i2", { gpu: "3" })],
    );
    active.add("p");
    allocateAll(manager, p);
    const h = held(manager, "p");
    assert.deepEqual(h.i2.gpu, ["d1", "d2", "d3"]);
    assert.deepEqual(h.app.gpu, ["d1", "d2", "d3"]);
    assert.deepEqual(manager.allocatedDeviceIDs().get("gpu"), ["d1", "d2", "d3"]);
  });

  it("records each device under its NUMA nodes, -1 for none", () => {
    const nic = resource("nic", [
      ["v0", [0, 1]],
      ["v1", null],
    ]);
    const { manager, active } = testManager(machineDevices(nic), [0, 1]);
    active.add("p");
    manager.allocate(pod("p", [container("c", { nic: "2" })]), container("c", { nic: "2" }));
    assert.deepEqual(
      [...manager.containerDevices("p", "c").get("nic")!],
      [
        { id: "v0", numaNodes: [0, 1] },
        { id: "v1", numaNodes: [-1] },
      ],
    );
    assert.deepEqual(
      manager.stateData().podDevices.get("p")?.get("c")?.get("nic")?.deviceIDs,
      new Map([
        [-1, ["v1"]],
        [0, ["v0"]],
        [1, ["v0"]],
      ]),
    );
  });
});

describe("the purge (device-manager.md §2, §7)", () => {
  it("runs at the next hint call, never on removal", () => {
    const { manager, active } = testManager(machineDevices(six), [0]);
    const a = pod("a", [container("c", { gpu: "4" })]);
    active.add("a");
    allocateAll(manager, a);
    active.delete("a");
    assert.deepEqual(manager.allocatedDeviceIDs().get("gpu"), ["d1", "d2", "d3", "d4"]);
    assert.ok(manager.holdsDevicesFor("a"));
    const b = pod("b", [container("c", { gpu: "6" })]);
    active.add("b");
    manager.getTopologyHints(b, b.containers[0]);
    assert.ok(!manager.holdsDevicesFor("a"));
    // The union of what is left: no record of gpu, so no entry.
    assert.equal(manager.allocatedDeviceIDs().has("gpu"), false);
  });

  it("runs inside Allocate only for a container with a device resource", () => {
    const { manager, active } = testManager(machineDevices(six), [0]);
    active.add("a");
    allocateAll(manager, pod("a", [container("c", { gpu: "2" })]));
    active.clear();
    active.add("b");
    manager.allocate(pod("b", [container("cpu-only", { cpu: "1" })]), container("cpu-only", { cpu: "1" }));
    assert.ok(manager.holdsDevicesFor("a"));
    manager.allocate(pod("b", [container("g", { gpu: "1" })]), container("g", { gpu: "1" }));
    assert.ok(!manager.holdsDevicesFor("a"));
    assert.deepEqual(held(manager, "b"), { g: { gpu: ["d1"] } });
  });
});

describe("restored state, capacity and device updates", () => {
  const record = (ids: string[], allocResp: Uint8Array | null = EMPTY_ALLOCATE_RESPONSE) => ({
    deviceIDs: new Map([[-1, ids]]),
    allocResp,
  });
  const restored: PodDevices = new Map([
    [
      "old",
      new Map([
        [
          "c",
          new Map([
            ["gpu", record(["d1"])],
            ["fpga", record(["f1"])],
            ["nic", record(["n1"], null)],
          ]),
        ],
      ]),
    ],
  ]);

  it("restores podDevices, the in-use union and the registered resources", () => {
    const { manager } = testManager(machineDevices(six), [0], {
      state: { podDevices: restored, registeredResources: ["gpu", "example.com/fpga-old"] },
    });
    assert.deepEqual(manager.registeredResources(), ["example.com/fpga-old", "gpu"]);
    // A record without an AllocateResponse contributes no id (the kubelet's `devices()`).
    assert.deepEqual(
      [...manager.allocatedDeviceIDs()],
      [
        ["fpga", ["f1"]],
        ["gpu", ["d1"]],
        ["nic", []],
      ],
    );
    assert.ok(manager.isDevicePluginResource("fpga"));
    assert.ok(!manager.isDevicePluginResource("other"));
    assert.deepEqual(manager.getCapacity().get("example.com/fpga-old"), { capacity: 0, allocatable: 0 });
    assert.deepEqual(manager.getCapacity().get("gpu"), { capacity: 6, allocatable: 6 });
  });

  it("a new device list replaces the old one; health decides allocatable", () => {
    const { manager } = testManager(machineDevices(six), [0]);
    manager.updateDevices("gpu", [
      { id: "d1", numaNodes: [0], healthy: true },
      { id: "d2", numaNodes: [0], healthy: false },
    ]);
    assert.deepEqual(manager.getCapacity().get("gpu"), { capacity: 2, allocatable: 1 });
    assert.deepEqual([...manager.freeDevices("gpu")], [[0, ["d1"]]]);
  });
});

describe("topology hints (device-manager.md §4.2, §4.3)", () => {
  const gpus = resource("gpu", [
    ["a0", [0]],
    ["a1", [0]],
    ["b0", [1]],
    ["b1", [1]],
  ]);
  const plain = resource("nic", [["n0", null]]);

  it("answers null without topology and an empty map without device resources", () => {
    const { manager, active } = testManager(machineDevices(gpus, plain), [0, 1]);
    const p = pod("p", [container("c", { nic: "1", cpu: "1" }), container("d", { cpu: "1" })]);
    active.add("p");
    assert.deepEqual([...manager.getTopologyHints(p, p.containers[0])!], [["nic", null]]);
    assert.equal(manager.getTopologyHints(p, p.containers[1])!.size, 0);
  });

  it("regenerates from the devices a re-admitted container holds, [] when the count changed", () => {
    const podDevices: PodDevices = new Map([
      [
        "p",
        new Map([
          [
            "c",
            new Map([["gpu", { deviceIDs: new Map([[1, ["b0"]]]), allocResp: EMPTY_ALLOCATE_RESPONSE }]]),
          ],
        ]),
      ],
    ]);
    const { manager, active } = testManager(machineDevices(gpus), [0, 1], {
      state: { podDevices, registeredResources: [] },
    });
    active.add("p");
    const same = pod("p", [container("c", { gpu: "1" })]);
    assert.deepEqual(hintRows(manager.getTopologyHints(same, same.containers[0])!.get("gpu")), [
      [[1], true],
      [[0, 1], false],
    ]);
    const more = pod("p", [container("c", { gpu: "2" })]);
    assert.deepEqual(manager.getTopologyHints(more, more.containers[0])!.get("gpu"), []);
  });

  it("pod hints use the pod request and no reusable devices", () => {
    const { manager, active } = testManager(machineDevices(gpus), [0, 1]);
    const p = pod(
      "p",
      [container("a", { gpu: "1" }), container("b", { gpu: "1" })],
      [container("i", { gpu: "2" })],
    );
    active.add("p");
    assert.deepEqual(hintRows(manager.getPodTopologyHints(p)!.get("gpu")), [
      [[0], true],
      [[1], true],
      [[0, 1], false],
    ]);
  });
});

describe("container start of pod-level pods (device-manager.md §10, §11)", () => {
  it("fails with preStartRequired and no devices, else allocates with the stored hint", () => {
    const gpu = resource("gpu", [
      ["a0", [0]],
      ["b0", [1]],
    ]);
    const fpga = resource("fpga", [["f0", [0]]], { preStartRequired: true });
    const { manager, active, affinity } = testManager(machineDevices(gpu, fpga), [0, 1]);
    const p = pod("p", [
      container("g", { gpu: "1" }),
      container("f", { fpga: "1" }),
      container("z", { gpu: "0" }),
    ]);
    active.add("p");
    affinity.set("p", "g", hint([1]));
    assert.equal(manager.allocatePod(p), null);
    assert.equal(manager.holdsDevicesFor("p"), false);
    const starts = manager.runDeferredAllocation(p);
    assert.deepEqual(
      starts.map((s) => [s.container, s.error, s.devicesToAllocate.map((c) => c.devices)]),
      [
        ["g", null, [["b0"]]],
        ["f", "no devices found allocated in local cache for pod p, container f, resource fpga", []],
        ["z", null, []],
      ],
    );
  });

  it("needs a plugin endpoint for a resource known only from allocations", () => {
    const podDevices: PodDevices = new Map([
      [
        "x",
        new Map([
          [
            "c",
            new Map([["old", { deviceIDs: new Map([[-1, ["o1"]]]), allocResp: EMPTY_ALLOCATE_RESPONSE }]]),
          ],
        ]),
      ],
    ]);
    const { manager, active } = testManager(machineDevices(), [0], {
      state: { podDevices, registeredResources: [] },
    });
    active.add("x");
    active.add("p");
    const p = pod("p", [container("c", { old: "1" })]);
    assert.equal(
      manager.getDeviceRunContainerOptions(p, p.containers[0])?.message,
      "endpoint not found in cache for a registered resource: old",
    );
  });
});

/** A CPU Manager stand-in with a fixed answer and an optional allocation error. */
class FixedProvider implements HintProvider {
  readonly resource = "cpu";
  calls: string[] = [];
  constructor(
    private readonly answer: ProviderHints,
    private readonly error: ManagerError | null = null,
  ) {}
  getTopologyHints(): ProviderHints {
    return this.answer;
  }
  getPodTopologyHints(): ProviderHints {
    return this.answer;
  }
  allocate(_pod: Pod, c: { name: string }): ManagerError | null {
    this.calls.push(c.name);
    return this.error;
  }
  allocatePod(): ManagerError | null {
    return this.error;
  }
}

function topologyWith(
  policy: string,
  cpu: FixedProvider,
): { tm: TopologyManager; dm: DeviceManager; active: Set<string> } {
  const tm = createTopologyManager({
    policy,
    scope: "container",
    policyOptions: {},
    featureGates: DEFAULT_FEATURE_GATES,
    numaNodes: [0, 1],
    distances: null,
    metrics: new MetricsRegistry(),
  });
  if (tm instanceof ManagerError) throw tm;
  const active = new Set<string>();
  const dm = new DeviceManager({
    resources: machineDevices(
      resource("gpu", [
        ["a0", [0]],
        ["a1", [0]],
        ["b0", [1]],
        ["b1", [1]],
      ]),
    ),
    numaNodes: [0, 1],
    activePods: () => [...active].map((uid) => ({ uid })),
    affinity: tm,
    topologyManagerPolicy: policy,
  });
  tm.addHintProvider(dm);
  tm.addHintProvider(cpu);
  return { tm, dm, active };
}

describe("the Device Manager as the Topology Manager's first provider (device-manager.md §8, §9)", () => {
  it("merges with the CPU hints and takes the devices of the chosen node", () => {
    const cpu = new FixedProvider(new Map([["cpu", [hint([1]), hint([0, 1], false)]]]));
    const { tm, dm, active } = topologyWith("restricted", cpu);
    const p = pod("p", [container("c", { gpu: "1", cpu: "2" })]);
    active.add("p");
    const result = tm.admit(p);
    assert.equal(result.admitted, true);
    assert.deepEqual(result.trace.merges[0].hint, { numaNodes: [1], preferred: true });
    assert.deepEqual(held(dm, "p"), { c: { gpu: ["b0"] } });
    assert.deepEqual(
      result.trace.merges[0].answers.map((a) => a.provider),
      ["device", "cpu"],
    );
  });

  it("reports a device error before the CPU Manager allocates, as UnexpectedAdmissionError", () => {
    const cpu = new FixedProvider(null, new ManagerError("cpu failure", "SMTAlignmentError"));
    const { tm, active } = topologyWith("best-effort", cpu);
    const p = pod("p", [container("c", { gpu: "5" })]);
    active.add("p");
    const result = tm.admit(p);
    assert.equal(result.reason, "UnexpectedAdmissionError");
    assert.equal(
      result.message,
      "Allocate failed due to requested number of devices unavailable for gpu. Requested: 5, Available: 4, which is unexpected",
    );
    assert.deepEqual(cpu.calls, []);
  });

  it("single-numa-node rejects a request that needs two nodes", () => {
    const { tm, active } = topologyWith("single-numa-node", new FixedProvider(null));
    const p = pod("p", [container("c", { gpu: "3" })]);
    active.add("p");
    const result = tm.admit(p);
    assert.equal(result.reason, "TopologyAffinityError");
  });
});
