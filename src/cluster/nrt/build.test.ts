import assert from "node:assert/strict";
import { test } from "node:test";
import { Node } from "../../node/index.js";
import { machineM, workedExampleConfig } from "../../node/test-support.js";
import { buildNodeResourceTopology, topologyPolicyWord } from "./index.js";
import { guaranteedPod, podLevelPod, presetNode, resourceOf } from "./nrt.test-support.js";

const ID = { nodeName: "worker-1", nodeUID: "6f1c0d52-0000-4000-8000-000000000001" };

test("machine M: zones per NUMA node with costs, reserved CPUs and memory taken out of allocatable", () => {
  const node = new Node({ machine: machineM(), config: workedExampleConfig("container") });
  const nrt = buildNodeResourceTopology(node, ID);
  assert.equal(nrt.apiVersion, "topology.node.k8s.io/v1alpha2");
  assert.equal(nrt.metadata.name, "worker-1");
  assert.deepEqual(nrt.metadata.ownerReferences, [
    { apiVersion: "v1", kind: "Node", name: "worker-1", uid: ID.nodeUID },
  ]);
  assert.deepEqual(nrt.topologyPolicies, ["SingleNUMANodeContainerLevel"]);
  assert.deepEqual(
    nrt.zones.map((z) => [z.name, z.type, z.costs?.map((c) => `${c.name}=${c.value}`)]),
    [
      ["node-0", "Node", ["node-0=10", "node-1=21"]],
      ["node-1", "Node", ["node-0=21", "node-1=10"]],
    ],
  );
  // 16 CPUs per NUMA node, the 2 reserved ones on node 0; 1100Mi of memory reserved on node 0.
  assert.deepEqual(resourceOf(nrt, "node-0", "cpu"), {
    name: "cpu",
    capacity: "16",
    allocatable: "14",
    available: "14",
  });
  assert.deepEqual(resourceOf(nrt, "node-1", "cpu"), {
    name: "cpu",
    capacity: "16",
    allocatable: "16",
    available: "16",
  });
  assert.deepEqual(resourceOf(nrt, "node-0", "memory"), {
    name: "memory",
    capacity: "64Gi",
    allocatable: "64436Mi",
    available: "64436Mi",
  });
});

test("exclusive CPUs and memory blocks of an admitted pod leave available; removal gives them back", () => {
  const node = new Node({ machine: machineM(), config: workedExampleConfig("container") });
  const before = buildNodeResourceTopology(node, ID);
  const pod = guaranteedPod("db", 4, "8Gi");
  assert.equal(node.admit(pod).admitted, true);
  const after = buildNodeResourceTopology(node, ID);
  const total = (o: typeof after, name: string, unit: (s: string) => number) =>
    o.zones.reduce((sum, z) => sum + unit(z.resources?.find((r) => r.name === name)?.available ?? "0"), 0);
  assert.equal(total(before, "cpu", Number) - total(after, "cpu", Number), 4);
  const mi = (s: string) => (s.endsWith("Gi") ? Number.parseInt(s, 10) * 1024 : Number.parseInt(s, 10));
  assert.equal(total(before, "memory", mi) - total(after, "memory", mi), 8 * 1024);
  assert.notEqual(
    after.attributes?.find((a) => a.name === "nodeTopologyPodsFingerprint")?.value,
    before.attributes?.find((a) => a.name === "nodeTopologyPodsFingerprint")?.value,
  );
  node.remove(pod.uid);
  assert.deepEqual(buildNodeResourceTopology(node, ID), before);
});

test("a pod-level pod counts its whole bubble and its pod-level memory, not only its exclusive container", () => {
  const node = new Node({ machine: machineM(), config: workedExampleConfig("pod") });
  const result = node.admit(podLevelPod("bubble", 6, "4Gi", 2));
  assert.equal(result.admitted, true, result.message ?? "");
  const bubble = result.podDecision?.bubble;
  assert.ok(bubble && bubble.size === 6);
  const nrt = buildNodeResourceTopology(node, ID);
  const numa = node.machine.topology.numaNodesOf(bubble)[0];
  const cpu = resourceOf(nrt, `node-${numa}`, "cpu");
  assert.equal(Number(cpu.allocatable) - Number(cpu.available), 6, "the pod shared pool is used too");
  const memory = resourceOf(nrt, `node-${numa}`, "memory");
  assert.equal(numa, 0);
  assert.deepEqual([memory.allocatable, memory.available], ["64436Mi", "60340Mi"]);
});

