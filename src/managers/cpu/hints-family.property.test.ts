import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { countFamilyHints, familyHints } from "../topology/index.js";
import { generateCPUTopologyHints } from "./hints.js";
import { cpuHintFamily } from "./hints-family.js";
import { type CPUHintCase, cpuHintCaseArb } from "./hints.test-support.js";

/*
 * The CPU Manager's hint family against its list: listed in the kubelet's order it is the list
 * `generateCPUTopologyHints` returns (masks, order, preferred flags); every mask's membership and
 * flag answer like the list; its count is the list's length.
 */

function familyOf(c: CPUHintCase) {
  return cpuHintFamily(c.topology, c.available, c.reusable, c.request, c.alignBySocket);
}

function listOf(c: CPUHintCase) {
  return generateCPUTopologyHints(c.topology, c.available, c.reusable, c.request, c.alignBySocket, false);
}

describe("CPU hint family (cpu-manager.md §8)", () => {
  it("listed, it is the list: masks, order and preferred flags", () => {
    fc.assert(
      fc.property(cpuHintCaseArb, (c) => {
        assert.deepEqual(familyHints(familyOf(c)), listOf(c));
      }),
      { numRuns: 400 },
    );
  });

  it("answers membership and preference for any mask like the list, and counts it", () => {
    fc.assert(
      fc.property(cpuHintCaseArb, fc.bigInt({ min: 1n, max: (1n << 64n) - 1n }), (c, probe) => {
        const family = familyOf(c);
        const list = listOf(c);
        const listed = new Map(list.map((h) => [h.affinity!, h.preferred]));
        assert.equal(countFamilyHints(family), list.length);
        assert.equal(family.isEmpty, list.length === 0);
        for (const h of list) assert.equal(family.hintFor(h.affinity!)?.preferred, h.preferred);
        const mask = probe & family.nodeMask;
        if (mask !== 0n) assert.equal(family.hintFor(mask)?.preferred, listed.get(mask));
      }),
      { numRuns: 400 },
    );
  });

  it("the first hints listed are the list's first hints", () => {
    fc.assert(
      fc.property(cpuHintCaseArb, fc.integer({ min: 0, max: 40 }), (c, limit) => {
        assert.deepEqual(familyHints(familyOf(c), limit), listOf(c).slice(0, limit));
      }),
      { numRuns: 200 },
    );
  });
});
