import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { CPUSet } from "./cpuset.js";

const idsArb = fc.array(fc.integer({ min: 0, max: 700 }), { maxLength: 80 });

describe("CPUSet word access", () => {
  it("round-trips through words, trimming trailing zero words", () => {
    fc.assert(
      fc.property(idsArb, fc.integer({ min: 0, max: 30 }), (ids, extra) => {
        const set = CPUSet.fromIds(ids);
        const words = new Uint32Array(set.wordCount + extra);
        set.copyWordsInto(words);
        const back = CPUSet.fromWords(words);
        assert.ok(back.equals(set));
        assert.equal(back.wordCount, set.wordCount);
      }),
    );
  });

  it("copies only what fits and zero-fills the rest of the target", () => {
    const words = new Uint32Array(2).fill(0xffffffff);
    CPUSet.parse("1,40,70").copyWordsInto(words);
    assert.deepEqual([...words], [2, 1 << 8]);
    const wide = new Uint32Array(4).fill(7);
    CPUSet.parse("3").copyWordsInto(wide);
    assert.deepEqual([...wide], [8, 0, 0, 0]);
  });

  it("does not keep the caller's array", () => {
    const words = new Uint32Array([5]);
    const set = CPUSet.fromWords(words);
    words[0] = 0;
    assert.equal(set.toString(), "0,2");
  });

  it("counts an intersection without building it", () => {
    fc.assert(
      fc.property(idsArb, idsArb, (a, b) => {
        const x = CPUSet.fromIds(a);
        const y = CPUSet.fromIds(b);
        assert.equal(x.intersectionSize(y), x.intersect(y).size);
      }),
    );
  });
});
