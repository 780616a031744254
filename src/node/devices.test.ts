import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type DeviceResource, type Machine, NO_PLUGIN_OPTIONS, presetMachine } from "../machine/index.js";
import { Node } from "./node.js";
import { containerOf, podFromYaml, workedExampleConfig } from "./test-support.js";
import type { NodeConfig } from "./types.js";

/*
 * The Device Manager inside the Node: first hint provider, devices on the NUMA node the merge
 * chose, the pod-level path's deferred choice, health updates, and the purge that releases a
 * removed or rejected pod's devices only at the next admission (device-manager.md §2, §7, §10).
 */

const GPU = "nvidia.com/gpu";

function dgx(): Machine {
  const m = presetMachine("nvidia-dgx-h100");
  if (!m) throw new Error("preset nvidia-dgx-h100 is missing");
  return m;
}

/** machine M with `perNode` GPUs on each NUMA node (ids gpu-<node>-<i>). */
function machineWithGPUs(perNode: number, extra: Partial<DeviceResource> = {}): Machine {
  const m = presetMachine("worked-example");
  if (!m) throw new Error("preset worked-example is missing");
  const gpus: DeviceResource = {
    name: GPU,
    registered: true,
    devices: [0, 1].flatMap((n) =>
      Array.from({ length: perNode }, (_, i) => ({ id: `gpu-${n}-${i}`, numaNodes: [n], healthy: true })),
    ),
    plugin: NO_PLUGIN_OPTIONS,
    ...extra,
  };
  return { ...m, devices: new Map([[GPU, gpus]]) };
}

function gpuPod(uid: string, gpus: number, opts: { cpu?: number; podLevel?: boolean } = {}): string {
  const cpu = opts.cpu ?? 2;
  const budget = opts.podLevel
    ? `  resources:\n    requests: {cpu: "${cpu}", memory: 2Gi}\n    limits: {cpu: "${cpu}", memory: 2Gi}\n`
    : "";
  return `apiVersion: v1
kind: Pod
metadata: {name: ${uid}, namespace: ml, uid: ${uid}}
spec:
${budget}  containers:
  - name: train
    resources:
      requests: {cpu: "${cpu}", memory: 2Gi}
      limits: {cpu: "${cpu}", memory: 2Gi, ${GPU}: "${gpus}"}
`;
}

function nodeOn(machine: Machine, config: NodeConfig): Node {
  return new Node({ machine, config });
}

