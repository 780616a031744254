/** `plainJSON` and `withPlainJSON`: the documents' JSON conventions for any value. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CPUSet } from "./cpuset.js";
import { jsonInteger, plainJSON, withPlainJSON } from "./plain-json.js";
import { Quantity } from "./quantity.js";

describe("plainJSON", () => {
  it("bigints are numbers while exact, digit strings beyond 2^53 - 1", () => {
    assert.equal(jsonInteger(2n ** 53n - 1n), Number.MAX_SAFE_INTEGER);
    assert.equal(jsonInteger(2n ** 53n), "9007199254740992");
    assert.equal(jsonInteger(-(2n ** 60n)), "-1152921504606846976");
  });

  it("CPU sets and quantities print their text, Maps become objects, Sets lists, undefined fields go", () => {
    const value = {
      cpus: CPUSet.parse("0-3,8"),
      q: Quantity.parse("1536Mi"),
      sizes: new Map<number, bigint>([[0, 1n << 40n]]),
      ids: new Set(["b", "a"]),
      gone: undefined,
      list: [1n, null, "x"],
    };
    assert.deepEqual(plainJSON(value), {
      cpus: "0-3,8",
      q: "1536Mi",
      sizes: { "0": 1099511627776 },
      ids: ["b", "a"],
      list: [1, null, "x"],
    });
  });

  it("withPlainJSON: JSON.stringify works on the object, and comparisons do not see the method", () => {
    const block = withPlainJSON({ numaAffinity: [0], type: "memory", size: 12n << 30n });
    assert.equal(JSON.stringify(block), '{"numaAffinity":[0],"type":"memory","size":12884901888}');
    assert.deepStrictEqual(block, { numaAffinity: [0], type: "memory", size: 12n << 30n });
    assert.deepEqual(Object.keys(block), ["numaAffinity", "type", "size"]);
    const outer = withPlainJSON({ inner: block, n: 3n });
    assert.equal(
      JSON.stringify(outer),
      '{"inner":{"numaAffinity":[0],"type":"memory","size":12884901888},"n":3}',
    );
  });
});
