import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { CPUSet } from "./cpuset.js";

const rangeArb = fc
  .tuple(fc.integer({ min: 0, max: 200 }), fc.integer({ min: 0, max: 70 }))
  .map(([a, n]) => [a, a + n] as [number, number]);

test("fromRanges equals the union of its ids, and ranges() gives the maximal runs back", () => {
  fc.assert(
    fc.property(fc.array(rangeArb, { maxLength: 6 }), (rs) => {
      const ids: number[] = [];
      for (const [a, b] of rs) for (let i = a; i <= b; i++) ids.push(i);
      const naive = CPUSet.fromIds(ids);
      const set = CPUSet.fromRanges(rs);
      assert.ok(set.equals(naive));
      const runs = set.ranges();
      const back: number[] = [];
      for (const [a, b] of runs) for (let i = a; i <= b; i++) back.push(i);
      assert.deepEqual(back, naive.toArray());
      for (let i = 1; i < runs.length; i++) assert.ok(runs[i][0] > runs[i - 1][1] + 1);
    }),
  );
});

test("a set of 4,194,305 ids is built and printed from its ranges in well under a second", () => {
  const t = Date.now();
  const set = CPUSet.fromRanges(Array.from({ length: 400 }, () => [0, 4194304] as [number, number]));
  assert.equal(set.toString(), "0-4194304");
  assert.deepEqual(CPUSet.range(31, 32).ranges(), [[31, 32]]);
  assert.ok(Date.now() - t < 500, `took ${Date.now() - t} ms`);
});
