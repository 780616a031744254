import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { filterByAffinity } from "./affinity.js";
import { EMPTY_ALLOCATE_RESPONSE } from "./pod-devices.js";
import { pickDevices } from "./pick.js";
import { preferredAllocationAnswer } from "./preferred-allocation.js";
import type { PodDevices } from "./state.js";
import { hint, machineDevices, resource, testManager } from "./test-support.js";

const sorted = (s: Iterable<string>) => [...s].sort();

/** One device already held: pod `held`, container `c`. */
function holding(res: string, ids: string[]): PodDevices {
  return new Map([
    [
      "held",
      new Map([
        ["c", new Map([[res, { deviceIDs: new Map([[0, ids]]), allocResp: EMPTY_ALLOCATE_RESPONSE }]])],
      ]),
    ],
  ]);
}

describe("filterByAffinity (device-manager.md §5.4)", () => {
  const numa = new Map<string, number[] | null>([
    ["dev1", [1]],
    ["dev2", [1, 2]],
    ["dev3", null],
    ["dev4", []],
    ["dev5", [-1]],
    ["dev6", [-1, 3]],
  ]);
  const of = (id: string) => numa.get(id) ?? null;

  it("puts a device on any node of the hint in aligned, one without NUMA info in noAffinity", () => {
    const g = filterByAffinity(numa.keys(), hint([2]), true, of);
    assert.deepEqual(sorted(g.aligned), ["dev2"]);
    // A device that reports the pseudo node -1 files under its other nodes first.
    assert.deepEqual(sorted(g.unaligned), ["dev1", "dev6"]);
    assert.deepEqual(sorted(g.noAffinity), ["dev3", "dev4", "dev5"]);
  });

  it("treats everything as noAffinity without a mask or without topology", () => {
    assert.deepEqual(sorted(filterByAffinity(numa.keys(), hint(null, false), true, of).noAffinity), [
      "dev1",
      "dev2",
      "dev3",
      "dev4",
      "dev5",
      "dev6",
    ]);
    assert.equal(filterByAffinity(numa.keys(), hint([1]), false, of).aligned.size, 0);
  });
});

