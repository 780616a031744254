import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { CPUSet } from "../../core/index.js";
import { containersInOrder } from "../../k8s/index.js";
import { Node } from "../../node/index.js";
import { buildPod, machineOf, opArb, setupArb } from "../../node/fuzz-sequences.js";
import { Gi } from "../../node/test-support.js";
import { fakeApplier } from "./fake-applier.test-support.js";
import { buildNodeResourceTopology, createNrtPublisher } from "./index.js";
import { cpuAmounts, deviceAmounts, memoryResources } from "./zone-resources.js";

const ID = { nodeName: "n", nodeUID: "u" };

/** CPUs that may be given exclusively now, from the CPU Manager's records (not its default set). */
function freeExclusiveCPUs(node: Node): number {
  if (!node.cpuPolicy) return node.machine.topology.all.size;
  const state = node.cpuPolicy.state;
  const held: CPUSet[] = [...state.getPodCPUAssignments().values()];
  for (const containers of state.getCPUAssignments().values()) held.push(...containers.values());
  return node.machine.topology.all.difference(node.cpuPolicy.reserved).difference(CPUSet.empty.union(...held))
    .size;
}

function checkAmounts(node: Node): void {
  for (const numa of new Set([...node.machine.memory.keys(), ...node.machine.topology.numaNodes()])) {
    const cpu = cpuAmounts(node, numa);
    assert.ok(0n <= cpu.available && cpu.available <= cpu.allocatable && cpu.allocatable <= cpu.capacity);
    const tables = node.memoryPolicy?.state.machineState.get(numa)?.memoryMap;
    for (const [name, t] of tables ?? [])
      assert.ok(
        t.free <= t.allocatable && t.allocatable <= t.total,
        `NUMA ${numa} ${name}: ${JSON.stringify(t, (_, v) => (typeof v === "bigint" ? String(v) : v))}`,
      );
    assert.ok(memoryResources(node, numa).length > 0 || !node.machine.memory.has(numa));
  }
  for (const zone of deviceAmounts(node).values())
    for (const a of zone.values()) assert.ok(a.available <= a.allocatable && a.allocatable <= a.capacity);
}

test("after any sequence of admits and removes, the last published object is the final node's", async () => {
  await fc.assert(
    fc.asyncProperty(setupArb, fc.array(opArb, { maxLength: 12 }), async (setup, ops) => {
      const machine = machineOf(setup.machine, BigInt(setup.memoryPerNodeGi) * Gi, setup.hugepagesPerNodeMi);
      let node: Node;
      try {
        node = new Node({ machine, config: setup.config });
      } catch {
        return; // a configuration the kubelet refuses at start: nothing to publish
      }
      const applier = fakeApplier();
      const publisher = createNrtPublisher({
        build: () => buildNodeResourceTopology(node, ID),
        applier,
        debounceMs: 1,
      });
      await publisher.publishNow();
      let i = 0;
      for (const op of ops) {
        const admitted = node.admittedPods();
        if (op.op === "admit") {
          const pod = buildPod(`pod-${i++}`, op.pod);
          if (pod) node.admit(pod);
        } else if (admitted.length > 0) {
          const pod = admitted[op.pick % admitted.length];
          if (op.op === "remove") node.remove(pod.uid);
          else {
            const containers = containersInOrder(pod);
            node.removeContainer(pod.uid, containers[op.container % containers.length].name);
          }
        }
        publisher.changed();
        checkAmounts(node);
        const nrt = buildNodeResourceTopology(node, ID);
        const cpuAvailable = nrt.zones.reduce(
          (n, z) => n + Number(z.resources?.find((r) => r.name === "cpu")?.available ?? "0"),
          0,
        );
        assert.equal(cpuAvailable, freeExclusiveCPUs(node));
        if (i % 3 === 0) await new Promise((resolve) => setTimeout(resolve, 0));
      }
      await publisher.stop();
      assert.deepEqual(applier.applied.at(-1), buildNodeResourceTopology(node, ID));
    }),
    { numRuns: 60 },
  );
});
