import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { FUZZ_TARGETS, isTypedInputError } from "./fuzz-targets.js";

/**
 * Every k8s text reader is total: a thousand random inputs each (bytes, YAML punctuation,
 * structured documents) parse or throw a typed one-line input error, each within a second.
 * `npm run fuzz` runs the same targets at 100,000 inputs.
 */
const RUNS = Number(process.env.PODPIN_FUZZ_RUNS ?? 1000);

describe("k8s readers under fuzz", () => {
  for (const target of FUZZ_TARGETS) {
    it(`${target.name}: parses or a typed input error, within 1 s`, () => {
      fc.assert(
        fc.property(target.arbitrary, (input) => {
          const started = performance.now();
          try {
            target.run(input);
          } catch (err) {
            if (!isTypedInputError(err))
              assert.fail(`not a typed input error: ${(err as Error)?.stack ?? String(err)}`);
          }
          const ms = performance.now() - started;
          assert.ok(ms < 1000, `took ${ms.toFixed(0)} ms`);
        }),
        { numRuns: RUNS, seed: 12 },
      );
    });
  }
});
