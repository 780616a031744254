import type { MergeContext } from "./compare.js";
import { type MaskSpace, popcount32 } from "./mask-space.js";

/*
 * The non-preferred phase of the fast merge: the best non-empty AND of one mask per slot, under
 * the order `compareHints` implies for non-preferred hints. Masks are subsets of the default
 * affinity in a `MaskSpace` (numbers for up to 32 nodes, bigints beyond).
 */

/**
 * The non-preferred order: rank 0 is count B, then B-1 ... 1, then B+1, B+2, ...; equal ranks
 * mean equal counts and are decided like `compareMasks` (average distance with
 * `prefer-closest-numa-nodes`, then the numerically smaller mask).
 */
export class NonPreferredOrder<M extends number | bigint> {
  private readonly averages = new Map<M, number>();

  constructor(
    readonly space: MaskSpace<M>,
    readonly ctx: MergeContext,
    readonly bestNonPreferredAffinityCount: number,
  ) {}

  rank(count: number): number {
    const B = this.bestNonPreferredAffinityCount;
    return count <= B ? B - count : B + count;
  }

  /** `compareMasks` between two different masks of the same bit count. */
  sameCountPrecedes(a: M, b: M): boolean {
    if (!this.ctx.preferClosestNUMA) return this.space.less(a, b);
    const da = this.average(a);
    const db = this.average(b);
    if (da === db) return this.space.less(a, b);
    return da < db;
  }

  /** `a` strictly better than `b` (both non-empty). */
  precedes(a: M, b: M): boolean {
    const ra = this.rank(this.space.count(a));
    const rb = this.rank(this.space.count(b));
    if (ra !== rb) return ra < rb;
    return a !== b && this.sameCountPrecedes(a, b);
  }

  /** The best rank a non-empty subset of a mask with `count` bits can reach. */
  boundRank(count: number): number {
    const B = this.bestNonPreferredAffinityCount;
    // Below B a subset ranks best as the whole mask; above it, a subset of exactly B (or 1) bits.
    if (count <= B) return B - count;
    return this.rank(Math.max(B, 1));
  }

  /** The best subset of `x` at its bound rank when cheap to know; null = unknown. */
  boundMask(x: M): M | null {
    const B = this.bestNonPreferredAffinityCount;
    const c = this.space.count(x);
    if (c <= B) return x;
    const target = Math.max(B, 1);
    if (!this.ctx.preferClosestNUMA) return this.space.lowestBits(x, target);
    if (target !== 1) return null;
    let best: M | null = null;
    for (const single of this.space.singles(x)) {
      if (best === null || this.sameCountPrecedes(single, best)) best = single;
    }
    return best;
  }

  /** Whether some subset of `x` (bound rank `rank`) may be strictly better than `best`. */
  canBeat(x: M, rank: number, best: M | null): boolean {
    if (best === null) return true;
    const rb = this.rank(this.space.count(best));
    if (rank !== rb) return rank < rb;
    return this.boundBeats(this.boundMask(x), best);
  }

  /** Same rank as `best`: does the bound's mask (null = unknown) beat it? */
  boundBeats(bound: M | null, best: M): boolean {
    if (bound === null) return true;
    return bound !== best && this.sameCountPrecedes(bound, best);
  }

  private average(x: M): number {
    let avg = this.averages.get(x);
    if (avg === undefined) {
      avg = this.ctx.numa.averageDistance(this.space.toMask(x));
      this.averages.set(x, avg);
    }
    return avg;
  }
}

export const OVER_BUDGET: unique symbol = Symbol("over budget");

/**
 * Depth-first over the slots with partial ANDs. A partial is first cut down to what the
 * remaining slots can still keep (the AND of their unions), so partials with equal futures share
 * one memo entry per depth; children are tried in order of their bound rank and pruned by bound.
 * Returns `OVER_BUDGET` once more than `budget` mask operations were spent.
 */
