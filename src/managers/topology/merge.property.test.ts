import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import type { BitMask } from "./bitmask.js";
import type { MergeContext } from "./compare.js";
import type { TopologyHint } from "./hint.js";
import {
  filterProvidersHints,
  iterateAllProviderTopologyHints,
  mergeHints,
  mergeHintsFast,
  mergePermutation,
} from "./merge.js";
import { NUMAInfo } from "./numa-info.js";
import { createPolicy, type TopologyPolicyName } from "./policy.js";

/** Ids 0..11 so that hints may name nodes the machine does not have. */
const MAX_ID = 11;

const maskArb = fc.integer({ min: 0, max: (1 << (MAX_ID + 1)) - 1 }).map((x) => BigInt(x));

function hintArb(pool: BitMask[], preferredPercent: number): fc.Arbitrary<TopologyHint> {
  const affinity = fc.oneof(
    { weight: 1, arbitrary: fc.constant(null) },
    { weight: 4, arbitrary: fc.constantFrom(...pool) },
    { weight: 1, arbitrary: maskArb },
  );
  const preferred = fc.integer({ min: 0, max: 99 }).map((x) => x < preferredPercent);
  return fc.record({ affinity, preferred });
}

interface Shape {
  minSlots?: number;
  maxSlots: number;
  minHints?: number;
  maxHints: number;
  /** How often a hint is preferred; low values drive the merge into its non-preferred phase. */
  preferredPercent?: number;
}

interface MergeInput {
  ctx: MergeContext;
  slots: TopologyHint[][];
}

/** A machine of 1-10 nodes (ids may have gaps), distances, and slots drawn from a small mask pool (duplicates). */
function mergeInputArb(shape: Shape): fc.Arbitrary<MergeInput> {
  return fc
    .record({
      nodes: fc.uniqueArray(fc.integer({ min: 0, max: 9 }), { minLength: 1, maxLength: 10 }),
      pool: fc.array(maskArb, { minLength: 1, maxLength: 8 }),
      distanceSeed: fc.array(fc.integer({ min: 10, max: 13 }), { minLength: 144, maxLength: 144 }),
      preferClosest: fc.boolean(),
    })
    .chain(({ nodes, pool, distanceSeed, preferClosest }) => {
      const distances = new Map<number, number[]>();
      for (let i = 0; i <= MAX_ID; i++) {
        distances.set(
          i,
          Array.from({ length: MAX_ID + 1 }, (_, j) => distanceSeed[i * (MAX_ID + 1) + j]),
        );
      }
      const numa = NUMAInfo.create(nodes, distances, true);
      if (typeof numa === "string") throw new Error(numa);
      const slot = fc.array(hintArb(pool, shape.preferredPercent ?? 50), {
        minLength: shape.minHints ?? 0,
        maxLength: shape.maxHints,
      });
      const slots = fc.array(slot, { minLength: shape.minSlots ?? 0, maxLength: shape.maxSlots });
      return slots.map((s) => ({ ctx: { numa, preferClosestNUMA: preferClosest }, slots: s }));
    });
}

const show = (h: { affinity: BitMask | null; preferred: boolean }) => ({ ...h, affinity: String(h.affinity) });

