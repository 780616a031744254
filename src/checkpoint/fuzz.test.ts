/**
 * 1,000 fuzz inputs per checkpoint reader (issue 12): each ends in a state, a typed
 * `CheckpointError` or the kubelet's refusal, never another exception; each kubelet read of an
 * input within a second (checked by the target itself, `READ_BUDGET_MS`).
 */
import { test } from "node:test";
import fc from "fast-check";
import { checkpointFuzzTargets } from "./fuzz-targets.js";

for (const target of checkpointFuzzTargets) {
  test(`fuzz ${target.name}: 1,000 inputs, typed errors only, ≤ 1 s per read`, () => {
    fc.assert(
      fc.property(target.arbitrary, (input) => {
        target.run(input);
      }),
      { numRuns: 1000 },
    );
  });
}
