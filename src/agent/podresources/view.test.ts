import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CPUSet } from "../../core/index.js";
import { NO_PLUGIN_OPTIONS } from "../../machine/index.js";
import { Node } from "../../node/index.js";
import { machineM, podFromYaml, testPod, workedExampleConfig } from "../../node/test-support.js";
import {
  blogDatabaseNode,
  blogMLNode,
  GiB,
  GPU,
  machineWithDevices,
  NIC,
  workedExampleNode,
} from "./podresources.test-support.js";
import type { ContainerMemory, PodResources } from "./types.js";
import {
  allocatableResources,
  getPodResources,
  listPodResources,
  type PodResourcesSource,
  podNotFoundMessage,
} from "./view.js";

/*
 * The answers of the PodResources service built from the engine (podresources-api.md §3): blog
 * example 1 as §3.3 gives it for both versions, container scope, devices, init containers and
 * GetAllocatableResources.
 */

const MiB = 1n << 20n;

const mem = (memory_type: string, size: bigint, ...nodes: number[]): ContainerMemory => ({
  memory_type,
  size,
  topology: { nodes: nodes.map((ID) => ({ ID })) },
});

const empty = (name: string) => ({ name, devices: [], cpu_ids: [], memory: [], dynamic_resources: [] });

/** Consumers derive the pod shared pool as the pod's CPUs minus every container's. */
function derivedSharedPool(pod: PodResources): number[] {
  const held = new Set(pod.containers.flatMap((c) => c.cpu_ids));
  return (pod.cpu_ids ?? []).filter((id) => !held.has(id));
}

describe("the Node is a PodResources source", () => {
  it("type-checks as one and lists nothing while empty", () => {
    const source: PodResourcesSource = workedExampleNode("1.37", "pod");
    assert.deepEqual(listPodResources(source, "1.37"), { pod_resources: [] });
  });
});

describe("blog example 1 (tightly-coupled-database, pod scope)", () => {
  it("1.37: the pod reports the bubble and its 16Gi; database its own CPUs and 12Gi; the sidecars nothing", () => {
    const node = blogDatabaseNode("1.37");
    const expected: PodResources = {
      name: "tightly-coupled-database",
      namespace: "default",
      containers: [
        empty("metrics-exporter"),
        empty("backup-agent"),
        {
          name: "database",
          devices: [],
          cpu_ids: [1, 2, 3, 17, 18, 19],
          memory: [mem("memory", 12n * GiB, 0)],
          dynamic_resources: [],
        },
      ],
      cpu_ids: [1, 2, 3, 4, 17, 18, 19, 20],
      memory: [mem("memory", 16n * GiB, 0)],
    };
    assert.deepEqual(listPodResources(node, "1.37"), { pod_resources: [expected] });
    assert.deepEqual(getPodResources(node, "1.37", "default", "tightly-coupled-database"), expected);
    assert.deepEqual(derivedSharedPool(expected), [4, 20]);
    assert.deepEqual(
      node.cpuPolicy?.getAssignedCPUs(node.admittedPods()[0].uid, "backup-agent")?.toArray(),
      [4, 20],
    );
  });

  it("1.36: no pod-level fields; the sidecars report the pod shared pool 4,20 and its 4Gi block", () => {
    const node = blogDatabaseNode("1.36");
    const sidecar = (name: string) => ({
      name,
      devices: [],
      cpu_ids: [4, 20],
      memory: [mem("memory", 4n * GiB, 0)],
      dynamic_resources: [],
    });
    const [pod] = listPodResources(node, "1.36").pod_resources;
    assert.deepEqual(pod, {
      name: "tightly-coupled-database",
      namespace: "default",
      containers: [
        sidecar("metrics-exporter"),
        sidecar("backup-agent"),
        {
          name: "database",
          devices: [],
          cpu_ids: [1, 2, 3, 17, 18, 19],
          memory: [mem("memory", 12n * GiB, 0)],
          dynamic_resources: [],
        },
      ],
    });
    assert.equal("cpu_ids" in pod, false);
    assert.equal("memory" in pod, false);
  });

  it("Get of a pod that is not there answers null, and the kubelet's message names it", () => {
    const node = blogDatabaseNode("1.37");
    assert.equal(getPodResources(node, "1.37", "prod", "tightly-coupled-database"), null);
    assert.equal(getPodResources(node, "1.37", "default", "nope"), null);
    assert.equal(podNotFoundMessage("prod", "db"), "pod db in namespace prod not found");
  });
});

