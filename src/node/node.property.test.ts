import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { opArb, runSequence, type Setup, setupArb } from "./fuzz-sequences.js";
import { Node } from "./node.js";
import { invariantViolations, machineM, testPod, workedExampleConfig } from "./test-support.js";

/*
 * Random admit / remove / remove-container sequences (`fuzz-sequences.ts`): after every step the
 * node keeps its invariants, and removing everything gives back the initial node.
 */

/** What the runs went through, so that a generator that stopped reaching a path is noticed. */
const seen = new Map<string, number>();
const count = (what: string) => seen.set(what, (seen.get(what) ?? 0) + 1);

const run = (setup: Setup, ops: Parameters<typeof runSequence>[1]) => runSequence(setup, ops, count);

describe("Node under random admissions and removals", () => {
  it("keeps its invariants and returns to the initial state", () => {
    fc.assert(
      fc.property(setupArb, fc.array(opArb, { minLength: 1, maxLength: 14 }), (setup, ops) =>
        run(setup, ops),
      ),
      { numRuns: 200 },
    );
  });

  it("pod scope with pod-level resources on machine M keeps its invariants", () => {
    const podScope = setupArb.map((s) => ({
      ...s,
      machine: "worked-example",
      config: {
        ...s.config,
        featureGates: { ...s.config.featureGates, PodLevelResources: true, PodLevelResourceManagers: true },
        cpuManagerPolicy: "static" as const,
        topologyManagerPolicy:
          s.config.topologyManagerPolicy === "none"
            ? ("single-numa-node" as const)
            : s.config.topologyManagerPolicy,
        numReservedCPUs: Math.max(1, s.config.numReservedCPUs),
        topologyManagerScope: "pod" as const,
      },
    }));
    fc.assert(
      fc.property(podScope, fc.array(opArb, { minLength: 1, maxLength: 14 }), (setup, ops) =>
        run(setup, ops),
      ),
      { numRuns: 100 },
    );
  });
});

describe("the random pods", () => {
  it("reach every admission path", () => {
    seen.clear();
    fc.assert(
      fc.property(setupArb, fc.array(opArb, { minLength: 1, maxLength: 14 }), (setup, ops) =>
        run(setup, ops),
      ),
      { numRuns: 150, seed: 7 },
    );
    for (const path of [
      "admitted",
      "bubble",
      "pod shared pool",
      "node exclusive",
      "leftover state",
      "rejected TopologyAffinityError",
      "rejected SMTAlignmentError",
      "rejected UnexpectedAdmissionError",
    ])
      assert.ok(
        (seen.get(path) ?? 0) > 0,
        `no run reached "${path}": ${JSON.stringify(Object.fromEntries(seen))}`,
      );
  });
});

describe("the invariant checker", () => {
  const setup = () => {
    const node = new Node({ machine: machineM(), config: workedExampleConfig("pod") });
    const db = testPod("uid-db", {
      budget: { cpu: "8", memory: "16Gi" },
      init: [{ name: "exporter", sidecar: true }],
      containers: [{ name: "database", cpu: "6", memory: "12Gi" }],
    });
    const classic = testPod("uid-classic", { containers: [{ name: "c", cpu: "2", memory: "1Gi" }] });
    assert.equal(node.admit(db).admitted, true);
    assert.equal(node.admit(classic).admitted, true);
    const pods = new Map([db, classic].map((p) => [p.uid, p]));
    assert.deepEqual(invariantViolations(node, { pods }), []);
    return { node, pods, cpu: node.cpuPolicy!.state, mem: node.memoryPolicy!.state };
  };

  it("notices an exclusive CPU that is also in the default set", () => {
    const { node, pods, cpu } = setup();
    cpu.setDefaultCPUSet(cpu.getDefaultCPUSet().union(cpu.getCPUSet("uid-classic", "c")!));
    assert.match(invariantViolations(node, { pods }).join("\n"), /also in the default set/);
  });

  it("notices a CPU held by two pods and a slice outside its bubble", () => {
    const { node, pods, cpu } = setup();
    cpu.setCPUSet("uid-classic", "c", cpu.getCPUSet("uid-db", "database")!.takeLowest(2));
    const found = invariantViolations(node, { pods }).join("\n");
    assert.match(found, /also held by another pod/);
    assert.match(found, /CPUs .* are nowhere/);
  });

  it("notices a pod shared pool that is not the bubble minus the exclusive slices", () => {
    const { node, pods, cpu } = setup();
    cpu.setCPUSet("uid-db", "exporter", cpu.getCPUSet("uid-db", "exporter")!.takeLowest(1));
    assert.match(invariantViolations(node, { pods }).join("\n"), /pod shared pool/);
  });

  it("notices memory whose free and reserved amounts do not add up", () => {
    const { node, pods, mem } = setup();
    mem.machineState.get(0)!.memoryMap.get("memory")!.free -= 1n;
    assert.match(invariantViolations(node, { pods }).join("\n"), /!= allocatable/);
  });
});
