import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { balanceScore, forEachCombination, round3 } from "./take-balance.js";

describe("round3", () => {
  it("rounds halves away from zero on both sides", () => {
    // 0.0625 · 1000 = 62.5 exactly in binary floating point.
    assert.equal(round3(0.0625), 0.063);
    assert.equal(round3(-0.0625), -0.063);
    assert.equal(round3(1.0625), 1.063);
    assert.equal(round3(2 / 3), 0.667);
    assert.equal(round3(0), 0);
  });
});

describe("balanceScore", () => {
  it("is 0 for equal values and the population deviation otherwise", () => {
    assert.equal(balanceScore([4, 4, 4, 4]), 0);
    assert.equal(balanceScore([0, 2]), 1);
    assert.equal(balanceScore([2, 4, 4, 4, 5, 5, 7, 9]), 2);
  });

  it("squares the distances to the mean rounded to 3 decimals", () => {
    // mean 5/3 → 1.667; (0.667² + 2 · 0.333²) / 3 = 0.222222 → sqrt 0.471405 → 0.471.
    assert.equal(balanceScore([1, 2, 2]), 0.471);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 512 }), { minLength: 1, maxLength: 8 }), (values) => {
        const mean = round3(values.reduce((s, x) => s + x, 0) / values.length);
        const squares = values.reduce((s, x) => s + (x - mean) * (x - mean), 0);
        assert.equal(balanceScore(values), round3(Math.sqrt(squares / values.length)));
      }),
    );
  });

  it("always has at most 3 decimals and is never negative", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 4096 }), { minLength: 1, maxLength: 16 }), (values) => {
        const s = balanceScore(values);
        assert.ok(s >= 0);
        assert.equal(round3(s), s);
      }),
    );
  });
});

describe("forEachCombination", () => {
  it("visits k-subsets lexicographically over positions", () => {
    const seen: string[] = [];
    forEachCombination(["a", "b", "c", "d"], 2, (c) => {
      seen.push(c.join(""));
      return true;
    });
    assert.deepEqual(seen, ["ab", "ac", "ad", "bc", "bd", "cd"]);
  });

  it("stops when the visitor returns false and visits nothing for k outside 1..n", () => {
    const seen: number[][] = [];
    forEachCombination([0, 1, 2], 1, (c) => {
      seen.push(c);
      return c[0] < 1;
    });
    assert.deepEqual(seen, [[0], [1]]);
    let calls = 0;
    forEachCombination([0, 1], 0, () => ++calls > 0);
    forEachCombination([0, 1], 3, () => ++calls > 0);
    assert.equal(calls, 0);
  });

  it("visits C(n, k) distinct subsets", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 8 }), (n, k) => {
        fc.pre(k <= n);
        const seen = new Set<string>();
        forEachCombination(
          Array.from({ length: n }, (_, i) => i),
          k,
          (c) => {
            seen.add(c.join(","));
            return true;
          },
        );
        let binom = 1;
        for (let i = 0; i < k; i++) binom = (binom * (n - i)) / (i + 1);
        assert.equal(seen.size, binom);
      }),
    );
  });
});
