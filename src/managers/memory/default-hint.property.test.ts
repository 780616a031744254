import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { MetricsRegistry } from "../../core/index.js";
import type { KubernetesVersion, Pod } from "../../k8s/index.js";
import type { NUMAMemory } from "../../machine/index.js";
import { type MemoryHintSettings, memoryHintSettings } from "./hints-settings.js";
import { StaticPolicy } from "./static-policy.js";
import { Gi, type GeneratedContainer, gatesOn, generatedPod, hint, Mi } from "./test-support.js";

/*
 * The default hint (the Topology Manager stored no affinity: policy `none`, or a provider that
 * had no preference) decided without listing masks, against the kubelet's way: list every mask
 * (`calculateHints`) and take `findBestHint` of the list. Two policies run the same random
 * admissions and removals in lockstep on machines of 1-12 NUMA nodes (memory-less nodes,
 * hugepages, groups left by earlier multi-node pods), classic and pod-level pods; every
 * allocation outcome, every block and the machine state after every step must be the same.
 */

type ContainerSpec = GeneratedContainer;

interface PodSpec {
  podLevel: boolean;
  budgetMi: number;
  containers: ContainerSpec[];
}

type Op = { kind: "admit"; pod: PodSpec } | { kind: "remove"; which: number };

const containerSpec = fc.record({
  kind: fc.constantFrom<ContainerSpec["kind"]>("init", "sidecar", "app", "app"),
  memoryMi: fc.integer({ min: 1, max: 40 }).map((n) => n * 512),
  hugepagesGi: fc.constantFrom(0, 0, 1, 3),
  exclusive: fc.boolean(),
});

const podSpec = fc.record({
  podLevel: fc.boolean(),
  budgetMi: fc.integer({ min: 1, max: 48 }).map((n) => n * 1024),
  containers: fc.array(containerSpec, { minLength: 1, maxLength: 3 }),
});

const scenario = fc.integer({ min: 1, max: 12 }).chain((numNodes) =>
  fc.record({
    nodes: fc.array(
      fc.record({
        memoryGi: fc.constantFrom(0, 2, 4, 8, 16),
        hugepages1Gi: fc.constantFrom(0, 0, 2, 4),
      }),
      { minLength: numNodes, maxLength: numNodes },
    ),
    ops: fc.array(
      fc.oneof(
        { weight: 3, arbitrary: podSpec.map((p): Op => ({ kind: "admit", pod: p })) },
        { weight: 1, arbitrary: fc.nat().map((which): Op => ({ kind: "remove", which })) },
      ),
      { minLength: 1, maxLength: 8 },
    ),
    version: fc.constantFrom<KubernetesVersion>("1.36", "1.37"),
  }),
);

function buildPod(uid: string, spec: PodSpec): Pod {
  return generatedPod(uid, spec, { fallbackMemory: "512Mi", budgetHugepages: "2Gi" });
}

const REFERENCE: Partial<MemoryHintSettings> = { enumeration: "reference" };

function within<T>(settings: Partial<MemoryHintSettings>, fn: () => T): T {
  const saved = { ...memoryHintSettings };
  Object.assign(memoryHintSettings, settings);
  try {
    return fn();
  } finally {
    Object.assign(memoryHintSettings, saved);
  }
}

function newPolicy(memory: Map<number, NUMAMemory>, version: KubernetesVersion): StaticPolicy {
  const firstWithMemory = [...memory].find(([, m]) => m.memory > 0n)?.[0] ?? 0;
  const policy = StaticPolicy.create({
    machine: { memory },
    reservedMemory: new Map([[firstWithMemory, new Map([["memory", 512n * Mi]])]]),
    gates: gatesOn(),
    version,
    affinity: { getAffinity: () => hint(null, false) },
    metrics: new MetricsRegistry(),
  });
  if (!(policy instanceof StaticPolicy)) throw policy;
  assert.equal(policy.start(), null);
  return policy;
}

/** Admits the pod as the Topology Manager does with no stored affinity; the outcome as text. */
function admit(policy: StaticPolicy, p: Pod, spec: PodSpec): string {
  if (spec.podLevel) return policy.allocatePod(p)?.message ?? "ok";
  for (const c of [...p.initContainers, ...p.containers]) {
    const err = policy.allocate(p, c);
    if (err) return `${c.name}: ${err.message}`;
  }
  return "ok";
}

function removePod(policy: StaticPolicy, p: Pod): void {
  for (const c of [...p.initContainers, ...p.containers]) policy.removeContainer(p.uid, c.name);
}

function stateOf(policy: StaticPolicy): string {
  return JSON.stringify(policy.state, (_k, v) =>
    typeof v === "bigint" ? `${v}` : v instanceof Map ? [...v] : v,
  );
}

describe("Memory Manager default hint without listing masks", () => {
  it("allocates exactly as findBestHint over the listed hints (1-12 NUMA nodes)", () => {
    let multiNode = 0;
    fc.assert(
      fc.property(scenario, (s) => {
        const memory = new Map<number, NUMAMemory>(
          s.nodes.map((n, i) => [
            i,
            {
              memory: BigInt(n.memoryGi) * Gi,
              hugepages: [
                { pageSizeKiB: 1024 * 1024, numPages: BigInt(Math.min(n.hugepages1Gi, n.memoryGi)) },
              ],
            },
          ]),
        );
        if (![...memory.values()].some((m) => m.memory > 0n)) return;
        const fast = newPolicy(memory, s.version);
        const reference = newPolicy(memory, s.version);
        const admitted: Pod[] = [];
        s.ops.forEach((op, step) => {
          if (op.kind === "remove") {
            if (admitted.length === 0) return;
            const [p] = admitted.splice(op.which % admitted.length, 1);
            removePod(fast, p);
            within(REFERENCE, () => removePod(reference, p));
            return;
          }
          const p = buildPod(`pod-${step}`, op.pod);
          const got = admit(fast, p, op.pod);
          const want = within(REFERENCE, () => admit(reference, p, op.pod));
          assert.equal(got, want, `step ${step}`);
          assert.equal(stateOf(fast), stateOf(reference), `state after step ${step}`);
          if (got === "ok") {
            admitted.push(p);
            const blocks =
              fast.getPodMemoryBlocks(p.uid) ?? fast.getMemoryBlocks(p.uid, p.containers[0].name);
            if ((blocks?.[0]?.numaAffinity.length ?? 0) > 1) multiNode++;
          } else {
            removePod(fast, p);
            within(REFERENCE, () => removePod(reference, p));
          }
        });
      }),
      { numRuns: 250 },
    );
    assert.ok(multiNode > 0, "no admission took a default hint of two or more nodes");
  });
});
