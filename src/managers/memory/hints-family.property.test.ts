import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { countFamilyHints, familyHints } from "../topology/index.js";
import { calculateHintsReference } from "./hints.reference.js";
import { generalMemoryHintFamily, memoryHintFamily, minAffinitySize } from "./hints-family.js";
import { NO_REUSE } from "./hints-types.js";
import { type MemoryHintCase, memoryHintCaseArb } from "./hints.test-support.js";

/*
 * The Memory Manager's hint family against the reference list (mask by mask): when a family
 * stands for the list (no sum can wrap modulo 2^64, the reusable memory names its masks), listed
 * in the kubelet's order it is the list of every resource, its membership and flags answer like
 * the list for any mask, and its count is the list's length; otherwise there is no family.
 */

function listOf(c: MemoryHintCase) {
  const hints = calculateHintsReference(c.ms, c.request, c.reusable);
  return hints.values().next().value ?? [];
}

describe("Memory hint family (memory-manager.md §4)", () => {
  it("listed, it is the list: masks, order and preferred flags", () => {
    let families = 0;
    fc.assert(
      fc.property(memoryHintCaseArb, (c) => {
        const family = memoryHintFamily(c.ms, c.request, c.reusable);
        if (family === null) return;
        families++;
        const hints = calculateHintsReference(c.ms, c.request, c.reusable);
        for (const list of hints.values()) assert.deepEqual(familyHints(family), list);
        if (c.request.size > 0) assert.equal(family.isEmpty, listOf(c).length === 0);
      }),
      { numRuns: 500 },
    );
    assert.ok(families > 250, `only ${families} of 500 cases had a family`);
  });

  it("without memory to reuse, the plain path gives the general path's family, field for field", () => {
    let plain = 0;
    fc.assert(
      fc.property(memoryHintCaseArb, (c) => {
        const family = memoryHintFamily(c.ms, c.request, NO_REUSE);
        const general = generalMemoryHintFamily(c.ms, c.request, NO_REUSE);
        assert.deepEqual(family, general);
        if (family !== null) plain++;
      }),
      { numRuns: 1000 },
    );
    assert.ok(plain > 500, `only ${plain} of 1000 cases had a family`);
  });

  it("answers membership and preference for any mask like the list, and counts it", () => {
    fc.assert(
      fc.property(memoryHintCaseArb, fc.bigInt({ min: 1n, max: (1n << 64n) - 1n }), (c, probe) => {
        const family = memoryHintFamily(c.ms, c.request, c.reusable);
        if (family === null || c.request.size === 0) return;
        const list = listOf(c);
        const listed = new Map(list.map((h) => [h.affinity!, h.preferred]));
        assert.equal(countFamilyHints(family), list.length);
        for (const h of list) assert.equal(family.hintFor(h.affinity!)?.preferred, h.preferred);
        const mask = probe & family.nodeMask;
        if (mask !== 0n) assert.equal(family.hintFor(mask)?.preferred, listed.get(mask));
      }),
      { numRuns: 500 },
    );
  });

  it("minAffinitySize is the size of the smallest subset covering every need", () => {
    const value = fc.integer({ min: 0, max: 1000 });
    const problem = fc.integer({ min: 0, max: 7 }).chain((n) =>
      fc.record({
        n: fc.constant(n),
        allocatable: fc.array(fc.array(value, { minLength: n, maxLength: n }), {
          minLength: 1,
          maxLength: 3,
        }),
        need: fc.array(fc.integer({ min: -10, max: 3000 }), { minLength: 3, maxLength: 3 }),
      }),
    );
    fc.assert(
      fc.property(problem, ({ n, allocatable, need }) => {
        const needs = allocatable.map((_, r) => need[r]);
        let smallest = n;
        for (let subset = 1; subset < 1 << n; subset++) {
          const at = [...Array(n).keys()].filter((i) => (subset >> i) & 1);
          const covers = needs.every((v, r) => at.reduce((s, i) => s + allocatable[r][i], 0) >= v);
          if (covers) smallest = Math.min(smallest, at.length);
        }
        assert.equal(minAffinitySize(n, allocatable, needs), smallest);
      }),
      { numRuns: 1000 },
    );
  });
});
