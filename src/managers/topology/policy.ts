import { maskCount } from "./bitmask.js";
import type { MergeContext } from "./compare.js";
import type { TopologyHint } from "./hint.js";
import { HintFamily, type ProviderAnswer } from "./hint-family.js";
import type { HintSource } from "./implicit-slots.js";
import { filterProviderAnswers, type MergeImplementation, mergeHintSources } from "./merge.js";
import type { FastMergeStrategy } from "./merge-fast.js";
import type { NUMAInfo } from "./numa-info.js";
import type { TopologyPolicyOptions } from "./options.js";

export const TOPOLOGY_POLICY_NAMES = ["none", "best-effort", "restricted", "single-numa-node"] as const;
export type TopologyPolicyName = (typeof TOPOLOGY_POLICY_NAMES)[number];

export function isTopologyPolicyName(name: string): name is TopologyPolicyName {
  return (TOPOLOGY_POLICY_NAMES as readonly string[]).includes(name);
}

/** A policy's verdict on the providers' answers: the best hint and whether the pod may be admitted. */
export interface PolicyMergeResult {
  hint: TopologyHint;
  admit: boolean;
}

/** Topology Manager policy (§5): merges the providers' answers and decides admission. */
export interface TopologyPolicy {
  readonly name: TopologyPolicyName;
  merge(providersHints: readonly ProviderAnswer[]): PolicyMergeResult;
}

/** Which merge implementation a policy runs (tests compare the reference with the fast one). */
export interface MergeSettings {
  implementation: MergeImplementation;
  strategy: FastMergeStrategy;
}

export const DEFAULT_MERGE_SETTINGS: Readonly<MergeSettings> = { implementation: "fast", strategy: "auto" };

/** `IsAlignmentGuaranteed`: only single-numa-node promises NUMA alignment (feeds the metrics). */
export function alignmentGuaranteed(policy: Pick<TopologyPolicy, "name">): boolean {
  return policy.name === "single-numa-node";
}

/**
 * `filterSingleNumaHints`: keep only preferred hints whose affinity is null or exactly one node.
 * A slot may end up empty, which empties the cross product.
 */
export function filterSingleNumaHints(slots: readonly (readonly TopologyHint[])[]): TopologyHint[][] {
  return slots.map((slot) =>
    slot.filter((h) => h.preferred && (h.affinity === null || maskCount(h.affinity) === 1)),
  );
}

/** `filterSingleNumaHints` over slots that may be families: a family keeps its preferred single nodes. */
export function filterSingleNumaSources(slots: readonly HintSource[]): TopologyHint[][] {
  return slots.map((slot) =>
    slot instanceof HintFamily
      ? slot.preferredSingles()
      : slot.filter((h) => h.preferred && (h.affinity === null || maskCount(h.affinity) === 1)),
  );
}

/**
 * Builds one of the four policies. `none` never looks at hints; `best-effort` always admits;
 * `restricted` admits preferred hints only; `single-numa-node` merges single-node hints without
 * the distance tie-break and reports an all-nodes result as a null affinity.
 */
export function createPolicy(
  name: TopologyPolicyName,
  numa: NUMAInfo,
  options: TopologyPolicyOptions,
  settings: Readonly<MergeSettings> = DEFAULT_MERGE_SETTINGS,
): TopologyPolicy {
  const merge = (slots: readonly HintSource[], ctx: MergeContext) =>
    mergeHintSources(slots, ctx, settings.implementation, settings.strategy);
  const ctx: MergeContext = { numa, preferClosestNUMA: options.preferClosestNUMA };
  switch (name) {
    case "none":
      return { name, merge: () => ({ hint: { affinity: null, preferred: false }, admit: true }) };
    case "best-effort":
      return {
        name,
        merge: (answers) => ({ hint: merge(filterProviderAnswers(answers), ctx), admit: true }),
      };
    case "restricted":
      return {
        name,
        merge: (answers) => {
          const hint = merge(filterProviderAnswers(answers), ctx);
          return { hint, admit: hint.preferred };
        },
      };
    case "single-numa-node": {
      const singleCtx: MergeContext = { numa, preferClosestNUMA: false };
      return {
        name,
        merge: (answers) => {
          const merged = merge(filterSingleNumaSources(filterProviderAnswers(answers)), singleCtx);
          const hint: TopologyHint =
            merged.affinity === numa.defaultAffinity
              ? { affinity: null, preferred: merged.preferred }
              : merged;
          return { hint, admit: hint.preferred };
        },
      };
    }
  }
}
