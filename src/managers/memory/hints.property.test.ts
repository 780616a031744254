import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { ManagerError } from "../../core/index.js";
import {
  type BitMask,
  filterProvidersHints,
  filterSingleNumaHints,
  maskCount,
  type TopologyHint,
} from "../topology/index.js";
import { otherProviderAnswerArb, singleNumaNodePolicy } from "../topology/hints.test-support.js";
import { calculateHints, chooseAffinity } from "./hints.js";
import { memoryHintCaseArb as caseArb } from "./hints.test-support.js";
import { calculateHintsReference } from "./hints.reference.js";
import { type MemoryHintSettings, memoryHintSettings } from "./hints-settings.js";

/*
 * The tabulated Memory Manager hints, the single-numa-node answer and the search behind the
 * default and extended hints, each against the reference (mask by mask), on random machine states
 * of 1-10 NUMA nodes with arbitrary ids: memory-less nodes, used nodes, groups (consistent or not),
 * sizes that wrap modulo 2^64, reusable init-container memory with or without its mask list.
 */

function withSettings<T>(settings: Partial<MemoryHintSettings>, fn: () => T): T {
  const saved = { ...memoryHintSettings };
  Object.assign(memoryHintSettings, settings);
  try {
    return fn();
  } finally {
    Object.assign(memoryHintSettings, saved);
  }
}

/** Table-read best hints, the search on every machine size, and the narrowest-first walk. */
const MODES: Partial<MemoryHintSettings>[] = [
  { searchAboveNodes: 16, narrowestWalk: false, singleNUMAFastPathAboveNodes: 0 },
  { searchAboveNodes: 0, narrowestWalk: false, singleNUMAFastPathAboveNodes: 0 },
  { searchAboveNodes: 0, narrowestWalk: true, singleNUMAFastPathAboveNodes: 0 },
];

const tmHintArb = (ids: readonly number[]): fc.Arbitrary<TopologyHint> =>
  fc.oneof(
    fc.record({ affinity: fc.constant(null), preferred: fc.boolean() }),
    fc.record({
      affinity: fc
        .subarray([...ids], { minLength: 1 })
        .map((nodes) => nodes.reduce((m, id) => m | (1n << BigInt(id)), 0n)),
      preferred: fc.boolean(),
    }),
    fc.record({ affinity: fc.constant(1n << 63n), preferred: fc.boolean() }),
  );

function outcome(r: BitMask | ManagerError): string {
  return r instanceof ManagerError ? `error: ${r.message}` : `mask ${r}`;
}

describe("memory hints (memory-manager.md §4)", () => {
  it("the tabulated hints equal the reference hints, order and flags included", () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        assert.deepEqual(
          calculateHints(c.ms, c.request, c.reusable),
          calculateHintsReference(c.ms, c.request, c.reusable),
        );
      }),
      { numRuns: 500 },
    );
  });

  for (const mode of MODES) {
    const walk = mode.narrowestWalk ? ", narrowest-first walk" : "";
    describe(`single-numa-node answer (search above ${mode.searchAboveNodes} nodes${walk})`, () => {
      let multiNodeAnswers = 0;

      it("is the full list's single-node hints, or its best hint, or empty like it", () => {
        fc.assert(
          fc.property(caseArb, (c) => {
            const full = calculateHintsReference(c.ms, c.request, c.reusable);
            const fast = withSettings(mode, () => calculateHints(c.ms, c.request, c.reusable, true));
            assert.deepEqual([...fast.keys()], [...full.keys()]);
            for (const [resource, list] of full) {
              const singles = list.filter((h) => maskCount(h.affinity!) === 1);
              const got = fast.get(resource)!;
              if (singles.length > 0) assert.deepEqual(got, singles);
              else {
                multiNodeAnswers++;
                assert.equal(got.length, 1);
                assert.ok(
                  list.some((h) => h.affinity === got[0].affinity && h.preferred === got[0].preferred),
                );
              }
            }
            assert.deepEqual(
              filterSingleNumaHints(filterProvidersHints([fast])),
              filterSingleNumaHints(filterProvidersHints([full])),
            );
          }),
          { numRuns: 500 },
        );
        assert.ok(multiNodeAnswers > 0, "no case answered with a multi-node best hint");
      });

      it("merges to the same hint and verdict", () => {
        const withOther = caseArb.chain((c) =>
          otherProviderAnswerArb(c.ids, "cpu", 4).map((other) => ({ c, other })),
        );
        fc.assert(
          fc.property(withOther, ({ c, other }) => {
            const policy = singleNumaNodePolicy(c.ids);
            const full = policy.merge([other, calculateHintsReference(c.ms, c.request, c.reusable)]);
            const fast = withSettings(mode, () =>
              policy.merge([other, calculateHints(c.ms, c.request, c.reusable, true)]),
            );
            assert.deepEqual(fast, full);
          }),
          { numRuns: 300 },
        );
      });

      it("chooses the same affinity (default and extended hints) as the reference", () => {
        const withHint = caseArb.chain((c) => tmHintArb(c.ids).map((tmHint) => ({ c, tmHint })));
        fc.assert(
          fc.property(withHint, ({ c, tmHint }) => {
            const expected = withSettings({ enumeration: "reference" }, () =>
              chooseAffinity(c.ms, tmHint, c.request, c.reusable),
            );
            const actual = withSettings(mode, () => chooseAffinity(c.ms, tmHint, c.request, c.reusable));
            assert.equal(outcome(actual), outcome(expected));
          }),
          { numRuns: 800 },
        );
      });
    });
  }
});