describe("Node with the Device Manager", () => {
  it("asks the Device Manager first and puts the GPU on the NUMA node of the CPUs (container scope)", () => {
    const node = nodeOn(dgx(), workedExampleConfig("container"));
    const result = node.admit(podFromYaml(gpuPod("p1", 1)));
    assert.equal(result.admitted, true, result.message ?? "");
    assert.deepEqual(
      result.trace.merges[0].answers.map((a) => a.provider),
      ["device", "cpu", "memory"],
    );
    const train = containerOf(result, "train");
    assert.deepEqual(train.numaAffinity, [0]);
    assert.equal(train.devices.length, 1);
    assert.equal(train.devices[0].resource, GPU);
    assert.equal(train.devices[0].devices.length, 1);
    assert.deepEqual(train.devices[0].devices[0].numaNodes, [0]);
    assert.equal(result.deferredDevices, null);
    assert.deepEqual(result.warnings, []);
  });

  it("follows the merged hint to NUMA 1 when NUMA 0 has no free GPU left", () => {
    const node = nodeOn(machineWithGPUs(1), workedExampleConfig("container"));
    assert.equal(node.admit(podFromYaml(gpuPod("a", 1))).admitted, true);
    const second = node.admit(podFromYaml(gpuPod("b", 1)));
    assert.equal(second.admitted, true);
    assert.deepEqual(containerOf(second, "train").numaAffinity, [1]);
    assert.deepEqual(containerOf(second, "train").devices[0].devices, [{ id: "gpu-1-0", numaNodes: [1] }]);
  });

  it("rejects a request no single NUMA node can hold under single-numa-node, though every GPU is free", () => {
    const node = nodeOn(dgx(), workedExampleConfig("container"));
    const result = node.admit(podFromYaml(gpuPod("big", 8)));
    assert.equal(result.admitted, false);
    assert.equal(result.reason, "TopologyAffinityError");
    assert.equal(result.message, "Resources cannot be allocated with Topology locality");
    const device = result.trace.merges[0].answers[0];
    assert.deepEqual(device, {
      provider: "device",
      hints: { [GPU]: [{ numaNodes: [0, 1], preferred: true }] },
    });
  });

  it("pod-level path: nothing reserved at admission, the GPU chosen at container start on the pod's node", () => {
    const node = nodeOn(machineWithGPUs(2), workedExampleConfig("pod"));
    const result = node.admit(podFromYaml(gpuPod("pl", 1, { podLevel: true })));
    assert.equal(result.admitted, true, result.message ?? "");
    assert.equal(result.trace.path, "pod-level");
    assert.deepEqual(
      result.trace.allocations.map((a) => [a.provider, a.call]),
      [
        ["device", "allocatePod"],
        ["cpu", "allocatePod"],
        ["memory", "allocatePod"],
      ],
    );
    assert.deepEqual(result.deviceAllocations, [], "AllocatePod chooses no device");
    assert.ok(result.deferredDevices);
    assert.equal(result.deferredDevices.length, 1);
    assert.equal(result.deferredDevices[0].error, null);
    assert.deepEqual(containerOf(result, "train").devices[0].devices, [{ id: "gpu-0-0", numaNodes: [0] }]);
  });

  it("pod-level path: a container-start failure stays on the container, the pod stays admitted", () => {
    const machine = machineWithGPUs(1, {
      plugin: { ...NO_PLUGIN_OPTIONS, preStartRequired: true },
    });
    const node = nodeOn(machine, workedExampleConfig("pod"));
    const result = node.admit(podFromYaml(gpuPod("pl", 1, { podLevel: true })));
    assert.equal(result.admitted, true);
    const train = containerOf(result, "train");
    assert.equal(
      train.deviceError,
      "no devices found allocated in local cache for pod pl, container train, resource nvidia.com/gpu",
    );
    assert.deepEqual(train.devices, []);
  });

  it("a GPU turned unhealthy is not handed out; with none healthy left the kubelet's error rejects", () => {
    const node = nodeOn(
      machineWithGPUs(1),
      workedExampleConfig("container", { topologyManagerPolicy: "none" }),
    );
    node.updateDevices(GPU, [
      { id: "gpu-0-0", numaNodes: [0], healthy: false },
      { id: "gpu-1-0", numaNodes: [1], healthy: true },
    ]);
    const first = node.admit(podFromYaml(gpuPod("a", 1)));
    assert.deepEqual(containerOf(first, "train").devices[0].devices, [{ id: "gpu-1-0", numaNodes: [1] }]);
    node.updateDevices(GPU, [
      { id: "gpu-0-0", numaNodes: [0], healthy: false },
      { id: "gpu-1-0", numaNodes: [1], healthy: false },
    ]);
    const second = node.admit(podFromYaml(gpuPod("b", 1)));
    assert.equal(second.admitted, false);
    assert.equal(second.reason, "UnexpectedAdmissionError");
    assert.equal(
      second.message,
      "Allocate failed due to no healthy devices present; cannot allocate unhealthy devices nvidia.com/gpu, which is unexpected",
    );
  });

  it("a registered resource without devices rejects a pod asking for it", () => {
    const machine = machineWithGPUs(0);
    const node = nodeOn(machine, workedExampleConfig("container", { topologyManagerPolicy: "best-effort" }));
    const result = node.admit(podFromYaml(gpuPod("a", 1)));
    assert.equal(result.admitted, false);
    assert.equal(result.reason, "UnexpectedAdmissionError");
    assert.match(
      result.message ?? "",
      /no healthy devices present; cannot allocate unhealthy devices nvidia.com\/gpu/,
    );
  });

  it("more GPUs than free under best-effort: the Device Manager's count error", () => {
    const node = nodeOn(
      machineWithGPUs(1),
      workedExampleConfig("container", { topologyManagerPolicy: "best-effort" }),
    );
    const result = node.admit(podFromYaml(gpuPod("a", 3)));
    assert.equal(result.admitted, false);
    assert.equal(
      result.message,
      "Allocate failed due to requested number of devices unavailable for nvidia.com/gpu. Requested: 3, Available: 2, which is unexpected",
    );
  });

  it("an extended resource no plugin serves: admitted as the kubelet does, with a warning", () => {
    const node = nodeOn(presetMachine("worked-example") as Machine, workedExampleConfig("container"));
    const result = node.admit(podFromYaml(gpuPod("a", 1)));
    assert.equal(result.admitted, true);
    assert.deepEqual(containerOf(result, "train").devices, []);
    assert.equal(result.warnings.length, 1);
    assert.match(result.warnings[0], /^nvidia.com\/gpu: no device plugin on this node advertises it/);
  });

  it("removal releases devices only at the next admission's purge", () => {
    const node = nodeOn(machineWithGPUs(1), workedExampleConfig("container"));
    node.admit(podFromYaml(gpuPod("a", 1)));
    node.admit(podFromYaml(gpuPod("b", 1)));
    assert.equal(node.remove("a").removed, true);
    assert.deepEqual(node.deviceManager.allocatedDeviceIDs().get(GPU), ["gpu-0-0", "gpu-1-0"]);
    const c = node.admit(podFromYaml(gpuPod("c", 1)));
    assert.equal(c.admitted, true);
    assert.deepEqual(containerOf(c, "train").devices[0].devices, [{ id: "gpu-0-0", numaNodes: [0] }]);
  });

  it("a pod rejected after its devices were chosen holds them until the next purge", () => {
    // Device first, then the CPU Manager: full-pcpus-only refuses 3 CPUs on an SMT machine.
    const config = workedExampleConfig("container", {
      topologyManagerPolicy: "none",
      cpuManagerPolicyOptions: { "full-pcpus-only": "true" },
    });
    const node = nodeOn(machineWithGPUs(1), config);
    const rejected = node.admit(podFromYaml(gpuPod("odd", 1, { cpu: 3 })));
    assert.equal(rejected.admitted, false);
    assert.equal(rejected.reason, "SMTAlignmentError");
    assert.equal(rejected.leftoverState, true);
    assert.equal(rejected.deviceAllocations.length, 1);
    assert.deepEqual(node.deviceManager.allocatedDeviceIDs().get(GPU), ["gpu-0-0"]);
    const next = node.admit(podFromYaml(gpuPod("even", 2, { cpu: 2 })));
    assert.equal(next.admitted, true, next.message ?? "");
    assert.deepEqual(
      containerOf(next, "train").devices[0].devices.map((d) => d.id),
      ["gpu-0-0", "gpu-1-0"],
    );
  });
});
