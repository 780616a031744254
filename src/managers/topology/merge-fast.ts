import { type BitMask, maskBits, maskCount } from "./bitmask.js";
import { type HintSlots, type MergeContext, type MergedHint, maskPrecedes, maxOfMinAffinityCounts } from "./compare.js";

/*
 * The fast merge returns exactly the hint of the reference fold (merge-reference.ts) without
 * walking the cross product. Why that is possible:
 *
 * 1. `compareHints` is a fold with a strict total order over distinct merged hints: every
 *    preferred hint beats every non-preferred one; preferred hints are ranked by `compareMasks`
 *    (count, [average distance], value); non-preferred ones by "count <= B, the higher the better,
 *    then compareMasks; counts above B after all of those, the lower the better". Identical masks
 *    keep the current one, which is the same hint. So the result is the minimum of the order over
 *    the non-empty merged hints, whatever the enumeration order.
 * 2. A permutation is preferred iff all its hints are preferred and its non-null masks are one mask
 *    M. So the preferred merged affinities are `D & M` for each M that every slot offers as a
 *    preferred hint or covers with a preferred null hint (and D itself when every slot has a
 *    preferred null hint): one pass over the hints.
 * 3. If no preferred permutation gives a non-empty mask, every non-empty achievable AND is a
 *    non-preferred candidate, so what is left is "the best mask of the AND-product of the slots'
 *    distinct masks", found by a depth-first search over distinct partial ANDs with memoisation
 *    and an optimistic bound, or, for up to 20 NUMA nodes, exactly by a superset-sum
 *    (zeta/Moebius) transform over the subsets of the default affinity when the search runs long.
 */

export type FastMergeStrategy = "auto" | "search" | "transform";

/** Above this many NUMA nodes the transform's 2^N arrays are too large; the search is used. */
export const TRANSFORM_MAX_NODES = 20;

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
  const order = new NonPreferredOrder(ctx, maxOfMinAffinityCounts(slots));
  const best = bestAchievableAffinity(slots, ctx, order, strategy, searchBudget);
  return { affinity: best ?? defaultAffinity, preferred: false };
}

/** Step 2 above: the best non-empty affinity of a preferred permutation, or null. */
function bestPreferredAffinity(slots: HintSlots, ctx: MergeContext): BitMask | null {
  const defaultAffinity = ctx.numa.defaultAffinity;
  let slotsWithPreferredNull = 0;
  // For each preferred mask M: how many slots without a preferred null hint offer it.
  const offeredBy = new Map<BitMask, number>();
  for (const slot of slots) {
    const hasPreferredNull = slot.some((h) => h.preferred && h.affinity === null);
    if (hasPreferredNull) slotsWithPreferredNull++;
    const seen = new Set<BitMask>();
    for (const h of slot) {
      if (!h.preferred || h.affinity === null || seen.has(h.affinity)) continue;
      seen.add(h.affinity);
      offeredBy.set(h.affinity, (offeredBy.get(h.affinity) ?? 0) + (hasPreferredNull ? 0 : 1));
    }
  }
  const needed = slots.length - slotsWithPreferredNull;
  let best: BitMask | null = null;
  const consider = (m: BitMask) => {
    if (m !== 0n && (best === null || maskPrecedes(ctx, m, best))) best = m;
  };
  if (needed === 0) consider(defaultAffinity);
  for (const [mask, count] of offeredBy) if (count === needed) consider(mask & defaultAffinity);
  return best;
}

interface Bound {
  /** The best rank any non-empty subset can reach. */
  rank: number;
  /** The best mask of that rank among the subsets, when cheap to know; null = unknown. */
  mask: BitMask | null;
}

/** The order of non-preferred merged masks implied by `compareHints` (see 1. above). */
export class NonPreferredOrder {
  constructor(
    readonly ctx: MergeContext,
    readonly bestNonPreferredAffinityCount: number,
  ) {}

  /** 0 is best: count B, then B-1 ... 1, then B+1, B+2, ... */
  rank(count: number): number {
    const B = this.bestNonPreferredAffinityCount;
    return count <= B ? B - count : B + count;
  }

  /** `a` strictly better than `b` (both non-empty). */
  precedes(a: BitMask, b: BitMask): boolean {
    const ra = this.rank(maskCount(a));
    const rb = this.rank(maskCount(b));
    if (ra !== rb) return ra < rb;
    return a !== b && maskPrecedes(this.ctx, a, b);
  }

