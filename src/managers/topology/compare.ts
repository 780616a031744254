import { type BitMask, maskCount, maskIsNarrowerThan } from "./bitmask.js";
import type { TopologyHint } from "./hint.js";
import type { NUMAInfo } from "./numa-info.js";

/** What the merge needs to know besides the hints (topology-manager.md §4). */
export interface MergeContext {
  /** The machine's NUMA nodes: default affinity and distances. */
  readonly numa: NUMAInfo;
  /** `prefer-closest-numa-nodes`; the single-numa-node policy always passes false. */
  readonly preferClosestNUMA: boolean;
}

/** A merged hint always carries a mask (null affinities become the default affinity). */
export interface MergedHint extends TopologyHint {
  affinity: BitMask;
}

/** One hint list per resource, as `filterProvidersHints` produces them. */
export type HintSlots = readonly (readonly TopologyHint[])[];

/**
 * True when `candidate` beats `current` in `compareMasks` (masks assumed different): the narrower
 * mask; with `prefer-closest-numa-nodes`, equal counts are decided by the smaller average
 * distance and then by the numerically smaller mask.
 */
export function maskPrecedes(ctx: MergeContext, candidate: BitMask, current: BitMask): boolean {
  if (!ctx.preferClosestNUMA) return maskIsNarrowerThan(candidate, current);
  const cc = maskCount(candidate);
  const cb = maskCount(current);
  if (cc !== cb) return cc < cb;
  const dc = ctx.numa.averageDistance(candidate);
  const db = ctx.numa.averageDistance(current);
  if (dc === db) return candidate < current;
  return dc < db;
}

/** `compareMasks`: identical masks keep `current`; otherwise the one `maskPrecedes` picks. */
export function compareMasks<H extends MergedHint>(ctx: MergeContext, current: H, candidate: H): H {
  if (candidate.affinity === current.affinity) return current;
  return maskPrecedes(ctx, candidate.affinity, current.affinity) ? candidate : current;
}

/**
 * One step of the merge fold (§4 step 4): returns `current` or `candidate` itself (by identity),
 * or null when there is no current best and the candidate is empty.
 */
export function compareHints<H extends MergedHint>(
  bestNonPreferredAffinityCount: number,
  current: H | null,
  candidate: H,
  ctx: MergeContext,
): H | null {
  if (maskCount(candidate.affinity) === 0) return current;
  if (current === null) return candidate;
  if (!current.preferred && candidate.preferred) return candidate;
  if (current.preferred && !candidate.preferred) return current;
  if (current.preferred && candidate.preferred) return compareMasks(ctx, current, candidate);

  // Both non-preferred: creep towards the widest "narrowest hint" of any resource (B) from below,
  // never above it once a count of at most B was found.
  const B = bestNonPreferredAffinityCount;
  const c = maskCount(current.affinity);
  const k = maskCount(candidate.affinity);
  if (c > B) return compareMasks(ctx, current, candidate);
  if (c === B) return k === B ? compareMasks(ctx, current, candidate) : current;
  if (k > B) return current;
  if (k === B) return candidate;
  if (k > c) return candidate;
  if (k < c) return current;
  return compareMasks(ctx, current, candidate);
}

/** `findNarrowestHint`: the first narrowest non-null affinity of a list, or null. */
export function findNarrowestHint(hints: readonly TopologyHint[]): TopologyHint | null {
  let narrowest: TopologyHint | null = null;
  for (const h of hints) {
    if (h.affinity === null) continue;
    if (narrowest === null || maskIsNarrowerThan(h.affinity, narrowest.affinity!)) narrowest = h;
  }
  return narrowest;
}

/** `maxOfMinAffinityCounts`: B, the largest bit count among the slots' narrowest hints (0 if none). */
export function maxOfMinAffinityCounts(slots: HintSlots): number {
  let max = 0;
  for (const slot of slots) {
    const narrowest = findNarrowestHint(slot);
    if (narrowest !== null) max = Math.max(max, maskCount(narrowest.affinity!));
  }
  return max;
}