test("devices on a DGX H100: counted per NUMA node; allocated ones leave available", () => {
  const node = presetNode("nvidia-dgx-h100", { topologyManagerScope: "container" });
  const idle = buildNodeResourceTopology(node, ID);
  assert.deepEqual(
    idle.zones.map((z) => z.resources?.map((r) => r.name)),
    [
      ["cpu", "hugepages-1Gi", "hugepages-2Mi", "memory", "nvidia.com/gpu", "nvidia.com/hostdev"],
      ["cpu", "hugepages-1Gi", "hugepages-2Mi", "memory", "nvidia.com/gpu", "nvidia.com/hostdev"],
    ],
  );
  assert.deepEqual(resourceOf(idle, "node-1", "nvidia.com/gpu"), {
    name: "nvidia.com/gpu",
    capacity: "4",
    allocatable: "4",
    available: "4",
  });
  const result = node.admit(guaranteedPod("train", 8, "16Gi", 2));
  assert.equal(result.admitted, true, result.message ?? "");
  const nrt = buildNodeResourceTopology(node, ID);
  const used = nrt.zones.map((z) => {
    const gpu = z.resources?.find((r) => r.name === "nvidia.com/gpu");
    return Number(gpu?.allocatable) - Number(gpu?.available);
  });
  assert.deepEqual(used.sort(), [0, 2]);
});

test("GB200: every NUMA node is a zone, CPU-less ones included, with their distances", () => {
  const node = presetNode("nvidia-gb200-tray", {
    topologyManagerPolicyOptions: { "max-allowable-numa-nodes": "34" },
  });
  const nrt = buildNodeResourceTopology(node, { nodeName: "gb200" });
  assert.equal(nrt.metadata.ownerReferences, undefined);
  assert.equal(nrt.zones.length, 34);
  assert.deepEqual(
    nrt.zones.map((z) => z.name),
    Array.from({ length: 34 }, (_, i) => `node-${i}`),
  );
  for (const z of nrt.zones) assert.equal(z.costs?.length, 34);
  const cpuless = nrt.zones.filter((z) => z.resources?.find((r) => r.name === "cpu")?.capacity === "0");
  assert.ok(cpuless.length > 0);
  const gpus = nrt.zones.flatMap((z) => z.resources?.filter((r) => r.name === "nvidia.com/gpu") ?? []);
  assert.equal(
    gpus.reduce((n, r) => n + Number(r.capacity), 0),
    4,
  );
});

test("the none CPU policy and the None Memory Manager policy: everything allocatable is available", () => {
  const node = new Node({
    machine: machineM(),
    config: workedExampleConfig("container", {
      cpuManagerPolicy: "none",
      memoryManagerPolicy: "None",
      reservedMemory: new Map(),
      topologyManagerPolicy: "none",
    }),
  });
  assert.equal(node.admit(guaranteedPod("db", 4, "8Gi")).admitted, true);
  const nrt = buildNodeResourceTopology(node, ID);
  assert.deepEqual(nrt.topologyPolicies, ["None"]);
  for (const z of nrt.zones)
    for (const r of z.resources ?? []) assert.equal(r.available, r.allocatable, `${z.name} ${r.name}`);
  assert.deepEqual(resourceOf(nrt, "node-0", "cpu"), {
    name: "cpu",
    capacity: "16",
    allocatable: "16",
    available: "16",
  });
});

test("topologyPolicies words follow node-feature-discovery's mapping of policy and scope", () => {
  const table: [Parameters<typeof topologyPolicyWord>, string][] = [
    [["single-numa-node", "container"], "SingleNUMANodeContainerLevel"],
    [["single-numa-node", "pod"], "SingleNUMANodePodLevel"],
    [["restricted", "container"], "RestrictedContainerLevel"],
    [["restricted", "pod"], "RestrictedPodLevel"],
    [["best-effort", "container"], "BestEffortContainerLevel"],
    [["best-effort", "pod"], "BestEffortPodLevel"],
    [["none", "container"], "None"],
    [["none", "pod"], "None"],
  ];
  for (const [[policy, scope], word] of table) assert.equal(topologyPolicyWord(policy, scope), word);
});

test("the object is deterministic: the same node gives the same text", () => {
  const a = presetNode("nvidia-dgx-h100");
  const b = presetNode("nvidia-dgx-h100");
  for (const n of [a, b]) n.admit(podLevelPod("p", 4, "2Gi", 1));
  assert.equal(
    JSON.stringify(buildNodeResourceTopology(a, ID)),
    JSON.stringify(buildNodeResourceTopology(b, ID)),
  );
});
