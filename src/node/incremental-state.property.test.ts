import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { CPUSet } from "../core/index.js";
import { containersInOrder, type Pod } from "../k8s/index.js";
import { type DeviceSpec, type Machine, machineNUMANodes, NO_PLUGIN_OPTIONS } from "../machine/index.js";
import { cloneMemoryState } from "../managers/memory/index.js";
import { buildPod, machineOf, type Op, opArb, type Setup, setupArb } from "./fuzz-sequences.js";
import type { ResourceManager } from "./managers.js";
import { Node, NodeConfigError } from "./node.js";
import { sequenceOpArb } from "./sequence-ops.test-support.js";
import { Gi, machineM, podFromYaml, snapshotNode, workedExampleConfig } from "./test-support.js";
import type { NodeConfig, TopologyManagerPolicyName, TopologyManagerScopeName } from "./types.js";

/*
 * The node keeps some state incrementally so that an admission costs the same with 10 or 10,000
 * live pods: the stale-state cleanup looks only at pods that may have stopped being active, and
 * the CPU Manager keeps the union of its container assignments as they come and go. After every
 * step of random admit / remove / remove-container sequences, that state must equal a rebuild from
 * scratch, and a node restarted from the checkpointed state (whose first cleanup walks every entry
 * and whose union is summed afresh) must decide the next admission exactly as the live node does.
 */

/** The node's CPU and Memory Managers (private to the node: read here to check their bookkeeping). */
function resourceManagers(node: Node): ResourceManager[] {
  const inner = node as unknown as { cpuManager: ResourceManager; memoryManager: ResourceManager };
  return [inner.cpuManager, inner.memoryManager];
}

/** Problems of the incrementally kept state against a rebuild from the node's pods and state. */
function bookkeepingProblems(node: Node): string[] {
  const out: string[] = [];
  const active = new Map(
    node.admittedPods().map((p) => [p.uid, new Set(containersInOrder(p).map((c) => c.name))]),
  );
  for (const manager of resourceManagers(node)) {
    const suspects = manager.staleStateSuspects();
    if (!manager.policy || suspects === null) continue;
    for (const { podUID, containerName } of manager.policy.containerKeys()) {
      if (active.get(podUID)?.has(containerName)) continue;
      if (!suspects.has(podUID))
        out.push(`${manager.resource}: stale ${podUID}/${containerName} is not among the cleanup's suspects`);
    }
  }
  const candidates = node.deviceManager.purgeCandidates();
  if (candidates !== null)
    for (const uid of node.deviceManager.stateData().podDevices.keys())
      if (!active.has(uid) && !candidates.has(uid))
        out.push(`device: ${uid} holds devices, is not active and is not among the purge's suspects`);
  const state = node.cpuPolicy?.state;
  if (state) {
    const sets: CPUSet[] = [];
    for (const inner of state.getCPUAssignments().values()) sets.push(...inner.values());
    const rebuilt = CPUSet.empty.union(...sets);
    if (!state.assignedCPUs().equals(rebuilt))
      out.push(`cpu: assigned CPUs ${state.assignedCPUs()} but the assignments hold ${rebuilt}`);
  }
  return out;
}

const GPU = "example.com/gpu";

/** The machine with `perNode` GPUs on each NUMA node. */
function withGPUs(base: Machine, perNode: number): Machine {
  const devices: DeviceSpec[] = machineNUMANodes(base).flatMap((n) =>
    Array.from({ length: perNode }, (_, k) => ({ id: `gpu-${n}-${k}`, numaNodes: [n], healthy: true })),
  );
  return {
    ...base,
    devices: new Map([[GPU, { name: GPU, registered: true, devices, plugin: NO_PLUGIN_OPTIONS }]]),
  };
}

/** A Guaranteed pod whose app containers (and an init container) ask for GPUs. */
function gpuPod(uid: string, shape: { gpus: number[]; initGPUs: number }): Pod {
  const c = (name: string, gpus: number) =>
    `  - name: ${name}\n    resources:\n      requests: {cpu: "1", memory: 256Mi}\n      limits: {cpu: "1", memory: 256Mi${gpus > 0 ? `, ${GPU}: "${gpus}"` : ""}}\n`;
  return podFromYaml(`apiVersion: v1
kind: Pod
metadata: {name: ${uid}, namespace: t, uid: ${uid}}
spec:
  initContainers:
${c("init", shape.initGPUs)}  containers:
${shape.gpus.map((g, i) => c(`app${i}`, g)).join("")}`);
}

/** A node started from this node's checkpointed state with its admitted pods running. */
function restarted(node: Node): Node | null {
  try {
    return new Node({
      machine: node.machine,
      config: node.config,
      restored: {
        cpu: node.cpuPolicy?.state.clone().data,
        memory: node.memoryPolicy ? cloneMemoryState(node.memoryPolicy.state) : undefined,
        device: node.deviceManager.stateData(),
      },
      runningPods: node.admittedPods(),
      admissionLimit: null,
    });
  } catch (err) {
    // A state the kubelet itself refuses to start from (fuzz-sequences.ts, hasSplitGroup).
    if (err instanceof NodeConfigError) return null;
    throw err;
  }
}

