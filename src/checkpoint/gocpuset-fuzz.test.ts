/**
 * 1,000 fuzz inputs for the Go cpuset reader (issue 12): a value or a typed error, never another
 * exception, round trips intact, within a second each.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { goCPUSetFuzzTargets } from "./gocpuset-fuzz.js";

for (const target of goCPUSetFuzzTargets) {
  test(`fuzz ${target.name}: 1,000 inputs, typed errors only, ≤ 1 s each`, () => {
    fc.assert(
      fc.property(target.arbitrary, (input) => {
        const t = performance.now();
        target.run(input);
        const ms = performance.now() - t;
        assert.ok(ms <= 1000, `took ${ms.toFixed(0)} ms`);
      }),
      { numRuns: 1000 },
    );
  });
}
