import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { type SubsetProblem, SubsetSearch } from "./subset-search.js";

/*
 * The subset search (numeric order, closest-first order with and without interchangeable
 * classes) against brute force over every subset: the same best subset of each size, or none.
 * Distance matrices come in blocks (sockets) so that classes form, with noise that breaks them.
 */

interface Case {
  problem: SubsetProblem;
  blocks: boolean;
}

const caseArb: fc.Arbitrary<Case> = fc
  .integer({ min: 1, max: 9 })
  .chain((n) =>
    fc.record({
      n: fc.constant(n),
      allowed: fc.array(
        fc.integer({ min: 0, max: 9 }).map((x) => x < 8),
        { minLength: n, maxLength: n },
      ),
      required: fc.array(
        fc.integer({ min: 0, max: 9 }).map((x) => x < 1),
        { minLength: n, maxLength: n },
      ),
      values: fc.array(fc.array(fc.integer({ min: 0, max: 3 }), { minLength: n, maxLength: n }), {
        minLength: 0,
        maxLength: 2,
      }),
      needs: fc.array(fc.integer({ min: 0, max: 8 }), { minLength: 2, maxLength: 2 }),
      sockets: fc.integer({ min: 1, max: 3 }),
      noise: fc.array(
        fc.integer({ min: 0, max: 20 }).map((x) => (x === 0 ? 1 : 0)),
        {
          minLength: n * n,
          maxLength: n * n,
        },
      ),
      distances: fc.boolean(),
      blocks: fc.boolean(),
    }),
  )
  .map((r) => {
    const socket = (v: number) => Math.floor((v * r.sockets) / r.n);
    const d = new Float64Array(r.n * r.n);
    for (let i = 0; i < r.n; i++)
      for (let j = 0; j < r.n; j++)
        d[i * r.n + j] =
          (i === j ? 10 : socket(i) === socket(j) ? 12 : 20 + 2 * Math.abs(socket(i) - socket(j))) +
          (r.blocks ? 0 : r.noise[i * r.n + j]);
    return {
      blocks: r.blocks,
      problem: {
        n: r.n,
        allowed: r.allowed.map((a, i) => a || r.required[i]),
        required: r.required,
        constraints: r.values.map((values, j) => ({ values, need: r.needs[j] })),
        distances: r.distances ? d : null,
      },
    };
  });

/** Every subset of `size` positions, the best by (distance sum, numeric value). */
function bruteForce(p: SubsetProblem, size: number): number[] | null {
  let best: number[] | null = null;
  let bestSum = Number.POSITIVE_INFINITY;
  let bestValue = Number.POSITIVE_INFINITY;
  for (let m = 0; m < 1 << p.n; m++) {
    const at: number[] = [];
    for (let v = 0; v < p.n; v++) if (m & (1 << v)) at.push(v);
    if (at.length !== size) continue;
    if (at.some((v) => !p.allowed[v])) continue;
    if (Array.from({ length: p.n }, (_, v) => v).some((v) => p.required[v] && !(m & (1 << v)))) continue;
    if (!p.constraints.every((c) => at.reduce((s, v) => s + c.values[v], 0) >= c.need)) continue;
    let sum = 0;
    if (p.distances) for (const i of at) for (const j of at) sum += p.distances[i * p.n + j];
    if (sum < bestSum || (sum === bestSum && m < bestValue)) {
      best = at.reverse();
      bestSum = sum;
      bestValue = m;
    }
  }
  return best;
}

describe("subset search", () => {
  it("finds the brute-force best subset of every size", () => {
    let symmetric = 0;
    fc.assert(
      fc.property(caseArb, ({ problem, blocks }) => {
        if (blocks && problem.distances) symmetric++;
        const search = new SubsetSearch(problem);
        // Distinct kinds switch the interchangeable classes off: both ways must agree.
        const plain = new SubsetSearch({ ...problem, kind: Array.from({ length: problem.n }, (_, i) => i) });
        for (let size = 1; size <= problem.n; size++) {
          const expected = bruteForce(problem, size);
          assert.deepEqual(search.bestOfSize(size), expected, `size ${size}`);
          assert.deepEqual(plain.bestOfSize(size), expected, `size ${size} without classes`);
        }
      }),
      { numRuns: 600 },
    );
    assert.ok(symmetric > 100, `only ${symmetric} cases had block distances`);
  });
});
