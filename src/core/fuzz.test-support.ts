import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";

/** A reader under fuzz: `run` returns or throws one of the reader's typed errors, nothing else. */
export interface FuzzTestTarget<T> {
  name: string;
  arbitrary: fc.Arbitrary<T>;
  run(input: T): unknown;
}

/** One test per target: 1,000 inputs, each answered (value or typed error) within a second. */
export function fuzzTargetTests<T>(targets: readonly FuzzTestTarget<T>[]): void {
  for (const target of targets) {
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
}
