import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  type DeviceResource,
  type DeviceSpec,
  type Machine,
  machineNUMANodes,
  NO_PLUGIN_OPTIONS,
  presetMachine,
} from "../machine/index.js";
import { Node } from "./node.js";
import { bestEffortPod, podFromYaml, workedExampleConfig } from "./test-support.js";
import type { TopologyManagerPolicyName, TopologyManagerScopeName } from "./types.js";

/*
 * Random admit / remove / device-health sequences of GPU pods on machines with GPUs, through the
 * whole Node (Topology Manager, then the Device, CPU and Memory Managers). After every step: no
 * device is held by two containers (a standard init container's devices may only be taken again
 * by later containers of its own pod); under restricted and single-numa-node every admitted app
 * container's devices touch the NUMA nodes of its stored hint; every held device is one the
 * plugin listed. At the end, removing every pod and a purge frees every device.
 */

const GPU = "example.com/gpu";

interface Setup {
  machine: "worked-example" | "amd-tr-3960x-nps4";
  /** GPUs per NUMA node, then how many without NUMA information. */
  perNode: number[];
  withoutNUMA: number;
  policy: TopologyManagerPolicyName;
  scope: TopologyManagerScopeName;
}

function machineOf(s: Setup): Machine {
  const base = presetMachine(s.machine);
  if (!base) throw new Error(`no preset ${s.machine}`);
  const nodes = machineNUMANodes(base);
  const devices: DeviceSpec[] = nodes.flatMap((n, i) =>
    Array.from({ length: s.perNode[i % s.perNode.length] }, (_, k) => ({
      id: `gpu-${n}-${k}`,
      numaNodes: [n],
      healthy: true,
    })),
  );
  for (let k = 0; k < s.withoutNUMA; k++) devices.push({ id: `gpu-x-${k}`, numaNodes: null, healthy: true });
  const gpus: DeviceResource = { name: GPU, registered: true, devices, plugin: NO_PLUGIN_OPTIONS };
  return { ...base, devices: new Map([[GPU, gpus]]) };
}

interface PodShape {
  init: number;
  sidecar: number;
  apps: number[];
  cpu: number;
}

function podYaml(uid: string, p: PodShape): string {
  const c = (name: string, gpus: number, extra = "") =>
    `  - name: ${name}\n${extra}    resources:\n      requests: {cpu: "${p.cpu}", memory: 256Mi}\n      limits: {cpu: "${p.cpu}", memory: 256Mi${gpus > 0 ? `, ${GPU}: "${gpus}"` : ""}}\n`;
  const inits = [
    ...(p.init > 0 ? [c("init", p.init)] : []),
    ...(p.sidecar > 0 ? [c("sidecar", p.sidecar, "    restartPolicy: Always\n")] : []),
  ];
  return `apiVersion: v1
kind: Pod
metadata: {name: ${uid}, namespace: t, uid: ${uid}}
spec:
${inits.length > 0 ? `  initContainers:\n${inits.join("")}` : ""}  containers:
${p.apps.map((g, i) => c(`app${i}`, g)).join("")}`;
}

type Step =
  | { op: "admit"; pod: PodShape }
  | { op: "remove"; index: number }
  | { op: "health"; device: number; healthy: boolean };

const setupArb: fc.Arbitrary<Setup> = fc.record({
  machine: fc.constantFrom("worked-example" as const, "amd-tr-3960x-nps4" as const),
  perNode: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 4 }),
  withoutNUMA: fc.integer({ min: 0, max: 2 }),
  policy: fc.constantFrom<TopologyManagerPolicyName>("none", "best-effort", "restricted", "single-numa-node"),
  scope: fc.constantFrom<TopologyManagerScopeName>("container", "pod"),
});

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      op: fc.constant("admit" as const),
      pod: fc.record({
        init: fc.integer({ min: 0, max: 2 }),
        sidecar: fc.integer({ min: 0, max: 1 }),
        apps: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 2 }),
        cpu: fc.integer({ min: 1, max: 2 }),
      }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("remove" as const), index: fc.nat() }) },
  {
    weight: 1,
    arbitrary: fc.record({ op: fc.constant("health" as const), device: fc.nat(), healthy: fc.boolean() }),
  },
);

