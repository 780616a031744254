import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { CPUSet } from "../../core/index.js";
import { type CPUInfo, CPUTopology } from "../../machine/index.js";
import { maskCount, type TopologyHint } from "../topology/index.js";
import {
  fastPathOnEveryMachineSize,
  otherProviderAnswerArb,
  singleNumaNodePolicy,
} from "../topology/hints.test-support.js";
import { generateCPUTopologyHints } from "./hints.js";
import { type CPUHintCase as Case, cpuHintCaseArb as caseArb } from "./hints.test-support.js";
import { generateCPUTopologyHintsReference } from "./hints.reference.js";
import { cpuHintSettings } from "./hints-settings.js";

/*
 * The tabulated CPU hint generation against the reference, mask by mask, on random machines of
 * 1-10 NUMA nodes with arbitrary ids; and the single-numa-node answer against the full one.
 */

function generate(c: Case, singleNUMANodePolicy: boolean): TopologyHint[] {
  return generateCPUTopologyHints(
    c.topology,
    c.available,
    c.reusable,
    c.request,
    c.alignBySocket,
    singleNUMANodePolicy,
  );
}

function reference(c: Case): TopologyHint[] {
  return generateCPUTopologyHintsReference(c.topology, c.available, c.reusable, c.request, c.alignBySocket);
}

describe("CPU topology hints (cpu-manager.md §8)", () => {
  fastPathOnEveryMachineSize(cpuHintSettings);

  it("the tabulated list equals the reference list, order and flags included", () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        assert.deepEqual(generate(c, false), reference(c));
      }),
      { numRuns: 400 },
    );
  });

  it("under single-numa-node the answer is the full list's single-node hints", () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const single = reference(c).filter((h) => maskCount(h.affinity!) === 1);
        assert.deepEqual(generate(c, true), single);
      }),
      { numRuns: 400 },
    );
  });

  it("under single-numa-node the merge and the verdict do not change", () => {
    const withOther = caseArb.chain((c) =>
      otherProviderAnswerArb(c.topology.numaNodes(), "memory").map((other) => ({ c, other })),
    );
    fc.assert(
      fc.property(withOther, ({ c, other }) => {
        const policy = singleNumaNodePolicy(c.topology.numaNodes());
        const full = policy.merge([new Map([["cpu", reference(c)]]), other]);
        const fast = policy.merge([new Map([["cpu", generate(c, true)]]), other]);
        assert.deepEqual(fast, full);
      }),
      { numRuns: 400 },
    );
  });
});

describe("the single-numa-node fast path threshold", () => {
  it("lists every hint up to 8 NUMA nodes and only single-node hints above", () => {
    for (const nodes of [8, 9]) {
      const cpus: CPUInfo[] = Array.from({ length: nodes * 2 }, (_, id) => ({
        id,
        core: id,
        socket: 0,
        numa: Math.floor(id / 2),
        uncore: 0,
      }));
      const topology = CPUTopology.fromCPUs(cpus);
      const hints = generateCPUTopologyHints(topology, topology.all, CPUSet.empty, 2, false, true);
      assert.equal(hints.length, nodes === 8 ? 2 ** 8 - 1 : 9, `${nodes} nodes`);
    }
  });
});
