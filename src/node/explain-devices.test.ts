/**
 * `explainAdmission` on device pods: the clause of `why` that names what sank a merge (a device
 * answer `[]`, no single NUMA node with enough free devices, no preferred hint, hints with no NUMA
 * node in common), device errors in plain words, the deferred choice of a pod-level pod, and the
 * devices of "what would fit". The node is the nvidia-dgx-h100 preset (GPUs 0-3 on NUMA 0, 4-7 on 1).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type DeviceSpec, loadMachine, type Machine } from "../machine/index.js";
import { explainAdmission } from "./explain.js";
import { Node } from "./node.js";
import { podFromYaml, workedExampleConfig } from "./test-support.js";
import type { NodeConfig } from "./types.js";

const GPU = "nvidia.com/gpu";

function dgx(change?: (gpus: readonly DeviceSpec[]) => DeviceSpec[], preStartRequired = false): Machine {
  const m = loadMachine("nvidia-dgx-h100");
  if (!change && !preStartRequired) return m;
  const devices = new Map(m.devices);
  const gpu = devices.get(GPU)!;
  devices.set(GPU, {
    ...gpu,
    devices: change ? change(gpu.devices) : gpu.devices,
    plugin: { ...gpu.plugin, preStartRequired },
  });
  return { ...m, devices };
}

function gpuPod(name: string, cpus: number, gpus: number): ReturnType<typeof podFromYaml> {
  return podFromYaml(`apiVersion: v1
kind: Pod
metadata: {name: ${name}, namespace: default, uid: uid-${name}}
spec:
  containers:
    - name: main
      image: busybox
      resources:
        requests: {cpu: "${cpus}", memory: 4Gi}
        limits: {cpu: "${cpus}", memory: 4Gi, ${GPU}: "${gpus}"}
`);
}

function nodeWith(machine: Machine, config: NodeConfig, ...pods: ReturnType<typeof gpuPod>[]): Node {
  const node = new Node({ machine, config });
  for (const p of pods) assert.equal(node.admit(p).admitted, true, `${p.name} admitted`);
  return node;
}

const containerScope = (overrides: Partial<NodeConfig> = {}) => workedExampleConfig("container", overrides);

describe("explain: device hints in the why of a merge", () => {
  it("the GPUs fit only on NUMA 1 and the CPUs only on NUMA 0: the preferred hints share no node", () => {
    const node = nodeWith(dgx(), containerScope(), gpuPod("three-gpus", 4, 3), gpuPod("cpus", 108, 0));
    const e = explainAdmission(node, gpuPod("two-gpus", 8, 2));
    assert.equal(e.result.reason, "TopologyAffinityError");
    assert.deepEqual(e.merges[0].causes, [
      {
        provider: null,
        resource: null,
        text: "the preferred hints have no NUMA node in common (nvidia.com/gpu {1}, cpu {0}, memory {0} {1})",
      },
    ]);
    assert.match(e.merges[0].why, /; so no permutation left a usable affinity/);
    // What would fit: the GPU left on NUMA 0 and the pod holding the other three.
    assert.deepEqual(e.fit?.numaNodes[0].devices[GPU], {
      total: 4,
      free: 1,
      unhealthy: 0,
      holders: ["default/three-gpus"],
    });
    assert.ok(e.fit?.numaNodes[0].holders.includes("default/three-gpus"));
  });

  it("a device answer [] under single-numa-node: too few healthy free GPUs, counted from the node's state", () => {
    const node = nodeWith(
      dgx((gpus) => gpus.map((d, i) => ({ ...d, healthy: i === 7 }))),
      containerScope(),
    );
    const e = explainAdmission(node, gpuPod("two", 4, 2));
    assert.equal(e.result.reason, "TopologyAffinityError");
    assert.deepEqual(e.merges[0].merge.answers[0].hints, { [GPU]: [] });
    assert.deepEqual(
      e.merges[0].causes.map((c) => c.text),
      ["nvidia.com/gpu: [] — only 1 healthy free device, 2 requested (8 in all: 7 unhealthy)"],
    );
    assert.deepEqual(e.fit?.numaNodes[1].devices[GPU], { total: 4, free: 1, unhealthy: 3, holders: [] });
  });

  it("one free GPU per NUMA node and 2 requested: no single node has them now, although one could", () => {
    const node = nodeWith(dgx(), containerScope(), gpuPod("a", 2, 3), gpuPod("b", 2, 3));
    const e = explainAdmission(node, gpuPod("c", 2, 2));
    assert.equal(e.result.reason, "TopologyAffinityError");
    assert.deepEqual(
      e.merges[0].causes.map((c) => [c.provider, c.text]),
      [
        [
          "device",
          "nvidia.com/gpu: 2 devices requested and no NUMA node has that many healthy free devices now (free: NUMA 0: 1 of 4, NUMA 1: 1 of 4): no single NUMA node can hold the request under single-numa-node",
        ],
      ],
    );
  });

  it("the same state under restricted: the only hint spans both nodes and is not preferred", () => {
    const config = containerScope({ topologyManagerPolicy: "restricted" });
    const node = nodeWith(dgx(), config, gpuPod("a", 2, 3), gpuPod("b", 2, 3));
    const e = explainAdmission(node, gpuPod("c", 2, 2));
    assert.equal(e.result.reason, "TopologyAffinityError");
    assert.deepEqual(e.merges[0].merge.answers[0].hints, {
      [GPU]: [{ numaNodes: [0, 1], preferred: false }],
    });
    assert.deepEqual(
      e.merges[0].causes.map((c) => c.text),
      [
        "nvidia.com/gpu: no preferred hint: the narrowest NUMA sets that could hold 2 devices when free lack that many healthy free devices now (free: NUMA 0: 1 of 4, NUMA 1: 1 of 4)",
      ],
    );
    assert.match(e.merges[0].why, /preferred=false: nvidia\.com\/gpu: no preferred hint/);
  });

  it("a removed pod's GPUs count as free: the purge of the next hint request releases them", () => {
    const node = nodeWith(dgx(), containerScope(), gpuPod("a", 2, 4));
    node.remove("uid-a");
    assert.equal(
      node.deviceManager.allocatedDeviceIDs().get(GPU)?.length,
      4,
      "still in use before the purge",
    );
    const e = explainAdmission(node, gpuPod("b", 2, 4));
    assert.equal(e.result.admitted, true);
    assert.equal(e.fit, null);
    const after = explainAdmission(node, gpuPod("c", 2, 8));
    assert.deepEqual(after.fit?.numaNodes[0].devices[GPU], { total: 4, free: 4, unhealthy: 0, holders: [] });
  });
});

describe("explain: device errors and notes", () => {
  it("policy none: no hints, and Allocate finds no healthy GPU at all", () => {
    const node = nodeWith(
      dgx((gpus) => gpus.map((d) => ({ ...d, healthy: false }))),
      containerScope({ topologyManagerPolicy: "none" }),
    );
    const e = explainAdmission(node, gpuPod("x", 2, 1));
    assert.equal(e.result.reason, "UnexpectedAdmissionError");
    assert.equal(
      e.result.message,
      "Allocate failed due to no healthy devices present; cannot allocate unhealthy devices nvidia.com/gpu, which is unexpected",
    );
    assert.deepEqual(
      e.deviceErrors.map((d) => [d.container, d.resource, d.atContainerStart, d.explanation]),
      [
        [
          "main",
          GPU,
          false,
          "nvidia.com/gpu: the plugin reports 8 devices and none is healthy; the kubelet then refuses any container that names the resource, even with a limit of 0",
        ],
      ],
    );
    assert.ok(e.notes.some((n) => n.startsWith("topologyManagerPolicy none: no hints are asked")));
  });

  it("GPUs without NUMA information: no preference, no alignment, and a note that says so", () => {
    const node = nodeWith(
      dgx((gpus) => gpus.map((d) => ({ ...d, numaNodes: null }))),
      containerScope(),
    );
    const e = explainAdmission(node, gpuPod("x", 2, 1));
    assert.equal(e.result.admitted, true);
    assert.deepEqual(e.merges[0].merge.answers[0].hints, { [GPU]: null });
    assert.ok(e.notes.some((n) => n.startsWith("nvidia.com/gpu: no device reports a NUMA node")));
    const failing = explainAdmission(node, gpuPod("nine", 2, 9));
    assert.deepEqual(failing.fit?.devicesWithoutNUMA[GPU], { total: 8, free: 8, unhealthy: 0, holders: [] });
    assert.match(
      failing.deviceErrors[0]?.explanation ?? "",
      /no device of the resource reports a NUMA node, so its hints state no preference/,
    );
  });

  it("pod-level path with a plugin that needs PreStartContainer: admitted, the container would not start", () => {
    const node = new Node({ machine: dgx(undefined, true), config: workedExampleConfig("pod") });
    const pod = podFromYaml(`apiVersion: v1
kind: Pod
metadata: {name: pl, namespace: default, uid: uid-pl}
spec:
  resources:
    requests: {cpu: "4", memory: 8Gi}
    limits: {cpu: "4", memory: 8Gi}
  containers:
    - name: main
      image: busybox
      resources:
        requests: {cpu: "3", memory: 6Gi}
        limits: {cpu: "3", memory: 6Gi, ${GPU}: "1"}
`);
    const e = explainAdmission(node, pod);
    assert.equal(e.result.admitted, true);
    assert.equal(e.result.trace.path, "pod-level");
    const error =
      "no devices found allocated in local cache for pod uid-pl, container main, resource nvidia.com/gpu";
    assert.deepEqual(e.result.deferredDevices, [{ container: "main", error, devicesToAllocate: [] }]);
    assert.equal(e.result.containers?.[0].deviceError, error);
    assert.deepEqual(
      e.deviceErrors.map((d) => [d.container, d.resource, d.atContainerStart]),
      [["main", GPU, true]],
    );
    assert.match(e.deviceErrors[0].explanation ?? "", /PreStartContainer/);
    assert.ok(e.notes.some((n) => n.includes("no device is reserved at admission")));
  });
});

describe("what would fit: the nearest device request", () => {
  it("names the nearest GPU count the node admits, not only CPU and memory", () => {
    const node = new Node({
      machine: loadMachine("nvidia-dgx-h100"),
      config: workedExampleConfig("container"),
    });
    const pod = podFromYaml(`apiVersion: v1
kind: Pod
metadata: {name: t, uid: t}
spec:
  containers:
  - name: c
    resources:
      limits: {cpu: "4", memory: 8Gi, nvidia.com/gpu: "6"}
`);
    const e = explainAdmission(node, pod);
    assert.equal(e.result.admitted, false);
    const gpu = e.fit?.requests.find((r) => r.resource === "nvidia.com/gpu");
    assert.deepEqual([gpu?.target, gpu?.container, gpu?.below, gpu?.above], ["container", "c", 4n, null]);
  });
});