/** Plain data for comparing: CPU sets as their lists, bigints as text. */
const plain = (value: unknown): unknown =>
  JSON.parse(JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? `${v}n` : v)));

/** What an admission decided, without the trace (a restarted node stored no earlier hints). */
function decided(node: Node, pod: Pod): { admitted: boolean; reason: string | null } {
  const r = node.admit(pod);
  return plain({
    admitted: r.admitted,
    reason: r.reason,
    message: r.message,
    containers: r.containers,
    podDecision: r.podDecision,
    defaultCpuSet: r.defaultCpuSet,
    leftoverState: r.leftoverState,
    state: snapshotNode(node),
  }) as { admitted: boolean; reason: string | null };
}

/** One step: admit a pod of `P`'s shape, remove a pod, or remove one of its containers. */
type Step<P> =
  | { op: "admit"; pod: P }
  | { op: "remove"; pick: number }
  | { op: "removeContainer"; pick: number; container: number };

function runAgainstRebuilds<P>(
  machine: Machine,
  config: NodeConfig,
  ops: Step<P>[],
  podOf: (uid: string, shape: P) => Pod | null,
): void {
  let node: Node;
  try {
    node = new Node({ machine, config, admissionLimit: null });
  } catch (err) {
    if (err instanceof NodeConfigError) return;
    throw err;
  }
  const log: string[] = [];
  const fail = (what: string) => {
    throw new Error(
      `${config.topologyManagerPolicy}/${config.topologyManagerScope}\n${log.join("\n")}\n${what}`,
    );
  };
  ops.forEach((op, i) => {
    const admitted = node.admittedPods();
    if (op.op === "admit") {
      const pod = podOf(`pod-${i}`, op.pod);
      if (!pod) return;
      const reference = restarted(node);
      const live = decided(node, pod);
      log.push(`admit ${pod.uid} -> ${live.admitted ? "admitted" : live.reason}`);
      if (reference) {
        try {
          assert.deepEqual(live, decided(reference, pod));
        } catch (err) {
          fail(`the live node and a node restarted from its state disagree: ${(err as Error).message}`);
        }
      }
    } else if (admitted.length > 0) {
      const pod = admitted[op.pick % admitted.length];
      if (op.op === "remove") {
        node.remove(pod.uid);
        log.push(`remove ${pod.uid}`);
      } else {
        const all = containersInOrder(pod);
        const name = all[op.container % all.length].name;
        node.removeContainer(pod.uid, name);
        log.push(`removeContainer ${pod.uid}/${name}`);
      }
    }
    const problems = bookkeepingProblems(node);
    if (problems.length > 0) fail(`after step ${i}:\n  ${problems.join("\n  ")}`);
  });
}

describe("incrementally kept node state", () => {
  it("equals a rebuild after every step, and the live node decides as a restarted one", () => {
    const run = (setup: Setup, ops: Op[]) =>
      runAgainstRebuilds(
        machineOf(setup.machine, BigInt(setup.memoryPerNodeGi) * Gi, setup.hugepagesPerNodeMi),
        setup.config,
        ops,
        buildPod,
      );
    fc.assert(fc.property(setupArb, fc.array(opArb, { minLength: 1, maxLength: 16 }), run), {
      numRuns: 150,
      includeErrorInReport: true,
    });
  });

  it("keeps the device purge's suspects complete on machines with GPUs", () => {
    const gpuPodArb = fc.record({
      gpus: fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 1, maxLength: 3 }),
      initGPUs: fc.integer({ min: 0, max: 2 }),
    });
    const gpuSetupArb = fc.record({
      perNode: fc.integer({ min: 1, max: 3 }),
      policy: fc.constantFrom<TopologyManagerPolicyName>(
        "none",
        "best-effort",
        "restricted",
        "single-numa-node",
      ),
      scope: fc.constantFrom<TopologyManagerScopeName>("container", "pod"),
    });
    fc.assert(
      fc.property(
        gpuSetupArb,
        fc.array(sequenceOpArb(gpuPodArb), { minLength: 1, maxLength: 16 }),
        (setup, ops) =>
          runAgainstRebuilds(
            withGPUs(machineM(), setup.perNode),
            workedExampleConfig(setup.scope, { topologyManagerPolicy: setup.policy }),
            ops,
            gpuPod,
          ),
      ),
      { numRuns: 60, includeErrorInReport: true },
    );
  });

  it("notices a stale entry the cleanup would not look at", () => {
    const node = new Node({ machine: machineM(), config: workedExampleConfig("container") });
    const pod = buildPod("p", {
      flavor: "classic",
      budget: null,
      containers: [{ role: "app", cpu: "1", memory: "128Mi", hugepages: null, qos: "guaranteed" }],
    });
    assert.ok(pod);
    assert.equal(node.admit(pod).admitted, true);
    assert.deepEqual(bookkeepingProblems(node), []);
    // A state change behind the managers' back: an entry for a pod that was never active.
    node.cpuPolicy!.state.setCPUSet("ghost", "c", CPUSet.of(5));
    assert.match(bookkeepingProblems(node).join("\n"), /ghost\/c is not among the cleanup's suspects/);
  });
});
