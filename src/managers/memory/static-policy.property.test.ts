import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import type { NUMANodeMap } from "./state-data.js";
import { MetricsRegistry } from "../../core/index.js";
import { DEFAULT_FEATURE_GATES, type KubernetesVersion, type Pod } from "../../k8s/index.js";
import type { NUMAMemory } from "../../machine/index.js";
import type { TopologyHint } from "../topology/index.js";
import { defaultMachineState, machineStatesEqual } from "./machine-state.js";
import { cloneMachineState } from "./memory-state.js";
import { StaticPolicy } from "./static-policy.js";
import { Gi, type GeneratedContainer, gatesOn, generatedPod, hint, Mi } from "./test-support.js";
import { addU64 } from "./u64.js";

type ContainerSpec = GeneratedContainer;

interface PodSpec {
  podLevel: boolean;
  budgetMi: number;
  containers: ContainerSpec[];
  /** Which of the Memory Manager's own hints the Topology Manager picks; null = no affinity. */
  hintChoice: number | null;
}

type Op = { kind: "admit"; pod: PodSpec } | { kind: "remove"; which: number };

const containerSpec = fc.record({
  kind: fc.constantFrom<ContainerSpec["kind"]>("init", "sidecar", "app", "app"),
  memoryMi: fc.integer({ min: 1, max: 24 }).map((n) => n * 256),
  hugepagesGi: fc.integer({ min: 0, max: 2 }),
  exclusive: fc.boolean(),
});

const podSpec = (numNodes: number) =>
  fc.record({
    podLevel: fc.boolean(),
    budgetMi: fc.integer({ min: 1, max: 32 }).map((n) => n * 512),
    containers: fc.array(containerSpec, { minLength: 1, maxLength: 5 }),
    hintChoice: fc.option(fc.nat({ max: 2 * numNodes }), { nil: null }),
  });

const machineSpec = fc.integer({ min: 1, max: 4 }).chain((numNodes) =>
  fc.record({
    nodes: fc.array(
      fc.record({ memoryGi: fc.integer({ min: 1, max: 16 }), hugepages1Gi: fc.integer({ min: 0, max: 6 }) }),
      { minLength: numNodes, maxLength: numNodes },
    ),
    reservedMi: fc.array(
      fc.integer({ min: 0, max: 4 }).map((n) => n * 256),
      {
        minLength: numNodes,
        maxLength: numNodes,
      },
    ),
    ops: fc.array(
      fc.oneof(
        { weight: 3, arbitrary: podSpec(numNodes).map((p): Op => ({ kind: "admit", pod: p })) },
        { weight: 1, arbitrary: fc.nat().map((which): Op => ({ kind: "remove", which })) },
      ),
      { maxLength: 12 },
    ),
    version: fc.constantFrom<KubernetesVersion>("1.36", "1.37"),
  }),
);

function buildPod(uid: string, spec: PodSpec): Pod {
  return generatedPod(uid, spec, { fallbackMemory: "256Mi" });
}

function assertFreePlusReservedIsAllocatable(ms: NUMANodeMap): void {
  for (const [id, node] of ms) {
    for (const [resource, t] of node.memoryMap) {
      assert.equal(addU64(t.free, t.reserved), t.allocatable, `node ${id} ${resource}`);
    }
  }
}

