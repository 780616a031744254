/**
 * The nearest-passing search on its own: pass sets of the shapes admissions produce (capacity
 * bounds, whole cores, the pod-level rule's lower bound, intervals between them), checked against
 * a brute-force scan, with the number of tests it runs and its trial allowance.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { nearestPassing, type SearchSpace, TrialBudget } from "./explain-search.js";

function space(value: bigint, max: bigint, opts: Partial<SearchSpace> = {}): SearchSpace {
  return { value, min: 1n, max, step: 1n, stride: 1n, window: 1, firstLeap: 1n, ...opts };
}

/** The nearest passing multiples of `step` on each side of `value`, by testing every one. */
function bruteForce(
  s: SearchSpace,
  passes: (v: bigint) => boolean,
): { below: bigint | null; above: bigint | null } {
  let below: bigint | null = null;
  let above: bigint | null = null;
  for (let v = s.min; v <= s.max; v += 1n) {
    if (v % s.step !== 0n || !passes(v)) continue;
    if (v < s.value) below = v;
    if (v > s.value && above === null) above = v;
  }
  return { below, above };
}

const counting = (passes: (v: bigint) => boolean) => {
  const seen: bigint[] = [];
  return {
    seen,
    passes: (v: bigint) => {
      seen.push(v);
      return passes(v);
    },
  };
};

describe("nearestPassing", () => {
  it("a request too large for the node: the largest that fits below, nothing above", () => {
    const fits = (v: bigint) => v <= 16n;
    const r = nearestPassing(space(17n, 512n), fits, new TrialBudget(100));
    assert.deepEqual([r.below, r.above, r.complete], [16n, null, true]);
    assert.ok(r.trials <= 14, `${r.trials} tests for 512 values`);
  });

  it("whole cores only: 3 fails between 2 and 4", () => {
    const even = (v: bigint) => v % 2n === 0n && v <= 14n;
    const r = nearestPassing(space(3n, 32n, { stride: 2n }), even, new TrialBudget(100));
    assert.deepEqual([r.below, r.above], [2n, 4n]);
    assert.equal(r.trials, 2);
  });

  it("whole cores far from the request: the gallop walks the cores, not odd counts", () => {
    const even = (v: bigint) => v % 2n === 0n && v <= 16n;
    const r = nearestPassing(space(33n, 64n, { stride: 2n }), even, new TrialBudget(100));
    assert.deepEqual([r.below, r.above], [16n, null]);
  });

  it("the pod-level rule's lower bound: the smallest budget above the request", () => {
    const rule = (v: bigint) => v >= 5n && v <= 16n;
    const r = nearestPassing(space(4n, 32n), rule, new TrialBudget(100));
    assert.deepEqual([r.below, r.above], [null, 5n]);
  });

  it("passing values strictly between invalid small ones and a request too large", () => {
    const between = (v: bigint) => v >= 11n && v <= 16n;
    const r = nearestPassing(space(30n, 64n), between, new TrialBudget(100));
    assert.deepEqual([r.below, r.above], [16n, null]);
  });

  it("a request above the machine: the downward scan starts at the machine's size", () => {
    const { seen, passes } = counting((v) => v <= 4n);
    const r = nearestPassing(space(8n, 4n), passes, new TrialBudget(100));
    assert.deepEqual([r.below, r.above], [4n, null]);
    assert.deepEqual(seen, [4n]);
  });

  it("memory-sized spaces: a first leap of about 1/32 keeps the tests few, the result exact", () => {
    const MiB = 1024n * 1024n;
    const value = 48n * 1024n * MiB;
    const free = 47n * 1024n * MiB + 123n * MiB;
    const s = space(value, 128n * 1024n * MiB, {
      min: MiB,
      step: MiB,
      stride: MiB,
      firstLeap: value / MiB / 32n,
    });
    const r = nearestPassing(s, (v) => v <= free || v > 100n * 1024n * MiB, new TrialBudget(200));
    assert.deepEqual([r.below, r.above], [free, 100n * 1024n * MiB + MiB]);
    assert.ok(r.trials <= 60, `${r.trials} tests`);
  });

  it("the trial allowance is shared and stops the search: incomplete, and what it found still passes", () => {
    const budget = new TrialBudget(3);
    const fits = (v: bigint) => v <= 100n;
    const r = nearestPassing(space(400n, 512n), fits, budget);
    assert.equal(r.complete, false);
    assert.equal(budget.remaining, 0);
    for (const v of [r.below, r.above]) if (v !== null) assert.ok(fits(v));
    const after = nearestPassing(space(400n, 512n), fits, budget);
    assert.deepEqual([after.below, after.above, after.trials, after.complete], [null, null, 0, false]);
  });

  it("a narrow pass set in the middle of a side can be leapt over: why the bounds are narrowed first", () => {
    // The request's dimension is narrowed to the values the API server and the pod-level rule
    // accept before the search (explain-requests.ts), so that a pass set starts at a bound.
    const r = nearestPassing(space(7n, 6n), (v) => v === 2n, new TrialBudget(100));
    assert.equal(r.below, null);
    const narrowed = nearestPassing(space(7n, 6n, { min: 2n }), (v) => v === 2n, new TrialBudget(100));
    assert.equal(narrowed.below, 2n);
  });

  it("property: pass sets of whole strides reaching a bound (capacity below, a rule's minimum above) give the brute-force nearest values, in O(log) tests", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 600 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 0, max: 700 }),
        fc.boolean(),
        fc.integer({ min: 1, max: 700 }),
        (max, grid, edge, fromMin, value) => {
          const [lo, hi] = fromMin ? [1, edge] : [edge, max];
          const passes = (v: bigint) => v >= BigInt(lo) && v <= BigInt(hi) && v % BigInt(grid) === 0n;
          const s = space(BigInt(value), BigInt(max), { stride: BigInt(grid) });
          const r = nearestPassing(s, passes, new TrialBudget(1000));
          const want = bruteForce(s, passes);
          assert.deepEqual([r.below, r.above], [want.below, want.above], `lo ${lo} hi ${hi} grid ${grid}`);
          assert.ok(r.trials <= 4 * Math.ceil(Math.log2(max + 1)) + 4, `${r.trials} tests for ${max} values`);
        },
      ),
      { numRuns: 400 },
    );
  });
});
