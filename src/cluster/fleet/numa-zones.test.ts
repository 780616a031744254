import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import fc from "fast-check";
import { type Pod, readPodInputs } from "../../k8s/index.js";
import { Node } from "../../node/index.js";
import { EXAMPLES, fleetDir } from "./fleet.test-support.js";
import { type FleetGroup, loadFleet } from "./index.js";
import { nrtView, nrtViewOf } from "./numa-zones.js";
import { engineZones } from "./numa-zones.test-support.js";

/*
 * The fleet's NUMA-aware scheduler reads each node's NodeResourceTopology object (the one the node
 * agent publishes). After any sequence of admissions and removals on the fleet's machines, what
 * it reads per zone (free CPUs, memory, hugepages, devices) is what the engine's state says is
 * free there, and the Topology Manager settings are the kubelet's.
 */

const SNC4_KUBELET = `{apiVersion: kubelet.config.k8s.io/v1beta1, kind: KubeletConfiguration,
      featureGates: {PodLevelResources: true, PodLevelResourceManagers: true},
      cpuManagerPolicy: static, kubeReserved: {cpu: "1", memory: 500Mi},
      systemReserved: {cpu: "1", memory: 500Mi}, evictionHard: {memory.available: 100Mi},
      memoryManagerPolicy: Static, reservedMemory: [{numaNode: 0, limits: {memory: 1100Mi}}],
      topologyManagerPolicy: single-numa-node, topologyManagerScope: pod}`;

function groups(t: { after(fn: () => void): void }): FleetGroup[] {
  const dir = fleetDir(t, {
    "pod.yaml": "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: c}]}\n",
    "fleet.yaml": `apiVersion: podpin.io/v1alpha1
kind: Fleet
nodeGroups:
  - {name: two-numa, count: 1, machine: intel-xeon-6230r-2s, kubeletConfig: ${join(EXAMPLES, "kubelet-container-scope.yaml")}}
  - {name: dgx, count: 1, machine: nvidia-dgx-h100, kubeletConfig: ${join(EXAMPLES, "kubelet-pod-scope.yaml")}}
  - name: snc4
    count: 1
    machine: intel-spr-2s-snc4
    kubeletConfig: ${SNC4_KUBELET}
  - {name: defaults, count: 1, machine: nvidia-dgx-h100}
workloads:
  - {file: pod.yaml}
`,
  });
  return loadFleet(join(dir, "fleet.yaml")).groups;
}

interface ContainerShape {
  milliCPU: number;
  memoryGi: number;
  gpus: number;
  sidecar: boolean;
}
interface PodShape {
  qos: "Guaranteed" | "Burstable" | "BestEffort";
  podLevel: boolean;
  containers: ContainerShape[];
}

const containerArb: fc.Arbitrary<ContainerShape> = fc.record({
  milliCPU: fc.oneof(
    fc.integer({ min: 1, max: 40 }).map((n) => n * 1000),
    fc.integer({ min: 100, max: 9000 }),
  ),
  memoryGi: fc.integer({ min: 1, max: 300 }),
  gpus: fc.constantFrom(0, 0, 0, 1, 2, 4),
  sidecar: fc.boolean(),
});
const podArb: fc.Arbitrary<PodShape> = fc.record({
  qos: fc.constantFrom(
    "Guaranteed" as const,
    "Guaranteed" as const,
    "Burstable" as const,
    "BestEffort" as const,
  ),
  podLevel: fc.boolean(),
  containers: fc.array(containerArb, { minLength: 1, maxLength: 3 }),
});
type Op = { admit: PodShape } | { remove: number };
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: podArb.map((admit) => ({ admit })) },
  { weight: 1, arbitrary: fc.nat(20).map((remove) => ({ remove })) },
);

function resources(c: ContainerShape, qos: PodShape["qos"], podLevel: boolean): string {
  const gpu = c.gpus > 0 ? `, nvidia.com/gpu: "${c.gpus}"` : "";
  if (qos === "BestEffort") return gpu ? `{requests: {${gpu.slice(2)}}, limits: {${gpu.slice(2)}}}` : "{}";
  if (podLevel) return gpu ? `{requests: {${gpu.slice(2)}}, limits: {${gpu.slice(2)}}}` : "{}";
  const req = `cpu: ${c.milliCPU}m, memory: ${c.memoryGi}Gi${gpu}`;
  const lim = qos === "Guaranteed" ? req : `cpu: ${2 * c.milliCPU}m, memory: ${2 * c.memoryGi}Gi${gpu}`;
  return `{requests: {${req}}, limits: {${lim}}}`;
}

