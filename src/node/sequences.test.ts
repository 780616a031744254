import looseAssert from "node:assert";
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { runSequenceInput, sequenceInputArb } from "./fuzz-sequences.js";

/*
 * The wide engine sequences of `npm run fuzz` (tens of containers, zero and huge requests,
 * hugepages, interleaved sidecars, every CPU and Topology Manager option) at a budget `npm test`
 * affords; the fuzz run takes them to 100,000.
 */

describe("the engine under wide random sequences", () => {
  it("keeps its invariants and returns to the initial state", () => {
    const seen = new Map<string, number>();
    const count = (what: string) => seen.set(what, (seen.get(what) ?? 0) + 1);
    fc.assert(
      fc.property(sequenceInputArb, (input) => runSequenceInput(input, count)),
      { numRuns: 200, seed: 12 },
    );
    for (const path of ["admitted", "rejected TopologyAffinityError", "rejected OutOfcpu"])
      assert.ok(
        (seen.get(path) ?? 0) > 0,
        `no run reached "${path}": ${JSON.stringify(Object.fromEntries(seen))}`,
      );
  });

  it("round-trips its inputs through JSON (the fuzz corpus stores them so)", () => {
    fc.assert(
      fc.property(sequenceInputArb, (input) => {
        // Loose: fast-check's records have no prototype, JSON's objects do.
        looseAssert.deepEqual(JSON.parse(JSON.stringify(input)), input);
      }),
      { numRuns: 200 },
    );
  });
});
