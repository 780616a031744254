import { after, before } from "node:test";
import fc from "fast-check";
import type { ProviderHints, TopologyHint } from "./hint.js";
import { NUMAInfo } from "./numa-info.js";
import { createPolicy, type TopologyPolicy } from "./policy.js";

/**
 * Scaffolding shared by the hint providers' property tests (CPU, Memory and Device Managers): the
 * answer of another provider to merge beside the one under test, the single-numa-node policy they
 * merge under, and the fast-path threshold lowered for a whole suite. Test-only: nothing in the
 * engine imports this file.
 */

/**
 * A random answer of another provider (`resource`) over the nodes `ids`: no answer, an empty list,
 * or up to `maxHints` hints over non-empty subsets of the nodes.
 */
export function otherProviderAnswerArb(
  ids: readonly number[],
  resource: string,
  maxHints = 5,
): fc.Arbitrary<ProviderHints> {
  return fc.oneof(
    fc.constant(null),
    fc.constant(new Map([[resource, []]])),
    fc
      .array(fc.record({ nodes: fc.subarray([...ids], { minLength: 1 }), preferred: fc.boolean() }), {
        maxLength: maxHints,
      })
      .map((hs) => {
        const list: TopologyHint[] = hs.map((h) => ({
          affinity: h.nodes.reduce((m, id) => m | (1n << BigInt(id)), 0n),
          preferred: h.preferred,
        }));
        return new Map([[resource, list]]);
      }),
  );
}

/** The single-numa-node policy over the nodes `ids` (no distances, up to 64 nodes). */
export function singleNumaNodePolicy(ids: readonly number[]): TopologyPolicy {
  return createPolicy("single-numa-node", NUMAInfo.withoutDistances(ids), {
    preferClosestNUMA: false,
    maxAllowableNUMANodes: 64,
  });
}

/**
 * Lowers a provider's single-numa-node fast-path threshold to 0 for the enclosing suite (restored
 * after it), so that single-node answers are tested on every machine size, not only above the
 * default threshold.
 */
export function fastPathOnEveryMachineSize(settings: { singleNUMAFastPathAboveNodes: number }): void {
  const threshold = settings.singleNUMAFastPathAboveNodes;
  before(() => {
    settings.singleNUMAFastPathAboveNodes = 0;
  });
  after(() => {
    settings.singleNUMAFastPathAboveNodes = threshold;
  });
}
