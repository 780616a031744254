/**
 * Property tests of quantity text (issue 12): for random quantities, `parse(print(q))` is q, and
 * parsing and printing take time linear in the text (long digit runs, leading and trailing zeros).
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { Quantity } from "./quantity.js";

const quantity = fc
  .tuple(
    fc.constantFrom("", "-", "+"),
    fc.stringMatching(/^[0-9]{1,40}$/),
    fc.option(fc.stringMatching(/^[0-9]{0,40}$/)),
    fc.oneof(
      fc.constantFrom("", "n", "u", "m", "k", "M", "G", "T", "P", "E", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"),
      fc.integer({ min: -950, max: 950 }).map((e) => `e${e}`),
    ),
  )
  .map(([sign, i, f, s]) => `${sign}${i}${f === null ? "" : `.${f}`}${s}`);

/** Median of three runs of `fn`, in milliseconds. */
function timeOf(fn: () => void): number {
  const runs = [0, 1, 2].map(() => {
    const t = performance.now();
    fn();
    return performance.now() - t;
  });
  return runs.sort((a, b) => a - b)[1];
}

describe("quantity text", () => {
  test("parse(print(q)) equals q, in value and in canonical text", () => {
    fc.assert(
      fc.property(quantity, (text) => {
        const q = Quantity.parse(text);
        const printed = q.toString();
        const back = Quantity.parse(printed);
        assert.ok(back.equals(q), `${text} printed as ${printed}`);
        assert.equal(back.toString(), printed);
      }),
      { numRuns: 2000 },
    );
  });

  test("parsing and printing are linear in the text: 16× the digits cost well under 16² the time", () => {
    const shapes: ((n: number) => string)[] = [
      (n) => `1.${"0".repeat(n)}`,
      (n) => `${"0".repeat(n)}1.5`,
      (n) => `${"7".repeat(900)}${"0".repeat(n)}e-${n}`,
      (n) => `0.${"0".repeat(n)}1e${n}`,
    ];
    for (const shape of shapes) {
      const small = timeOf(() => Quantity.parse(shape(12500)).toString());
      const large = timeOf(() => Quantity.parse(shape(200000)).toString());
      // Quadratic work would be 256× slower; allow 40× (and a floor for timer noise).
      assert.ok(
        large <= Math.max(40 * small, 150),
        `${shape(3)}…: ${small.toFixed(1)} ms → ${large.toFixed(1)} ms`,
      );
    }
  });
});