/** Every way the node's device state breaks the invariants, in words. */
function violations(node: Node, aligned: boolean): string[] {
  const out: string[] = [];
  const known = new Set(
    node
      .deviceResources()
      .get(GPU)
      ?.devices.map((d) => d.id) ?? [],
  );
  /** device id -> [pod, container, is a standard init container] of every holder. */
  const holders = new Map<string, { pod: string; container: string; init: boolean }[]>();
  for (const pod of node.admittedPods()) {
    const standardInit = new Set(
      pod.initContainers.filter((c) => c.restartPolicy !== "Always").map((c) => c.name),
    );
    for (const [container, byResource] of node.deviceManager.podDeviceIDs(pod.uid)) {
      for (const id of byResource.get(GPU) ?? []) {
        if (!known.has(id)) out.push(`${pod.uid}/${container} holds unknown device ${id}`);
        const list = holders.get(id) ?? [];
        list.push({ pod: pod.uid, container, init: standardInit.has(container) });
        holders.set(id, list);
      }
      if (
        aligned &&
        !standardInit.has(container) &&
        pod.initContainers.every((c) => c.restartPolicy === "Always")
      ) {
        const hint = node.topologyManager.getAffinity(pod.uid, container).affinity;
        const mask =
          hint === null
            ? null
            : new Set(machineNUMANodes(node.machine).filter((n) => (hint >> BigInt(n)) & 1n));
        for (const d of node.deviceManager.containerDevices(pod.uid, container).get(GPU) ?? []) {
          const withNUMA = d.numaNodes.filter((n) => n >= 0);
          if (mask && withNUMA.length > 0 && !withNUMA.some((n) => mask.has(n)))
            out.push(
              `${pod.uid}/${container}: device ${d.id} on ${withNUMA} outside its hint {${[...mask]}}`,
            );
        }
      }
    }
  }
  for (const [id, list] of holders) {
    const owners = list.filter((h) => !h.init);
    if (owners.length > 1)
      out.push(`device ${id} held by ${owners.map((h) => `${h.pod}/${h.container}`).join(" and ")}`);
    const pods = new Set(list.map((h) => h.pod));
    if (pods.size > 1) out.push(`device ${id} held by pods ${[...pods].join(", ")}`);
  }
  return out;
}

describe("Node with devices: random admit / remove / health sequences", () => {
  it("never hands a device to two containers, keeps alignment, and frees everything at the end", () => {
    fc.assert(
      fc.property(setupArb, fc.array(stepArb, { minLength: 1, maxLength: 12 }), (setup, steps) => {
        const machine = machineOf(setup);
        const node = new Node({
          machine,
          config: workedExampleConfig(setup.scope, { topologyManagerPolicy: setup.policy }),
        });
        const allDevices = [...(machine.devices.get(GPU)?.devices ?? [])];
        const health = new Map(allDevices.map((d) => [d.id, true]));
        const aligned = setup.policy === "restricted" || setup.policy === "single-numa-node";
        let n = 0;
        for (const step of steps) {
          if (step.op === "admit") node.admit(podFromYaml(podYaml(`p${n++}`, step.pod)));
          else if (step.op === "remove") {
            const pods = node.admittedPods();
            if (pods.length > 0) node.remove(pods[step.index % pods.length].uid);
          } else if (allDevices.length > 0) {
            health.set(allDevices[step.device % allDevices.length].id, step.healthy);
            node.updateDevices(
              GPU,
              allDevices.map((d) => ({ ...d, healthy: health.get(d.id) ?? true })),
            );
          }
          const v = violations(node, aligned);
          assert.deepEqual(v, [], `after ${JSON.stringify(step)}`);
        }
        for (const pod of node.admittedPods()) node.remove(pod.uid);
        // With policy none a pod without device requests never reaches the purge (no hints are
        // asked and Allocate purges only before a device resource), so purge directly.
        assert.equal(node.admit(bestEffortPod("purge")).admitted, true);
        node.deviceManager.updateAllocatedDevices();
        const inUse = [...node.deviceManager.allocatedDeviceIDs().values()].flat();
        assert.deepEqual(inUse, [], "every device is free once every pod is gone and a purge ran");
      }),
      { numRuns: 250 },
    );
  });
});
