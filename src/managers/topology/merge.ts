import type { HintSlots, MergeContext, MergedHint } from "./compare.js";
import { familyHints } from "./family-listing.js";
import type { ProviderHints, TopologyHint } from "./hint.js";
import { HintFamily, type HintList, type ProviderAnswer } from "./hint-family.js";
import type { HintSource } from "./implicit-slots.js";
import { type FastMergeStrategy, mergeHintsFast } from "./merge-fast.js";
import { mergeImplicit } from "./merge-implicit.js";
import { mergeHintsReference } from "./merge-reference.js";
import { mergeSmall } from "./merge-small.js";

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
export type { HintSource } from "./implicit-slots.js";
export { mergeImplicit } from "./merge-implicit.js";
export { iterateAllProviderTopologyHints, mergeHintsReference, mergePermutation } from "./merge-reference.js";
export { mergeSmall, SMALL_MERGE_MAX_NODES } from "./merge-small.js";

/**
 * Which merge implementation runs. `fast` (the default) merges lists with the fast merge and
 * slots holding hint families with the implicit merge; `reference` enumerates every permutation
 * of the lists (families listed first); `implicit` runs the implicit merge on lists too (tests).
 */
export type MergeImplementation = "fast" | "reference" | "implicit";

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
 * `filterProvidersHints` over answers that may hold hint families: a family stays one slot (an
 * empty family, like an empty list, becomes `[{null, not preferred}]`).
 */
export function filterProviderAnswers(answers: readonly ProviderAnswer[]): HintSource[] {
  const slots: HintSource[] = [];
  for (const answer of answers) {
    if (answer === null || answer.size === 0) {
      slots.push([NO_PREFERENCE]);
      continue;
    }
    // Most answers name one resource: nothing to sort.
    if (answer.size === 1) for (const hints of answer.values()) slots.push(answerSlot(hints));
    else for (const resource of [...answer.keys()].sort(byName)) slots.push(answerSlot(answer.get(resource)));
  }
  return slots;
}

/** One resource's slot. A non-empty list is the slot itself: the merges only read their slots. */
function answerSlot(hints: HintList | null | undefined): HintSource {
  if (hints === null || hints === undefined) return [NO_PREFERENCE];
  if (hints instanceof HintFamily) return hints.isEmpty ? [UNSATISFIABLE] : hints;
  return hints.length === 0 ? [UNSATISFIABLE] : hints;
}

/** Every family of the slots listed (what the providers' explicit answers hold). */
export function listHintSources(slots: readonly HintSource[]): (readonly TopologyHint[])[] {
  return slots.map((s) => (s instanceof HintFamily ? familyHints(s) : s));
}

/**
 * The merge of §4 over slots that may hold hint families: on a machine of a few NUMA nodes the
 * table merge (merge-small.ts); else the implicit merge where it decides (families present, or
 * `implicit` asked for), else the families listed and the lists merged.
 */
export function mergeHintSources(
  slots: readonly HintSource[],
  ctx: MergeContext,
  implementation: MergeImplementation = "fast",
  strategy: FastMergeStrategy = "auto",
): MergedHint {
  if (implementation === "fast") {
    const small = mergeSmall(slots, ctx);
    if (small !== null) return small;
  }
  const families = slots.some((s) => s instanceof HintFamily);
  if (implementation === "implicit" || (implementation === "fast" && families)) {
    const merged = mergeImplicit(slots, ctx);
    if (merged !== null) return merged;
  }
  const lists = families ? listHintSources(slots) : (slots as HintSlots);
  return mergeHints(lists, ctx, implementation === "reference" ? "reference" : "fast", strategy);
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
  if (implementation === "implicit") return mergeImplicit(slots, ctx) ?? mergeHintsFast(slots, ctx, strategy);
  return implementation === "reference"
    ? mergeHintsReference(slots, ctx)
    : mergeHintsFast(slots, ctx, strategy);
}