describe("Static policy properties", () => {
  it("free + reserved == allocatable after any admit/remove sequence; allocate-then-remove restores the state", () => {
    fc.assert(
      fc.property(machineSpec, (m) => {
        const memory = new Map<number, NUMAMemory>(
          m.nodes.map((n, i) => [
            i,
            {
              memory: BigInt(n.memoryGi) * Gi,
              hugepages: [{ pageSizeKiB: 1024 * 1024, numPages: BigInt(n.hugepages1Gi) }],
            },
          ]),
        );
        const reservedMemory = new Map(
          m.reservedMi.map((r, i) => [i, new Map([["memory", BigInt(i === 0 ? r + 256 : r) * Mi]])]),
        );
        let current: TopologyHint = hint(null, false);
        const policy = StaticPolicy.create({
          machine: { memory },
          reservedMemory,
          gates: gatesOn(),
          version: m.version,
          affinity: { getAffinity: () => current },
          metrics: new MetricsRegistry(),
        }) as StaticPolicy;
        assert.equal(policy.start(), null);
        const fresh = defaultMachineState(memory, reservedMemory);
        const admitted: Pod[] = [];
        const removePod = (p: Pod) => {
          for (const c of [...p.initContainers, ...p.containers]) policy.removeContainer(p.uid, c.name);
        };

        // The Topology Manager stores one of the provider's own hints (or none) before allocation.
        const pick = (hints: ReturnType<StaticPolicy["getPodTopologyHints"]>, choice: number | null) => {
          const list = hints?.get("memory") ?? [];
          current = choice === null || list.length === 0 ? hint(null, false) : list[choice % list.length];
        };
        const admit = (p: Pod, spec: PodSpec): boolean => {
          if (spec.podLevel) {
            pick(policy.getPodTopologyHints(p), spec.hintChoice);
            return policy.allocatePod(p) === null;
          }
          for (const c of [...p.initContainers, ...p.containers]) {
            pick(policy.getTopologyHints(p, c), spec.hintChoice);
            if (policy.allocate(p, c)) return false;
          }
          return true;
        };

        m.ops.forEach((op, step) => {
          if (op.kind === "remove") {
            if (admitted.length === 0) return;
            removePod(admitted.splice(op.which % admitted.length, 1)[0]);
          } else {
            const p = buildPod(`pod-${step}`, op.pod);
            const before = cloneMachineState(policy.state.machineState);
            const failed = !admit(p, op.pod);
            assertFreePlusReservedIsAllocatable(policy.state.machineState);
            // Allocate-then-remove gives everything back (a failed pod is cleaned the same way).
            const probe = cloneMachineState(policy.state.machineState);
            removePod(p);
            assert.ok(machineStatesEqual(policy.state.machineState, before), `remove restores, step ${step}`);
            if (failed) return;
            // Re-admit for real under a fresh uid so the pod stays for later steps.
            const again = buildPod(`pod-${step}-kept`, op.pod);
            assert.ok(admit(again, op.pod));
            assert.ok(machineStatesEqual(policy.state.machineState, probe));
            admitted.push(again);
          }
          assertFreePlusReservedIsAllocatable(policy.state.machineState);
        });

        for (const p of admitted) removePod(p);
        assert.deepEqual(policy.state.machineState, fresh);
        assert.equal(policy.state.entries.size, 0);
        assert.equal(policy.state.podEntries.size, 0);
      }),
      { numRuns: 300 },
    );
  });

  it("a fresh machine state validates at start against the same machine", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({ memoryGi: fc.integer({ min: 1, max: 64 }), pages: fc.integer({ min: 0, max: 80 }) }),
          {
            minLength: 1,
            maxLength: 4,
          },
        ),
        (nodes) => {
          const memory = new Map<number, NUMAMemory>(
            nodes.map((n, i) => [
              i,
              {
                memory: BigInt(n.memoryGi) * Gi,
                hugepages: [{ pageSizeKiB: 2048, numPages: BigInt(n.pages) }],
              },
            ]),
          );
          const reservedMemory = new Map([[0, new Map([["memory", Gi]])]]);
          const state = {
            policyName: "Static",
            machineState: defaultMachineState(memory, reservedMemory),
            entries: new Map(),
            podEntries: new Map(),
          };
          const policy = StaticPolicy.create({
            machine: { memory },
            reservedMemory,
            gates: { ...DEFAULT_FEATURE_GATES },
            version: "1.37",
            affinity: { getAffinity: () => hint(null, false) },
            metrics: new MetricsRegistry(),
            state,
          }) as StaticPolicy;
          assert.equal(policy.start(), null);
        },
      ),
    );
  });
});
