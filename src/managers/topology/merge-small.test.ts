import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { benchFamilyInputs } from "./bench-inputs.js";
import {
  familyMergeCaseArb,
  listedAnswers,
  mergeCase,
  permutationCount,
  REFERENCE_PERMUTATIONS,
} from "./merge-implicit.test-support.js";
import { mergeHintSources, mergeSmall, SMALL_MERGE_MAX_NODES } from "./merge.js";

/*
 * The node's merge picks the table merge (merge-small.ts) up to SMALL_MERGE_MAX_NODES NUMA nodes
 * and the implicit merge above. At the boundary, one node either side, it must decide like the
 * implicit merge and like the explicit path (the families listed and every permutation folded,
 * or the list merge where the permutations are too many).
 */

const BOUNDARY = [SMALL_MERGE_MAX_NODES - 1, SMALL_MERGE_MAX_NODES, SMALL_MERGE_MAX_NODES + 1];
/** The smallest machines, where one position set holds few masks (the 2-node worked example). */
const SMALLEST = [1, 2];

describe("size-chosen merge", () => {
  for (const n of [...SMALLEST, ...BOUNDARY]) {
    it(`${n} NUMA nodes: equals the implicit and the explicit paths (600 cases)`, () => {
      let referenced = 0;
      fc.assert(
        fc.property(familyMergeCaseArb({ minNodes: n, maxNodes: n }), (c) => {
          const chosen = mergeCase(c, c.answers, "fast");
          assert.deepEqual(chosen, mergeCase(c, c.answers, "implicit"));
          const listed = listedAnswers(c.answers);
          const useReference = permutationCount(listed) <= REFERENCE_PERMUTATIONS;
          if (useReference) referenced++;
          assert.deepEqual(chosen, mergeCase(c, listed, useReference ? "reference" : "implicit"));
        }),
        { numRuns: 600 },
      );
      assert.ok(referenced > 0, "no case ran the reference enumeration");
    });
  }

  it("runs up to the threshold and hands over above it", () => {
    for (const n of BOUNDARY) {
      const { ctx, families } = benchFamilyInputs(n, 2, { seed: 3 });
      const small = mergeSmall(families, ctx);
      assert.equal(small !== null, n <= SMALL_MERGE_MAX_NODES, `${n} nodes`);
      if (small !== null) assert.deepEqual(small, mergeHintSources(families, ctx, "implicit"));
    }
  });
});
