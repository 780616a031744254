import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  CASE_KINDS,
  type CaseKind,
  differenceOf,
  familyMergeCaseArb,
  listedAnswers,
  mergeCase,
} from "./merge-implicit.test-support.js";

/*
 * The implicit merge against the list merges (topology-manager.md §4, issue 10): every policy
 * that merges, with and without prefer-closest-numa-nodes, on random families, lists, nulls and
 * empty answers (merge-implicit.test-support.ts). Up to 12 NUMA nodes the families are listed and
 * merged by the fast merge, and by the reference enumeration while the product of the lists stays
 * small; from 13 to 20 nodes by the subset-table path of the fast merge. `npm run fuzz:merge`
 * runs the same cases by the million.
 */

const RUNS: Record<CaseKind, number> = { small: 8000, medium: 1500, large: 60 };

describe("implicit merge = list merge", () => {
  for (const kind of Object.keys(RUNS) as CaseKind[]) {
    const { minNodes, maxNodes } = CASE_KINDS[kind];
    it(`${minNodes}-${maxNodes} NUMA nodes (${RUNS[kind]} cases)`, () => {
      let referenced = 0;
      fc.assert(
        fc.property(familyMergeCaseArb(CASE_KINDS[kind]), (c) => {
          const difference = differenceOf(c, kind, (ran) => {
            if (ran) referenced++;
          });
          assert.equal(difference, null);
        }),
        { numRuns: RUNS[kind] },
      );
      if (kind === "small")
        assert.ok(referenced > RUNS.small / 2, `only ${referenced} cases ran the reference`);
    });
  }

  it("the implicit merge alone on lists only decides like the fast merge", () => {
    fc.assert(
      fc.property(familyMergeCaseArb({ minNodes: 1, maxNodes: 8 }), (c) => {
        const listed = listedAnswers(c.answers);
        assert.deepEqual(mergeCase(c, listed, "implicit"), mergeCase(c, listed, "fast"));
      }),
      { numRuns: 1000 },
    );
  });
});