describe("container scope (blog example 2, ml-workload)", () => {
  it("1.37: pod-level fields empty; the exclusive container its own CPUs and 6Gi; the sidecar nothing", () => {
    const node = blogMLNode("1.37");
    assert.deepEqual(listPodResources(node, "1.37").pod_resources, [
      {
        name: "ml-workload",
        namespace: "training",
        containers: [
          empty("service-mesh-sidecar"),
          {
            name: "ml-training",
            devices: [],
            cpu_ids: [1, 2, 17],
            memory: [mem("memory", 6n * GiB, 0)],
            dynamic_resources: [],
          },
        ],
        cpu_ids: [],
        memory: [],
      },
    ]);
  });

  it("1.36 (Memory Manager None): the node-shared sidecar reports nothing, ml-training its CPUs", () => {
    const node = blogMLNode("1.36");
    assert.deepEqual(listPodResources(node, "1.36").pod_resources, [
      {
        name: "ml-workload",
        namespace: "training",
        containers: [
          empty("service-mesh-sidecar"),
          { name: "ml-training", devices: [], cpu_ids: [1, 2, 17], memory: [], dynamic_resources: [] },
        ],
      },
    ]);
  });
});

describe("pods are listed by namespace then name", () => {
  it("whatever the admission order", () => {
    const node = workedExampleNode("1.37", "container");
    for (const [uid, ns] of [
      ["b", "zeta"],
      ["c", "alpha"],
      ["a", "zeta"],
      ["d", "alpha"],
    ]) {
      const pod = { ...testPod(uid, { containers: [{ name: "c" }] }), namespace: ns };
      assert.equal(node.admit(pod).admitted, true);
    }
    assert.deepEqual(
      listPodResources(node, "1.37").pod_resources.map((p) => `${p.namespace}/${p.name}`),
      ["alpha/c", "alpha/d", "zeta/a", "zeta/b"],
    );
  });
});

