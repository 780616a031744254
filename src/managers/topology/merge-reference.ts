import type { BitMask } from "./bitmask.js";
import {
  compareHints,
  type HintSlots,
  type MergeContext,
  type MergedHint,
  maxOfMinAffinityCounts,
} from "./compare.js";
import type { TopologyHint } from "./hint.js";

/**
 * `mergePermutation`: the AND of the default affinity and every non-null affinity; preferred only
 * if every hint is preferred and all non-null affinities are the same mask ({0}+{0,1} -> {0},
 * not preferred).
 */
export function mergePermutation(defaultAffinity: BitMask, permutation: readonly TopologyHint[]): MergedHint {
  let affinity = defaultAffinity;
  let preferred = true;
  let seen: BitMask | null = null;
  for (const h of permutation) {
    if (!h.preferred) preferred = false;
    if (h.affinity === null) continue;
    affinity &= h.affinity;
    if (seen === null) seen = h.affinity;
    else if (seen !== h.affinity) preferred = false;
  }
  return { affinity, preferred };
}

/**
 * Calls `fn` with every permutation (one hint per slot): slot 0 outermost, the last slot
 * innermost, hints in list order. An empty slot list yields one empty permutation; any empty
 * slot yields none. The array passed to `fn` is reused.
 */
export function iterateAllProviderTopologyHints(
  slots: HintSlots,
  fn: (permutation: readonly TopologyHint[]) => void,
): void {
  if (slots.some((s) => s.length === 0)) return;
  const n = slots.length;
  const idx = new Array<number>(n).fill(0);
  const perm = slots.map((s) => s[0]);
  for (;;) {
    fn(perm);
    let i = n - 1;
    while (i >= 0 && idx[i] === slots[i].length - 1) {
      idx[i] = 0;
      perm[i] = slots[i][0];
      i--;
    }
    if (i < 0) return;
    idx[i]++;
    perm[i] = slots[i][idx[i]];
  }
}

/**
 * The reference merge (§4), exactly as the kubelet runs it: every permutation of the cross
 * product, folded with `compareHints`. Exponential in the number of slots; kept for tests and
 * benchmarks of the fast merge.
 */
export function mergeHintsReference(slots: HintSlots, ctx: MergeContext): MergedHint {
  const defaultAffinity = ctx.numa.defaultAffinity;
  const B = maxOfMinAffinityCounts(slots);
  let best: MergedHint | null = null;
  iterateAllProviderTopologyHints(slots, (perm) => {
    best = compareHints(B, best, mergePermutation(defaultAffinity, perm), ctx);
  });
  return best ?? { affinity: defaultAffinity, preferred: false };
}
