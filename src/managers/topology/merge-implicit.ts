import { maskCount } from "./bitmask.js";
import { findNarrowestHint, type MergeContext, type MergedHint } from "./compare.js";
import { HintFamily } from "./hint-family.js";
import { type HintSource, mergeModel } from "./implicit-slots.js";
import { bestNonPreferredAffinity } from "./merge-implicit-nonpreferred.js";
import { bestPreferredAffinity } from "./merge-implicit-preferred.js";

/*
 * The merge of topology-manager.md §4 over slots that may be hint families (hint-family.ts),
 * without listing them. It returns the hint of the reference fold for the lists the families
 * stand for (checked against the list merges by the differential tests); like the fast merge it
 * relies on the fold being the minimum of a strict order over the merged hints (merge-fast.ts):
 * the best preferred affinity if a preferred permutation is non-empty, else the best non-empty
 * AND under the non-preferred order.
 */

/**
 * The merged hint, or null when this input is outside what the implicit merge decides exactly
 * (implicit-slots.ts); the caller then lists the families and merges the lists.
 */
export function mergeImplicit(sources: readonly HintSource[], ctx: MergeContext): MergedHint | null {
  const D = ctx.numa.defaultAffinity;
  if (sources.some((s) => !(s instanceof HintFamily) && s.length === 0))
    return { affinity: D, preferred: false };
  const model = mergeModel(sources, ctx);
  if (model === null) return null;
  const preferred = bestPreferredAffinity(model, ctx);
  if (preferred !== null) return { affinity: preferred, preferred: true };
  let B = 0;
  for (const slot of model.slots) {
    if (slot.kind === "family") B = Math.max(B, slot.narrowest());
    else {
      const narrowest = findNarrowestHint(slot.hints);
      if (narrowest !== null) B = Math.max(B, maskCount(narrowest.affinity!));
    }
  }
  const best = bestNonPreferredAffinity(model, ctx, B);
  return { affinity: best ?? D, preferred: false };
}