describe("init containers (pod scope, pod-level resources)", () => {
  // A standard init container declared before an exclusive sidecar, an exclusive app container
  // and a shared one: the kubelet lists restartable init containers only, then app containers.
  const pod = testPod("init-pod", {
    budget: { cpu: "4", memory: "4Gi" },
    init: [{ name: "setup" }, { name: "proxy", cpu: "1", memory: "1Gi", sidecar: true }],
    containers: [{ name: "app", cpu: "2", memory: "2Gi" }, { name: "helper" }],
  });
  const admitted = (version: "1.36" | "1.37") => {
    const node = workedExampleNode(version, "pod");
    const result = node.admit(pod);
    assert.equal(result.admitted, true, `${result.reason}: ${result.message}`);
    const own = (c: string) => node.cpuPolicy!.getAssignedCPUs(pod.uid, c)!.toArray();
    return { node, result, own };
  };

  it("1.37: sidecar first, standard init container left out, shared container empty", () => {
    const { node, result, own } = admitted("1.37");
    const [listed] = listPodResources(node, "1.37").pod_resources;
    assert.deepEqual(
      listed.containers.map((c) => c.name),
      ["proxy", "app", "helper"],
    );
    const bubble = result.podDecision!.bubble!.toArray();
    assert.equal(bubble.length, 4);
    assert.deepEqual(listed.cpu_ids, bubble);
    assert.deepEqual(listed.memory, [mem("memory", 4n * GiB, 0)]);
    const [proxy, app, helper] = listed.containers;
    assert.deepEqual(proxy.cpu_ids, own("proxy"));
    assert.equal(proxy.cpu_ids.length, 1);
    assert.deepEqual(proxy.memory, [mem("memory", 1n * GiB, 0)]);
    assert.deepEqual(app.cpu_ids, own("app"));
    assert.equal(app.cpu_ids.length, 2);
    assert.deepEqual(app.memory, [mem("memory", 2n * GiB, 0)]);
    assert.deepEqual(helper, empty("helper"));
    assert.deepEqual(derivedSharedPool(listed), result.podDecision!.podSharedPool!.toArray());
    assert.deepEqual(derivedSharedPool(listed), own("helper"));
  });

  it("1.36: the shared container reports the pod shared pool and the 1Gi shared-pool block", () => {
    const { node, result, own } = admitted("1.36");
    const [listed] = listPodResources(node, "1.36").pod_resources;
    assert.deepEqual(
      listed.containers.map((c) => c.name),
      ["proxy", "app", "helper"],
    );
    const helper = listed.containers[2];
    assert.deepEqual(helper.cpu_ids, result.podDecision!.podSharedPool!.toArray());
    assert.deepEqual(helper.cpu_ids, own("helper"));
    assert.equal(helper.cpu_ids.length, 1);
    assert.deepEqual(helper.memory, [mem("memory", 1n * GiB, 0)]);
    assert.deepEqual(listed.containers[0].cpu_ids, own("proxy"));
  });
});

describe("devices", () => {
  const gpuPod = podFromYaml(`apiVersion: v1
kind: Pod
metadata: {name: trainer, namespace: ml, uid: trainer}
spec:
  containers:
  - name: train
    resources:
      requests: {cpu: "2", memory: 2Gi}
      limits: {cpu: "2", memory: 2Gi, ${GPU}: "1", ${NIC}: "3"}
  - name: watch
`);

  it("a container reports each device once per NUMA node it was recorded under, without topology when none", () => {
    const node = new Node({
      machine: machineWithDevices(),
      config: workedExampleConfig("container", { topologyManagerPolicy: "best-effort" }),
    });
    const result = node.admit(gpuPod);
    assert.equal(result.admitted, true, `${result.reason}: ${result.message}`);
    const held = node.deviceManager.containerDevices("trainer", "train");
    const gpu = held.get(GPU)!;
    const nics = held.get(NIC)!.map((d) => d.id);
    assert.equal(gpu.length, 1);
    assert.deepEqual([...nics].sort(), ["nic-x", "nic-y", "nic-z"]);
    const cpuNode = result.containers!.find((c) => c.name === "train")!.numaAffinity;
    for (const version of ["1.36", "1.37"] as const) {
      const [train, watch] = listPodResources(node, version).pod_resources[0].containers;
      const expected = [
        {
          resource_name: GPU,
          device_ids: [gpu[0].id],
          topology: { nodes: gpu[0].numaNodes.map((ID) => ({ ID })) },
        },
        ...nics.sort().flatMap((id) => {
          // Recorded without a NUMA node (the plugin sent no topology, or an empty one).
          if (id === "nic-x" || id === "nic-z") return [{ resource_name: NIC, device_ids: [id] }];
          if (id === "nic-y")
            return [0, 1].map((ID) => ({
              resource_name: NIC,
              device_ids: [id],
              topology: { nodes: [{ ID }] },
            }));
          throw new Error(`unexpected NIC ${id}`);
        }),
      ];
      assert.deepEqual(train.devices, expected, version);
      assert.deepEqual(watch.devices, [], version);
    }
    if (cpuNode) assert.deepEqual(gpu[0].numaNodes, cpuNode, "the GPU sits on the CPUs' NUMA node");
  });

  it("GetAllocatableResources lists healthy devices of registered resources, one entry per NUMA node", () => {
    const machine = machineWithDevices();
    const withUnregistered = new Map(machine.devices);
    withUnregistered.set("example.com/old", {
      name: "example.com/old",
      registered: false,
      devices: [{ id: "old-0", numaNodes: [0], healthy: true }],
      plugin: NO_PLUGIN_OPTIONS,
    });
    const node = new Node({
      machine: { ...machine, devices: withUnregistered },
      config: workedExampleConfig("pod"),
    });
    const topo = (ID: number) => ({ nodes: [{ ID }] });
    assert.deepEqual(allocatableResources(node).devices, [
      { resource_name: GPU, device_ids: ["gpu-a"], topology: topo(0) },
      { resource_name: GPU, device_ids: ["gpu-b"], topology: topo(0) },
      { resource_name: GPU, device_ids: ["gpu-c"], topology: topo(1) },
      { resource_name: NIC, device_ids: ["nic-x"] },
      { resource_name: NIC, device_ids: ["nic-y"], topology: topo(0) },
      { resource_name: NIC, device_ids: ["nic-y"], topology: topo(1) },
    ]);
  });

  it("a health update shows at the next answer", () => {
    const node = new Node({ machine: machineWithDevices(), config: workedExampleConfig("pod") });
    node.updateDevices(GPU, [{ id: "gpu-a", numaNodes: [0], healthy: false }]);
    assert.deepEqual(
      allocatableResources(node).devices.filter((d) => d.resource_name === GPU),
      [],
    );
  });
});