describe("fast merge == reference merge (fast-check)", () => {
  for (const strategy of ["auto", "search", "transform"] as const) {
    test(`strategy ${strategy}: small slots`, () => {
      fc.assert(
        fc.property(mergeInputArb({ maxSlots: 4, maxHints: 6 }), ({ ctx, slots }) => {
          const ref = mergeHints(slots, ctx, "reference");
          const fast = mergeHints(slots, ctx, "fast", strategy);
          assert.deepEqual(show(fast), show(ref));
        }),
        { numRuns: 1500 },
      );
    });
    test(`strategy ${strategy}: long lists`, () => {
      fc.assert(
        fc.property(mergeInputArb({ minSlots: 2, maxSlots: 3, minHints: 4, maxHints: 24 }), ({ ctx, slots }) => {
          assert.deepEqual(show(mergeHints(slots, ctx, "fast", strategy)), show(mergeHints(slots, ctx, "reference")));
        }),
        { numRuns: 300 },
      );
    });
    test(`strategy ${strategy}: mostly non-preferred hints`, () => {
      const shape = { minSlots: 1, maxSlots: 4, minHints: 2, maxHints: 9, preferredPercent: 20 };
      fc.assert(
        fc.property(mergeInputArb(shape), ({ ctx, slots }) => {
          assert.deepEqual(show(mergeHints(slots, ctx, "fast", strategy)), show(mergeHints(slots, ctx, "reference")));
        }),
        { numRuns: 1500 },
      );
    });
  }

  test("the search hands over to the transform at any budget with the same result", () => {
    const shape = { minSlots: 2, maxSlots: 4, minHints: 2, maxHints: 9, preferredPercent: 20 };
    fc.assert(
      fc.property(mergeInputArb(shape), fc.integer({ min: 0, max: 60 }), ({ ctx, slots }, budget) => {
        assert.deepEqual(show(mergeHintsFast(slots, ctx, "auto", budget)), show(mergeHints(slots, ctx, "reference")));
      }),
      { numRuns: 1000 },
    );
  });

  test("every policy gives the same hint and verdict with either merge", () => {
    const policies: TopologyPolicyName[] = ["best-effort", "restricted", "single-numa-node"];
    fc.assert(
      fc.property(mergeInputArb({ maxSlots: 4, maxHints: 5, preferredPercent: 40 }), fc.constantFrom(...policies), ({ ctx, slots }, name) => {
        const options = { preferClosestNUMA: ctx.preferClosestNUMA, maxAllowableNUMANodes: 8 };
        const answers = slots.map((s, i) => new Map([[`r${i}`, s]]));
        const fast = createPolicy(name, ctx.numa, options).merge(answers);
        const ref = createPolicy(name, ctx.numa, options, { implementation: "reference", strategy: "auto" }).merge(
          answers,
        );
        assert.deepEqual({ ...fast, hint: show(fast.hint) }, { ...ref, hint: show(ref.hint) });
      }),
      { numRuns: 1000 },
    );
  });

  test("the result is a non-empty merged permutation or the {default, false} fallback", () => {
    fc.assert(
      fc.property(mergeInputArb({ maxSlots: 3, maxHints: 5, preferredPercent: 40 }), ({ ctx, slots }) => {
        const result = mergeHints(slots, ctx);
        const candidates = new Set<string>();
        iterateAllProviderTopologyHints(slots, (perm) => {
          const m = mergePermutation(ctx.numa.defaultAffinity, perm);
          if (m.affinity !== 0n) candidates.add(`${m.affinity}/${m.preferred}`);
        });
        const key = `${result.affinity}/${result.preferred}`;
        if (candidates.size === 0) assert.equal(key, `${ctx.numa.defaultAffinity}/false`);
        else assert.ok(candidates.has(key), `${key} is not among ${[...candidates].join(" ")}`);
      }),
      { numRuns: 1000 },
    );
  });

  test("the merge does not depend on the order of the slots", () => {
    fc.assert(
      fc.property(mergeInputArb({ maxSlots: 4, maxHints: 5, preferredPercent: 40 }), fc.integer(), ({ ctx, slots }, seed) => {
        const shuffled = [...slots].sort((a, b) => ((a.length * 31 + seed) % 7) - ((b.length * 31 + seed) % 7));
        assert.deepEqual(show(mergeHints(shuffled, ctx)), show(mergeHints(slots, ctx)));
      }),
      { numRuns: 500 },
    );
  });

  test("filterProvidersHints keeps null answers, null lists and empty lists apart", () => {
    const slots = filterProvidersHints([null, new Map(), new Map([["b", null], ["a", []]])]);
    assert.deepEqual(slots, [
      [{ affinity: null, preferred: true }],
      [{ affinity: null, preferred: true }],
      [{ affinity: null, preferred: false }],
      [{ affinity: null, preferred: true }],
    ]);
  });
});
