import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { addU64, subU64, u64 } from "./u64.js";

const MASK = (1n << 64n) - 1n;
const around = fc.oneof(
  fc.bigInt({ min: -(1n << 66n), max: 1n << 66n }),
  fc.bigInt({ min: MASK - 4n, max: MASK + 4n }),
  fc.bigInt({ min: -4n, max: 4n }),
);

describe("uint64 helpers", () => {
  it("wrap exactly as masking to 64 bits does", () => {
    fc.assert(
      fc.property(around, around, (a, b) => {
        assert.equal(u64(a), a & MASK);
        assert.equal(addU64(a, b), (a + b) & MASK);
        assert.equal(subU64(a, b), (a - b) & MASK);
      }),
      { numRuns: 2000 },
    );
  });
});