export function searchBest<M extends number | bigint>(
  masks: readonly M[][],
  order: NonPreferredOrder<M>,
  budget: number,
): M | null | typeof OVER_BUDGET {
  const space = order.space;
  const slotCount = masks.length;
  const reachable: M[] = new Array(slotCount + 1);
  reachable[slotCount] = space.full;
  for (let d = slotCount - 1; d >= 0; d--) {
    let union = space.zero;
    for (const m of masks[d]) union = space.or(union, m);
    reachable[d] = space.and(reachable[d + 1], union);
  }
  const root = reachable[0];
  if (root === space.zero) return null;
  const rootRank = order.boundRank(space.count(root));
  const rootBound = order.boundMask(root);
  // Once the best found is as good as anything below the root could be, the search is over.
  const finished = (found: M | null) =>
    found !== null &&
    (rootRank !== order.rank(space.count(found))
      ? rootRank > order.rank(space.count(found))
      : !order.boundBeats(rootBound, found));
  const visited = masks.map(() => new Set<M>());
  let best: M | null = null;
  let work = 0;

  const visit = (depth: number, partial: M): boolean => {
    const options = masks[depth];
    work += options.length;
    if (work > budget) return false;
    if (depth === slotCount - 1) {
      for (const m of options) {
        const x = space.and(partial, m);
        if (x !== space.zero && (best === null || order.precedes(x, best))) best = x;
      }
      return true;
    }
    const keep = reachable[depth + 1];
    const seen = visited[depth + 1];
    // Bucketed by bound rank (ranks are small integers), best rank first.
    const buckets: M[][] = [];
    for (const m of options) {
      const x = space.and(space.and(partial, m), keep);
      if (x === space.zero || seen.has(x)) continue;
      seen.add(x);
      const rank = order.boundRank(space.count(x));
      if (!order.canBeat(x, rank, best)) continue;
      (buckets[rank] ??= []).push(x);
    }
    for (let rank = 0; rank < buckets.length; rank++) {
      const bucket = buckets[rank];
      if (!bucket) continue;
      for (const child of bucket) {
        if (finished(best)) return true;
        if (!order.canBeat(child, rank, best)) continue;
        if (!visit(depth + 1, child)) return false;
      }
    }
    return true;
  };

  return visit(0, root) ? best : OVER_BUDGET;
}

/** The transform allocates 2^n doubles a few times over; beyond this it is not used. */
export const TRANSFORM_MAX_NODES = 20;

/**
 * Exact AND-product over every subset of the (renumbered) default affinity, n <= 20: per slot,
 * superset sums of "reachable so far" and of the slot's masks, their product (pairs whose AND
 * contains X), then the inverse transform (pairs whose AND is exactly X). Counts stay below
 * 2^(2n) <= 2^40, exact in doubles.
 */
export function transformBest(masks: readonly number[][], order: NonPreferredOrder<number>): number | null {
  const n = order.space.size;
  const size = 2 ** n;
  const indicator = (list: readonly number[]): Float64Array => {
    const f = new Float64Array(size);
    for (const m of list) f[m] = 1;
    return f;
  };
  const reach = indicator(masks[0]);
  for (let i = 1; i < masks.length; i++) {
    const slot = indicator(masks[i]);
    supersetSums(reach, n, 1);
    supersetSums(slot, n, 1);
    for (let x = 0; x < size; x++) reach[x] *= slot[x];
    supersetSums(reach, n, -1);
    for (let x = 0; x < size; x++) reach[x] = reach[x] > 0 ? 1 : 0;
  }
  reach[0] = 0;

  let bestRank = Number.POSITIVE_INFINITY;
  for (let x = 1; x < size; x++) {
    if (reach[x] !== 0) bestRank = Math.min(bestRank, order.rank(popcount32(x)));
  }
  if (bestRank === Number.POSITIVE_INFINITY) return null;
  // Ascending scan: without distances the first mask of the best rank is the smallest one.
  let best: number | null = null;
  for (let x = 1; x < size; x++) {
    if (reach[x] === 0 || order.rank(popcount32(x)) !== bestRank) continue;
    if (best === null || order.precedes(x, best)) best = x;
    if (!order.ctx.preferClosestNUMA) break;
  }
  return best;
}

/** In place: f(X) += sign * f(X | bit) for every bit: superset sums (1) or their inverse (-1). */
function supersetSums(f: Float64Array, n: number, sign: 1 | -1): void {
  const size = f.length;
  for (let j = 0; j < n; j++) {
    const bit = 1 << j;
    for (let x = 0; x < size; x++) {
      if ((x & bit) === 0) f[x] += sign * f[x | bit];
    }
  }
}
