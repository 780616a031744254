import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { sortByCount } from "./take-sort.js";

describe("sortByCount", () => {
  it("orders a segment by ascending count, ties by position, and leaves the rest alone", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 300 }), { minLength: 1, maxLength: 120 }),
        fc.integer({ min: 1, max: 200 }),
        fc.nat(),
        fc.nat(),
        (counts, spread, a, b) => {
          // Small and large count ranges exercise the insertion, counting and fallback sorts.
          const key = Int32Array.from(counts, (c) => c % spread);
          const items = Int32Array.from(counts, (_, i) => i);
          const from = a % items.length;
          const to = from + (b % (items.length - from + 1));
          const expected = [...items];
          const segment = expected.slice(from, to).sort((x, y) => key[x] - key[y] || x - y);
          expected.splice(from, to - from, ...segment);
          sortByCount(items, from, to, key);
          assert.deepEqual([...items], expected);
        },
      ),
      { numRuns: 500 },
    );
  });
});
