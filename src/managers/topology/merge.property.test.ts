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

interface Shape {
  minSlots?: number;
  maxSlots: number;
  minHints?: number;
  maxHints: number;
  /** How often a hint is preferred; low values drive the merge into its non-preferred phase. */
  preferredPercent?: number;
  /** Machine node ids are drawn from 0..maxId (hint masks may name any id up to 63 beyond that). */
  maxId?: number;
  minNodes?: number;
  maxNodes?: number;
}

interface MergeInput {
  ctx: MergeContext;
  slots: TopologyHint[][];
}

function hintArb(
  pool: BitMask[],
  maskArb: fc.Arbitrary<BitMask>,
  preferredPercent: number,
): fc.Arbitrary<TopologyHint> {
  const affinity = fc.oneof(
    { weight: 1, arbitrary: fc.constant(null) },
    { weight: 4, arbitrary: fc.constantFrom(...pool) },
    { weight: 1, arbitrary: maskArb },
  );
  const preferred = fc.integer({ min: 0, max: 99 }).map((x) => x < preferredPercent);
  return fc.record({ affinity, preferred });
}

/** Distance rows for ids 0..63 from a seed: 10..13 everywhere, asymmetric, diagonal included. */
function distancesFrom(seed: number): Map<number, number[]> {
  let a = seed >>> 0;
  const next = () => {
    a = (Math.imul(a, 1103515245) + 12345) >>> 0;
    return 10 + ((a >>> 16) % 4);
  };
  return new Map(Array.from({ length: 64 }, (_, i) => [i, Array.from({ length: 64 }, next)]));
}

/**
 * A machine (node ids may have gaps), distances, and slots drawn mostly from a small pool of
 * masks (so duplicates and shared masks are common); masks may name nodes the machine lacks.
 */
function mergeInputArb(shape: Shape): fc.Arbitrary<MergeInput> {
  const maxId = shape.maxId ?? 9;
  const maskBitsRange = Math.min(63, maxId + 2);
  const maskArb = fc.bigInt({ min: 0n, max: (1n << BigInt(maskBitsRange + 1)) - 1n });
  return fc
    .record({
      nodes: fc.uniqueArray(fc.integer({ min: 0, max: maxId }), {
        minLength: shape.minNodes ?? 1,
        maxLength: shape.maxNodes ?? 10,
      }),
      pool: fc.array(maskArb, { minLength: 1, maxLength: 8 }),
      distanceSeed: fc.integer(),
      preferClosest: fc.boolean(),
    })
    .chain(({ nodes, pool, distanceSeed, preferClosest }) => {
      const numa = NUMAInfo.create(nodes, distancesFrom(distanceSeed), true);
      if (typeof numa === "string") throw new Error(numa);
      const slot = fc.array(hintArb(pool, maskArb, shape.preferredPercent ?? 50), {
        minLength: shape.minHints ?? 0,
        maxLength: shape.maxHints,
      });
      const slots = fc.array(slot, { minLength: shape.minSlots ?? 0, maxLength: shape.maxSlots });
      return slots.map((s) => ({ ctx: { numa, preferClosestNUMA: preferClosest }, slots: s }));
    });
}

const show = (h: { affinity: BitMask | null; preferred: boolean }) => ({
  ...h,
  affinity: String(h.affinity),
});

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
        fc.property(
          mergeInputArb({ minSlots: 2, maxSlots: 3, minHints: 4, maxHints: 24 }),
          ({ ctx, slots }) => {
            assert.deepEqual(
              show(mergeHints(slots, ctx, "fast", strategy)),
              show(mergeHints(slots, ctx, "reference")),
            );
          },
        ),
        { numRuns: 300 },
      );
    });
    test(`strategy ${strategy}: mostly non-preferred hints`, () => {
      const shape = { minSlots: 1, maxSlots: 4, minHints: 2, maxHints: 9, preferredPercent: 20 };
      fc.assert(
        fc.property(mergeInputArb(shape), ({ ctx, slots }) => {
          assert.deepEqual(
            show(mergeHints(slots, ctx, "fast", strategy)),
            show(mergeHints(slots, ctx, "reference")),
          );
        }),
        { numRuns: 1500 },
      );
    });
  }

  test("the search hands over to the transform at any budget with the same result", () => {
    const shape = { minSlots: 2, maxSlots: 4, minHints: 2, maxHints: 9, preferredPercent: 20 };
    fc.assert(
      fc.property(mergeInputArb(shape), fc.integer({ min: 0, max: 60 }), ({ ctx, slots }, budget) => {
        assert.deepEqual(
          show(mergeHintsFast(slots, ctx, "auto", budget)),
          show(mergeHints(slots, ctx, "reference")),
        );
      }),
      { numRuns: 1000 },
    );
  });

  test("machines with high node ids (renumbered 32-bit masks) and with more than 32 nodes (bigint masks)", () => {
    const shapes: Shape[] = [
      { minSlots: 1, maxSlots: 3, minHints: 1, maxHints: 8, preferredPercent: 25, maxId: 63, maxNodes: 12 },
      {
        minSlots: 1,
        maxSlots: 3,
        minHints: 1,
        maxHints: 8,
        preferredPercent: 25,
        maxId: 63,
        minNodes: 33,
        maxNodes: 64,
      },
    ];
    for (const shape of shapes) {
      fc.assert(
        fc.property(mergeInputArb(shape), ({ ctx, slots }) => {
          assert.deepEqual(show(mergeHints(slots, ctx)), show(mergeHints(slots, ctx, "reference")));
        }),
        { numRuns: 800 },
      );
    }
  });

  test("every policy gives the same hint and verdict with either merge", () => {
    const policies: TopologyPolicyName[] = ["best-effort", "restricted", "single-numa-node"];
    fc.assert(
      fc.property(
        mergeInputArb({ maxSlots: 4, maxHints: 5, preferredPercent: 40 }),
        fc.constantFrom(...policies),
        ({ ctx, slots }, name) => {
          const options = { preferClosestNUMA: ctx.preferClosestNUMA, maxAllowableNUMANodes: 8 };
          const answers = slots.map((s, i) => new Map([[`r${i}`, s]]));
          const fast = createPolicy(name, ctx.numa, options).merge(answers);
          const ref = createPolicy(name, ctx.numa, options, {
            implementation: "reference",
            strategy: "auto",
          }).merge(answers);
          assert.deepEqual({ ...fast, hint: show(fast.hint) }, { ...ref, hint: show(ref.hint) });
        },
      ),
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
      fc.property(
        mergeInputArb({ maxSlots: 4, maxHints: 5, preferredPercent: 40 }),
        fc.integer(),
        ({ ctx, slots }, seed) => {
          const shuffled = [...slots].sort(
            (a, b) => ((a.length * 31 + seed) % 7) - ((b.length * 31 + seed) % 7),
          );
          assert.deepEqual(show(mergeHints(shuffled, ctx)), show(mergeHints(slots, ctx)));
        },
      ),
      { numRuns: 500 },
    );
  });

  test("filterProvidersHints keeps null answers, null lists and empty lists apart", () => {
    const slots = filterProvidersHints([
      null,
      new Map(),
      new Map([
        ["b", null],
        ["a", []],
      ]),
    ]);
    assert.deepEqual(slots, [
      [{ affinity: null, preferred: true }],
      [{ affinity: null, preferred: true }],
      [{ affinity: null, preferred: false }],
      [{ affinity: null, preferred: true }],
    ]);
  });
});
