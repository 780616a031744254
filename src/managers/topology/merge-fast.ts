import {
  NonPreferredOrder,
  OVER_BUDGET,
  searchBest,
  TRANSFORM_MAX_NODES,
  transformBest,
} from "./achievable.js";
import { type BitMask, maskCount } from "./bitmask.js";
import {
  type HintSlots,
  type MergeContext,
  type MergedHint,
  maskPrecedes,
  maxOfMinAffinityCounts,
} from "./compare.js";
import { bigMaskSpace, type MaskSpace, smallMaskSpace } from "./mask-space.js";

/*
 * The fast merge returns exactly the hint of the reference fold (merge-reference.ts) without
 * walking the cross product. Why that is possible:
 *
 * 1. `compareHints` is a fold with a strict total order over distinct merged hints: every
 *    preferred hint beats every non-preferred one; preferred hints are ranked by `compareMasks`
 *    (count, [average distance], value); non-preferred ones by "count <= B, the higher the better,
 *    then compareMasks; counts above B after all of those, the lower the better". Identical masks
 *    keep the current one, which is the same hint. So the result is the minimum of that order over
 *    the non-empty merged hints, whatever the enumeration order.
 * 2. A permutation is preferred iff all its hints are preferred and its non-null masks are one mask
 *    M. So the preferred merged affinities are `D & M` for each M that every slot offers as a
 *    preferred hint or covers with a preferred null hint (and D itself when every slot has a
 *    preferred null hint): one pass over the hints.
 * 3. If no preferred permutation gives a non-empty mask, every non-empty achievable AND is a
 *    non-preferred candidate, so what is left is "the best mask of the AND-product of the slots'
 *    distinct masks" (achievable.ts): a depth-first search over distinct partial ANDs with
 *    memoisation and an optimistic bound, handing over to an exact superset-sum transform over
 *    the subsets of D (up to 20 nodes) when the search runs long.
 */

export type FastMergeStrategy = "auto" | "search" | "transform";

/**
 * The merge of §4 without the cross product. `searchBudget` overrides the automatic hand-over
 * point from the search to the transform (tests use it to exercise the hand-over).
 */
export function mergeHintsFast(
  slots: HintSlots,
  ctx: MergeContext,
  strategy: FastMergeStrategy = "auto",
  searchBudget?: number,
): MergedHint {
  const defaultAffinity = ctx.numa.defaultAffinity;
  if (slots.some((s) => s.length === 0)) return { affinity: defaultAffinity, preferred: false };
  const preferred = bestPreferredAffinity(slots, ctx);
  if (preferred !== null) return { affinity: preferred, preferred: true };
  const B = maxOfMinAffinityCounts(slots);
  const best =
    maskCount(defaultAffinity) <= 32
      ? bestAchievableSmall(smallMaskSpace(defaultAffinity), slots, ctx, B, strategy, searchBudget)
      : bestAchievableBig(bigMaskSpace(defaultAffinity), slots, ctx, B);
  return { affinity: best ?? defaultAffinity, preferred: false };
}

/** Exact map keys that avoid bigint hashing for the usual masks (below 2^53). */
function keyOf(m: BitMask): number | bigint {
  return m < 0x20000000000000n ? Number(m) : m;
}

/** Step 2 above: the best non-empty affinity of a preferred permutation, or null. */
function bestPreferredAffinity(slots: HintSlots, ctx: MergeContext): BitMask | null {
  const defaultAffinity = ctx.numa.defaultAffinity;
  let slotsWithPreferredNull = 0;
  // For each preferred mask M: how many slots without a preferred null hint offer it.
  const offeredBy = new Map<number | bigint, { mask: BitMask; slots: number }>();
  const seen = new Set<number | bigint>();
  for (const slot of slots) {
    const hasPreferredNull = slot.some((h) => h.preferred && h.affinity === null);
    if (hasPreferredNull) slotsWithPreferredNull++;
    seen.clear();
    for (const h of slot) {
      if (!h.preferred || h.affinity === null) continue;
      const key = keyOf(h.affinity);
      if (seen.has(key)) continue;
      seen.add(key);
      let entry = offeredBy.get(key);
      if (!entry) offeredBy.set(key, (entry = { mask: h.affinity, slots: 0 }));
      if (!hasPreferredNull) entry.slots++;
    }
  }
  const needed = slots.length - slotsWithPreferredNull;
  let best: BitMask | null = null;
  const consider = (m: BitMask) => {
    if (m !== 0n && (best === null || maskPrecedes(ctx, m, best))) best = m;
  };
  if (needed === 0) consider(defaultAffinity);
  for (const { mask, slots: count } of offeredBy.values())
    if (count === needed) consider(mask & defaultAffinity);
  return best;
}

/** Each slot's distinct non-empty masks in `space` (null = all nodes); null if a slot has none. */
function distinctMasks<M extends number | bigint>(space: MaskSpace<M>, slots: HintSlots): M[][] | null {
  const masks: M[][] = [];
  for (const slot of slots) {
    const distinct = new Set<M>();
    for (const h of slot) {
      const m = h.affinity === null ? space.full : space.fromMask(h.affinity);
      if (m !== space.zero) distinct.add(m);
    }
    if (distinct.size === 0) return null;
    masks.push([...distinct]);
  }
  return masks;
}

/** Step 3 above for up to 32 nodes: the search, handing over to the transform for up to 20. */
function bestAchievableSmall(
  space: MaskSpace<number>,
  slots: HintSlots,
  ctx: MergeContext,
  bestNonPreferredAffinityCount: number,
  strategy: FastMergeStrategy,
  searchBudget: number | undefined,
): BitMask | null {
  const masks = space.full === 0 ? null : distinctMasks(space, slots);
  if (masks === null) return null;
  if (masks.length === 0) return space.toMask(space.full);
  const order = new NonPreferredOrder(space, ctx, bestNonPreferredAffinityCount);
  const n = space.size;
  const transformable = n <= TRANSFORM_MAX_NODES;
  const transform = () => {
    const found = transformBest(masks, order);
    return found === null ? null : space.toMask(found);
  };
  if (strategy === "transform" && transformable) return transform();
  // The search is cheap when its pruning works; past a budget comparable to the transform's
  // cost (about 3n2^n float steps per slot) it hands over.
  const budget =
    strategy === "auto" && transformable
      ? (searchBudget ?? Math.max(4096, (masks.length - 1) * 3 * n * 2 ** n))
      : Number.POSITIVE_INFINITY;
  const found = searchBest(masks, order, budget);
  if (found === OVER_BUDGET) return transform();
  return found === null ? null : space.toMask(found);
}

/** Step 3 above beyond 32 nodes: the search alone (the providers' lists bound its work). */
function bestAchievableBig(
  space: MaskSpace<bigint>,
  slots: HintSlots,
  ctx: MergeContext,
  bestNonPreferredAffinityCount: number,
): BitMask | null {
  const masks = space.full === 0n ? null : distinctMasks(space, slots);
  if (masks === null) return null;
  if (masks.length === 0) return space.full;
  const found = searchBest(masks, new NonPreferredOrder(space, ctx, bestNonPreferredAffinityCount), Infinity);
  return found === OVER_BUDGET ? null : found;
}