describe("devicesToAllocate (device-manager.md §5.3)", () => {
  const gpus = resource("gpu", [
    ["a0", [0]],
    ["a1", [0]],
    ["a2", [0]],
    ["b0", [1]],
    ["b1", [1]],
    ["n0", null],
  ]);

  it("takes reusable devices first, then aligned ones in ascending id order", () => {
    const { manager, affinity } = testManager(machineDevices(gpus), [0, 1]);
    affinity.set("p", "c", hint([0]));
    const r = manager.devicesToAllocate("p", "c", "gpu", 3, new Set(["b1"]));
    assert.equal(r.error, null);
    assert.deepEqual(r.call.devices, ["a0", "a1", "b1"]);
    assert.deepEqual(r.call.fixed, ["b1"]);
    assert.deepEqual(r.call.choose, { from: ["a0", "a1", "a2"], count: 2 });
    assert.deepEqual(manager.allocatedDeviceIDs().get("gpu"), ["a0", "a1", "b1"]);
  });

  it("when the aligned devices are not enough, takes them all, then unaligned, then no-NUMA ones", () => {
    const { manager, affinity } = testManager(machineDevices(gpus), [0, 1]);
    affinity.set("p", "c", hint([1]));
    const r = manager.devicesToAllocate("p", "c", "gpu", 5, new Set());
    assert.deepEqual(r.call.devices, ["a0", "a1", "a2", "b0", "b1"]);
    assert.deepEqual(r.call.fixed, ["a0", "a1", "a2", "b0", "b1"]);
    assert.equal(r.call.choose, null);
    const six = testManager(machineDevices(gpus), [0, 1]);
    six.affinity.set("p", "c", hint([1]));
    assert.deepEqual(six.manager.devicesToAllocate("p", "c", "gpu", 6, new Set()).call.devices?.length, 6);
  });

  it("asks the plugin only when it offers the call, and keeps only offered devices of its answer", () => {
    const preferring = resource(
      "gpu",
      [
        ["a0", [0]],
        ["a1", [0]],
        ["a2", [0]],
        ["b0", [1]],
      ],
      {
        getPreferredAllocationAvailable: true,
        preferred: { fixed: ["b0", "a2", "ghost"] },
      },
    );
    const { manager, affinity } = testManager(machineDevices(preferring), [0, 1]);
    affinity.set("p", "c", hint([0]));
    const r = manager.devicesToAllocate("p", "c", "gpu", 1, new Set());
    // b0 is not aligned and "ghost" is unknown: only a2 of the answer counts.
    assert.deepEqual(r.call.devices, ["a2"]);
    assert.deepEqual(r.call.preferredCalls, [{ available: ["a0", "a1", "a2"], mustInclude: [], size: 1 }]);
  });

  it("offers all available devices to the plugin once the aligned ones are taken", () => {
    const preferring = resource(
      "gpu",
      [
        ["a0", [0]],
        ["b0", [1]],
        ["b1", [1]],
        ["n0", null],
      ],
      {
        getPreferredAllocationAvailable: true,
        preferred: { order: ["n0", "b1", "b0"] },
      },
    );
    const { manager, affinity } = testManager(machineDevices(preferring), [0, 1]);
    affinity.set("p", "c", hint([0]));
    const r = manager.devicesToAllocate("p", "c", "gpu", 2, new Set());
    assert.deepEqual(r.call.devices, ["a0", "n0"]);
    assert.deepEqual(r.call.fixed, ["a0", "n0"]);
    assert.deepEqual(r.call.preferredCalls, [
      { available: ["a0", "b0", "b1", "n0"], mustInclude: ["a0"], size: 2 },
    ]);
  });

  it("words its errors as the kubelet does, Go-quoting the changed-request ids", () => {
    const m = machineDevices(gpus, resource("nic", [["x", [0], false]]), resource("gone", [], {}, false));
    const run = (res: string, required: number, podDevices?: PodDevices, pod = "p", c = "c") =>
      testManager(
        m,
        [0, 1],
        podDevices ? { state: { podDevices, registeredResources: [] } } : {},
      ).manager.devicesToAllocate(pod, c, res, required, new Set()).error?.message ?? null;
    assert.equal(
      run("gpu", 3, holding("gpu", ["a0"]), "held", "c"),
      'pod "held" container "c" changed request for resource "gpu" from 1 to 3',
    );
    assert.equal(run("gone", 1), "cannot allocate unregistered device gone");
    assert.equal(run("nic", 1), "no healthy devices present; cannot allocate unhealthy devices nic");
    // The health checks come before "nothing needed": a zero request fails too.
    assert.equal(run("nic", 0), "no healthy devices present; cannot allocate unhealthy devices nic");
    assert.equal(
      run("gpu", 1, holding("gpu", ["zz"]), "held", "c"),
      "previously allocated devices are no longer healthy; cannot allocate unhealthy devices gpu",
    );
    assert.equal(
      run("gpu", 7),
      "requested number of devices unavailable for gpu. Requested: 7, Available: 6",
    );
    assert.equal(run("gpu", 1, holding("gpu", ["a0"]), "held", "c"), null);
  });

  it("quotes unusual ids the way Go's %q does", () => {
    const { manager } = testManager(machineDevices(gpus), [0, 1], {
      state: {
        podDevices: new Map([
          [
            'p"1',
            new Map([["c\n", new Map([["gpu", { deviceIDs: new Map([[0, ["a0"]]]), allocResp: null }]])]]),
          ],
        ]),
        registeredResources: [],
      },
    });
    assert.equal(
      manager.devicesToAllocate('p"1', "c\n", "gpu", 2, new Set()).error?.message,
      'pod "p\\"1" container "c\\n" changed request for resource "gpu" from 1 to 2',
    );
  });

  it("leaves chosen reusable devices in use when a later step fails", () => {
    const { manager } = testManager(machineDevices(resource("gpu", [["a0", null]])), [0]);
    const r = manager.devicesToAllocate("p", "c", "gpu", 3, new Set(["r0"]));
    assert.equal(
      r.error?.message,
      "requested number of devices unavailable for gpu. Requested: 2, Available: 1",
    );
    assert.deepEqual(r.call.fixed, ["r0"]);
    assert.deepEqual(manager.allocatedDeviceIDs().get("gpu"), ["r0"]);
  });

  it("distinguishes a zero request (nothing asked: []) from a container that holds its devices (null)", () => {
    const zero = testManager(machineDevices(gpus), [0, 1]).manager.devicesToAllocate(
      "p",
      "c",
      "gpu",
      0,
      new Set(),
    );
    assert.deepEqual(zero.call.devices, []);
    const { manager } = testManager(machineDevices(gpus), [0, 1], {
      state: { podDevices: holding("gpu", ["a0"]), registeredResources: [] },
    });
    assert.equal(manager.devicesToAllocate("held", "c", "gpu", 1, new Set()).call.devices, null);
  });
});

describe("the plugin model and the choice among equals", () => {
  it("order answers mustInclude, then offered devices in list order, up to size", () => {
    const available = new Set(["a", "b", "c", "d"]);
    assert.deepEqual(
      preferredAllocationAnswer({ order: ["x", "d", "a", "c"] }, available, new Set(["b"]), 3),
      ["b", "d", "a"],
    );
    assert.deepEqual(preferredAllocationAnswer(null, available, new Set(), 2), []);
  });

  it("picks ascending ids byte-wise", () => {
    assert.deepEqual(pickDevices(["dev10", "dev2", "Dev9", "dev1"], 3), ["Dev9", "dev1", "dev10"]);
  });
});