function podOf(name: string, shape: PodShape): Pod {
  const [first, ...rest] = shape.containers;
  const line = (c: ContainerShape, i: number, init: boolean) =>
    `    - {name: c${i}, ${init ? "restartPolicy: Always, " : ""}resources: ${resources(c, shape.qos, shape.podLevel)}}`;
  const sidecars = rest.filter((c) => c.sidecar);
  const apps = [first, ...rest.filter((c) => !c.sidecar)];
  const cpu = shape.containers.reduce((s, c) => s + c.milliCPU, 0);
  const memory = shape.containers.reduce((s, c) => s + c.memoryGi, 0);
  const budget =
    shape.podLevel && shape.qos !== "BestEffort"
      ? `  resources: {requests: {cpu: ${cpu}m, memory: ${memory}Gi}, limits: {cpu: ${shape.qos === "Guaranteed" ? cpu : 2 * cpu}m, memory: ${memory}Gi}}\n`
      : "";
  const text = [
    "apiVersion: v1",
    "kind: Pod",
    `metadata: {name: ${name}, namespace: default}`,
    "spec:",
    budget.trimEnd(),
    sidecars.length > 0 ? "  initContainers:" : "",
    ...sidecars.map((c, i) => line(c, 100 + i, true)),
    "  containers:",
    ...apps.map((c, i) => line(c, i, false)),
  ]
    .filter((l) => l !== "")
    .join("\n");
  const [input] = readPodInputs(`${text}\n`, `${name}.yaml`);
  return input.pod;
}

function assertSameZones(node: Node, where: string): void {
  const view = nrtViewOf(node, "n");
  assert.equal(view.policy, node.config.topologyManagerPolicy, `${where}: policy`);
  assert.equal(view.scope, node.config.topologyManagerScope, `${where}: scope`);
  const expected = engineZones(node).map((z) => ({ id: z.id, available: Object.fromEntries(z.available) }));
  const actual = view.zones.map((z) => ({ id: z.id, available: Object.fromEntries(z.available) }));
  assert.deepEqual(actual, expected, where);
}

test("per NUMA zone, the NodeResourceTopology object's available amounts are the engine's free ones", (t) => {
  const started = performance.now();
  let checks = 0;
  const admitted = new Map<string, number>();
  for (const group of groups(t)) {
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 1, maxLength: 24 }), (ops) => {
        const node = new Node({ machine: group.machine, config: group.config });
        assertSameZones(node, `${group.name}, fresh`);
        for (const [i, op] of ops.entries()) {
          if ("admit" in op) {
            let pod: Pod;
            try {
              pod = podOf(`p${i}`, op.admit);
            } catch {
              continue; // a shape the API server would refuse
            }
            const result = node.admit(pod);
            if (result.admitted) admitted.set(group.name, (admitted.get(group.name) ?? 0) + 1);
            if (!result.admitted && result.leftoverState)
              for (const c of [...pod.initContainers, ...pod.containers])
                node.removeContainer(pod.uid, c.name);
          } else {
            const pods = node.admittedPods();
            if (pods.length > 0) node.remove(pods[op.remove % pods.length].uid);
          }
          assertSameZones(node, `${group.name}, after step ${i}`);
          checks++;
        }
      }),
      { numRuns: 25, seed: 5526 },
    );
  }
  assert.ok(checks > 300, `${checks} states checked`);
  // Every machine saw admissions (the states compared are not all empty ones).
  for (const name of ["two-numa", "dgx", "snc4", "defaults"])
    assert.ok((admitted.get(name) ?? 0) > 20, `${name}: ${admitted.get(name) ?? 0} admitted`);
  t.diagnostic(
    `${checks} node states in ${Math.round(performance.now() - started)} ms; admitted ${JSON.stringify(Object.fromEntries(admitted))}`,
  );
});

test("the Topology Manager settings: attributes first, else the deprecated policy word, else none/container", () => {
  const zones = [{ name: "node-0", type: "Node", resources: [] }];
  const base = {
    apiVersion: "topology.node.k8s.io/v1alpha2" as const,
    kind: "NodeResourceTopology" as const,
  };
  const of = (extra: object) => {
    const v = nrtView({ ...base, metadata: { name: "n" }, zones, ...extra });
    return [v.policy, v.scope];
  };
  assert.deepEqual(of({}), ["none", "container"]);
  assert.deepEqual(of({ topologyPolicies: ["SingleNUMANodePodLevel"] }), ["single-numa-node", "pod"]);
  assert.deepEqual(
    of({
      topologyPolicies: ["SingleNUMANodePodLevel"],
      attributes: [
        { name: "topologyManagerPolicy", value: "restricted" },
        { name: "topologyManagerScope", value: "container" },
      ],
    }),
    ["restricted", "container"],
  );
  // Zones that are not NUMA nodes, or not named node-<id>, are not the plugin's.
  const v = nrtView({
    ...base,
    metadata: { name: "n" },
    zones: [
      {
        name: "node-1",
        type: "Node",
        resources: [{ name: "cpu", capacity: "4", allocatable: "4", available: "3" }],
      },
      { name: "socket-0", type: "Socket" },
      { name: "numa-2", type: "Node" },
    ],
  });
  assert.deepEqual(
    v.zones.map((z) => [z.id, Object.fromEntries(z.available)]),
    [[1, { cpu: 3000 }]],
  );
});
