import type { HintSlots, MergeContext, MergedHint } from "./compare.js";
import type { ProviderHints, TopologyHint } from "./hint.js";
import { type FastMergeStrategy, mergeHintsFast } from "./merge-fast.js";
import { mergeHintsReference } from "./merge-reference.js";

export {
  compareHints,
  compareMasks,
  findNarrowestHint,
  type HintSlots,
  type MergeContext,
  type MergedHint,
  maskPrecedes,
  maxOfMinAffinityCounts,
} from "./compare.js";
export { type FastMergeStrategy, mergeHintsFast } from "./merge-fast.js";
export { iterateAllProviderTopologyHints, mergeHintsReference, mergePermutation } from "./merge-reference.js";

/** Which merge implementation runs: the fast one by default, the reference for comparisons. */
export type MergeImplementation = "fast" | "reference";

const NO_PREFERENCE: TopologyHint = { affinity: null, preferred: true };
const UNSATISFIABLE: TopologyHint = { affinity: null, preferred: false };

function byName(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * `filterProvidersHints` (§3): one slot per provider answer or per resource of an answer. A null
 * or empty answer and a null list mean "no preference" (`[{null, preferred}]`); an empty list
 * means "cannot be satisfied" (`[{null, not preferred}]`). Resources are taken in sorted order
 * (the kubelet's is Go map order; the merge result does not depend on it).
 */
export function filterProvidersHints(providersHints: readonly ProviderHints[]): TopologyHint[][] {
  const slots: TopologyHint[][] = [];
  for (const answer of providersHints) {
    if (answer === null || answer.size === 0) {
      slots.push([NO_PREFERENCE]);
      continue;
    }
    for (const resource of [...answer.keys()].sort(byName)) {
      const hints = answer.get(resource) ?? null;
      if (hints === null) slots.push([NO_PREFERENCE]);
      else if (hints.length === 0) slots.push([UNSATISFIABLE]);
      else slots.push([...hints]);
    }
  }
  return slots;
}

/**
 * The hint merge of §4 over already filtered slots. The fast merge is the default and returns the
 * same hint as the reference enumeration for every input (checked by tests on both).
 */
export function mergeHints(
  slots: HintSlots,
  ctx: MergeContext,
  implementation: MergeImplementation = "fast",
  strategy: FastMergeStrategy = "auto",
): MergedHint {
  return implementation === "reference"
    ? mergeHintsReference(slots, ctx)
    : mergeHintsFast(slots, ctx, strategy);
}
