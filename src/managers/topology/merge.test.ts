import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { maskOf } from "./bitmask.js";
import { compareHints, type MergedHint, maxOfMinAffinityCounts } from "./compare.js";
import type { TopologyHint } from "./hint.js";
import { MERGE_CASES } from "./merge.cases.js";
import {
  type FastMergeStrategy,
  iterateAllProviderTopologyHints,
  mergeHints,
  mergeHintsFast,
} from "./merge.js";
import { NUMAInfo } from "./numa-info.js";
import type { MergeSettings } from "./policy.js";
import { hintData } from "./trace.js";
import { mergeVectorFromJSON, runMergeVector } from "./vectors.js";

const CONFORMANCE_DIR =
  process.env.PODPIN_CONFORMANCE_DIR ??
  resolve(join(dirname(fileURLToPath(import.meta.url)), "../../../../shared/conformance"));

type Implementation = { name: string; settings: MergeSettings };

const IMPLEMENTATIONS: Implementation[] = [
  { name: "reference", settings: { implementation: "reference", strategy: "auto" } },
  ...(["auto", "search", "transform"] as FastMergeStrategy[]).map((strategy) => ({
    name: `fast/${strategy}`,
    settings: { implementation: "fast" as const, strategy },
  })),
];

function contextOf(c: (typeof MERGE_CASES)[number]) {
  if (!c.distances) return { numa: NUMAInfo.withoutDistances(c.nodes), preferClosestNUMA: false };
  const numa = NUMAInfo.create(c.nodes, new Map(c.distances.map((row, i) => [i, row])), true);
  if (typeof numa === "string") throw new Error(numa);
  return { numa, preferClosestNUMA: true };
}

for (const impl of IMPLEMENTATIONS) {
  describe(`merge: ${impl.name}`, () => {
    for (const c of MERGE_CASES) {
      if (c.tooLargeForReference && impl.settings.implementation === "reference") continue;
      test(c.name, () => {
        const merged = mergeHints(
          c.slots,
          contextOf(c),
          impl.settings.implementation,
          impl.settings.strategy,
        );
        assert.deepEqual(hintData(merged), c.expected);
      });
    }
    test("every conformance merge vector", () => {
      const data = JSON.parse(
        readFileSync(join(CONFORMANCE_DIR, "topology/merge.json"), "utf8"),
      ) as unknown[];
      for (const [i, raw] of data.entries()) {
        const v = mergeVectorFromJSON(raw, `case #${i}`, `merge.json #${i}`);
        assert.deepEqual(
          runMergeVector(v, impl.settings),
          { hint: v.expectedHint, admit: v.expectedAdmit },
          `${v.policy}: ${(raw as { name: string }).name}`,
        );
      }
    });
  });
}

describe("merge pieces", () => {
  const ctx = { numa: NUMAInfo.withoutDistances([0, 1, 2, 3]), preferClosestNUMA: false };
  const h = (preferred: boolean, ...ids: number[]): MergedHint => ({ affinity: maskOf(...ids), preferred });

  test("compareHints returns its arguments by identity, null only for an empty first candidate", () => {
    const empty = h(true);
    assert.equal(compareHints(1, null, empty, ctx), null);
    const a = h(false, 0, 1);
    const b = h(false, 0, 1);
    assert.equal(compareHints(2, a, b, ctx), a, "identical masks keep the current hint");
  });

  test("maxOfMinAffinityCounts ignores null affinities and empty slots", () => {
    const slots: TopologyHint[][] = [[], [{ affinity: null, preferred: true }], [h(true, 0, 1), h(true, 2)]];
    assert.equal(maxOfMinAffinityCounts(slots), 1);
    assert.equal(maxOfMinAffinityCounts([]), 0);
  });

  test("the fast merge handles 16 nodes with two full hint lists quickly", () => {
    const c = MERGE_CASES.find((x) =>
      x.name.startsWith("16 nodes, every mask in two slots, preferred masks"),
    )!;
    const merged = mergeHintsFast(c.slots, contextOf(c));
    assert.deepEqual(hintData(merged), c.expected);
  });

  test("permutations: slot 0 outermost, hints in list order; no slots = one empty permutation", () => {
    const seen: string[] = [];
    const slots = [
      [h(true, 0), h(true, 1)],
      [h(true, 2), h(true, 3)],
    ];
    iterateAllProviderTopologyHints(slots, (perm) => seen.push(perm.map((x) => x.affinity).join("-")));
    assert.deepEqual(seen, ["1-4", "1-8", "2-4", "2-8"]);
    let count = 0;
    iterateAllProviderTopologyHints([], () => count++);
    assert.equal(count, 1);
    iterateAllProviderTopologyHints([[h(true, 0)], []], () => count++);
    assert.equal(count, 1);
  });
});