describe("GetAllocatableResources", () => {
  const allocatableM = [mem("memory", 64n * GiB - 1100n * MiB, 0), mem("memory", 64n * GiB, 1)];

  it("machine M: every CPU but the reserved 0,16, and each NUMA node's allocatable memory", () => {
    const node = workedExampleNode("1.37", "pod");
    const answer = allocatableResources(node);
    assert.deepEqual(answer.cpu_ids, CPUSet.parse("1-15,17-31").toArray());
    assert.deepEqual(answer.memory, allocatableM);
    assert.deepEqual(answer.devices, []);
  });

  it("is capacity, not what is free: the same after blog example 1 is admitted, in both versions", () => {
    for (const version of ["1.36", "1.37"] as const)
      assert.deepEqual(allocatableResources(blogDatabaseNode(version)), {
        devices: [],
        cpu_ids: CPUSet.parse("1-15,17-31").toArray(),
        memory: allocatableM,
      });
  });

  it("leaves out explicitly reserved CPUs (reservedSystemCPUs)", () => {
    const node = workedExampleNode("1.37", "pod", {
      reservedSystemCPUs: CPUSet.parse("0-1,16-17"),
      numReservedCPUs: 4,
    });
    assert.deepEqual(allocatableResources(node).cpu_ids, CPUSet.parse("2-15,18-31").toArray());
  });

  it("lists no CPUs without the static CPU policy and no memory without the Static Memory Manager", () => {
    const node = workedExampleNode("1.37", "container", {
      cpuManagerPolicy: "none",
      numReservedCPUs: 0,
      memoryManagerPolicy: "None",
      reservedMemory: new Map(),
      topologyManagerPolicy: "none",
    });
    assert.deepEqual(allocatableResources(node), { devices: [], cpu_ids: [], memory: [] });
  });

  it("lists hugepages per NUMA node before memory, whose total leaves out the hugepage pool", () => {
    const m = machineM();
    const memory = new Map(
      [...m.memory].map(([id, numa]) => [
        id,
        { ...numa, hugepages: [{ pageSizeKiB: 2048, numPages: 512n }] },
      ]),
    );
    const node = new Node({ machine: { ...m, memory }, config: workedExampleConfig("pod") });
    assert.deepEqual(allocatableResources(node).memory, [
      mem("hugepages-2Mi", GiB, 0),
      mem("hugepages-2Mi", GiB, 1),
      mem("memory", 63n * GiB - 1100n * MiB, 0),
      mem("memory", 63n * GiB, 1),
    ]);
  });
});