  /** The best any non-empty subset of `x` could be. */
  boundOf(x: BitMask): Bound {
    const B = this.bestNonPreferredAffinityCount;
    const c = maskCount(x);
    // Below B the only subset of x with x's rank is x itself; smaller subsets rank worse.
    if (c <= B) return { rank: B - c, mask: x };
    const target = B >= 1 ? B : 1;
    const rank = this.rank(target);
    if (!this.ctx.preferClosestNUMA) return { rank, mask: lowestBits(x, target) };
    if (target === 1) return { rank, mask: this.closestSingleNode(x) };
    return { rank, mask: null };
  }

  /** Whether a subtree bounded by `b` may still hold something strictly better than `best`. */
  canBeat(b: Bound, best: BitMask | null): boolean {
    if (best === null) return true;
    const rb = this.rank(maskCount(best));
    if (b.rank !== rb) return b.rank < rb;
    if (b.mask === null) return true;
    return b.mask !== best && maskPrecedes(this.ctx, b.mask, best);
  }

  compareBounds(a: Bound, b: Bound): number {
    if (a.rank !== b.rank) return a.rank - b.rank;
    if (a.mask === null || b.mask === null) return (a.mask === null ? 0 : 1) - (b.mask === null ? 0 : 1);
    if (a.mask === b.mask) return 0;
    return maskPrecedes(this.ctx, a.mask, b.mask) ? -1 : 1;
  }

  private closestSingleNode(x: BitMask): BitMask {
    let best: BitMask | null = null;
    for (const bit of maskBits(x)) {
      const m = 1n << BigInt(bit);
      if (best === null || maskPrecedes(this.ctx, m, best)) best = m;
    }
    return best!;
  }
}

/** The `count` lowest set bits of x: the numerically smallest subset of that size. */
function lowestBits(x: BitMask, count: number): BitMask {
  let out = 0n;
  let rest = x;
  for (let i = 0; i < count && rest !== 0n; i++) {
    const low = rest & -rest;
    out |= low;
    rest ^= low;
  }
  return out;
}

/** The distinct non-empty masks each slot can contribute (null = default affinity), or null if a slot has none. */
function distinctSlotMasks(slots: HintSlots, defaultAffinity: BitMask): BitMask[][] | null {
  const out: BitMask[][] = [];
  for (const slot of slots) {
    const set = new Set<BitMask>();
    for (const h of slot) {
      const m = h.affinity === null ? defaultAffinity : h.affinity & defaultAffinity;
      if (m !== 0n) set.add(m);
    }
    if (set.size === 0) return null;
    out.push([...set]);
  }
  return out;
}

/** Step 3 above: the best non-empty AND of one mask per slot, or null if every AND is empty. */
export function bestAchievableAffinity(
  slots: HintSlots,
  ctx: MergeContext,
  order: NonPreferredOrder,
  strategy: FastMergeStrategy,
  searchBudget?: number,
): BitMask | null {
  const defaultAffinity = ctx.numa.defaultAffinity;
  if (defaultAffinity === 0n) return null;
  const masks = distinctSlotMasks(slots, defaultAffinity);
  if (masks === null) return null;
  if (masks.length === 0) return defaultAffinity;
  const n = maskCount(defaultAffinity);
  const transformable = n <= TRANSFORM_MAX_NODES;
  if (strategy === "transform" && transformable) return transformBest(masks, defaultAffinity, order);
  // The search is cheap when pruning works; past a budget comparable to the transform's cost it
  // hands over (bigint steps cost roughly 16 of the transform's float steps).
  const budget =
    strategy === "auto" && transformable
      ? (searchBudget ?? Math.max(4096, ((masks.length - 1) * 3 * n * 2 ** n) / 16))
      : Number.POSITIVE_INFINITY;
  const found = searchBest(masks, defaultAffinity, order, budget);
  if (found !== OVER_BUDGET) return found;
  return transformBest(masks, defaultAffinity, order);
}

const OVER_BUDGET: unique symbol = Symbol("over budget");

/**
 * Depth-first over slots with partial ANDs. A partial is first cut down to what the remaining
 * slots can still keep (the AND of their unions), so equal futures share one memo entry per
 * depth; children are visited best-bound first and pruned by their bound.
 */
function searchBest(
  masks: readonly BitMask[][],
  defaultAffinity: BitMask,
  order: NonPreferredOrder,
  budget: number,
): BitMask | null | typeof OVER_BUDGET {
  const slotCount = masks.length;
  const reachable: BitMask[] = new Array(slotCount + 1);
  reachable[slotCount] = defaultAffinity;
  for (let d = slotCount - 1; d >= 0; d--) {
    let union = 0n;
    for (const m of masks[d]) union |= m;
    reachable[d] = reachable[d + 1] & union;
  }
  const root = defaultAffinity & reachable[0];
  if (root === 0n) return null;
  const rootBound = order.boundOf(root);
  const visited = masks.map(() => new Set<BitMask>());
  let best: BitMask | null = null;
  let work = 0;

  const visit = (depth: number, partial: BitMask): boolean => {
    const options = masks[depth];
    work += options.length;
    if (work > budget) return false;
    if (depth === slotCount - 1) {
      for (const m of options) {
        const x = partial & m;
        if (x !== 0n && (best === null || order.precedes(x, best))) best = x;
      }
      return true;
    }
    const keep = reachable[depth + 1];
    const seen = visited[depth + 1];
    const children: { mask: BitMask; bound: Bound }[] = [];
    for (const m of options) {
      const x = partial & m & keep;
      if (x === 0n || seen.has(x)) continue;
      seen.add(x);
      const bound = order.boundOf(x);
      if (order.canBeat(bound, best)) children.push({ mask: x, bound });
    }
    children.sort((a, b) => order.compareBounds(a.bound, b.bound));
    for (const child of children) {
      if (!order.canBeat(rootBound, best)) return true;
      if (!order.canBeat(child.bound, best)) continue;
      if (!visit(depth + 1, child.mask)) return false;
    }
    return true;
  };

  return visit(0, root) ? best : OVER_BUDGET;
}

/**
 * Exact AND-product over the subsets of the default affinity (N = its node count <= 20):
 * compress every mask to N bits, then per slot: superset sums of "reachable so far" and of the
 * slot's masks, multiply (pairs whose AND contains X), Moebius back (pairs whose AND is exactly X).
 * Counts stay below 2^(2N) <= 2^40, exact in doubles.
 */
function transformBest(masks: readonly BitMask[][], defaultAffinity: BitMask, order: NonPreferredOrder): BitMask | null {
  const bits = maskBits(defaultAffinity);
  const n = bits.length;
  const size = 1 << n;
  const compress = (m: BitMask): number => {
    const lo = Number(m & 0xffffffffn);
    const hi = Number((m >> 32n) & 0xffffffffn);
    let x = 0;
    for (let j = 0; j < n; j++) {
      const b = bits[j];
      const bit = b < 32 ? (lo >>> b) & 1 : (hi >>> (b - 32)) & 1;
      x |= bit << j;
    }
    return x >>> 0;
  };
  const expand = (x: number): BitMask => {
    let m = 0n;
    for (let j = 0; j < n; j++) if ((x >>> j) & 1) m |= 1n << BigInt(bits[j]);
    return m;
  };
  const indicator = (list: readonly BitMask[]): Float64Array => {
    const f = new Float64Array(size);
    for (const m of list) f[compress(m)] = 1;
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
  // Compression keeps the numeric order, so the first hit is the smallest mask of the rank;
  // with distances every mask of the rank has to be compared.
  let best: BitMask | null = null;
  for (let x = 1; x < size; x++) {
    if (reach[x] === 0 || order.rank(popcount32(x)) !== bestRank) continue;
    const m = expand(x);
    if (best === null || order.precedes(m, best)) best = m;
    if (!order.ctx.preferClosestNUMA) break;
  }
  return best;
}

/** In place: f(X) += sign * f(X | bit) for every bit, i.e. superset sums (1) or their inverse (-1). */
function supersetSums(f: Float64Array, n: number, sign: 1 | -1): void {
  const size = f.length;
  for (let j = 0; j < n; j++) {
    const bit = 1 << j;
    for (let x = 0; x < size; x++) {
      if ((x & bit) === 0) f[x] += sign * f[x | bit];
    }
  }
}

function popcount32(v: number): number {
  v -= (v >>> 1) & 0x55555555;
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}
