import type { NUMANodeMap } from "./state-data.js";
import { type BitMask, iterateBitMasks, maskBits, maskCount, type TopologyHint } from "../topology/index.js";
import type { MemoryHints, ReusableLookup } from "./hints-types.js";
import { groupsEqual, MEMORY, numaNodeIds } from "./machine-state.js";
import type { ResourceRequest } from "./requests.js";
import { addU64 } from "./u64.js";

/** Σ of one field of one resource over the nodes, modulo 2^64 (memory-manager.md §1). */
export function sumOver(
  ms: NUMANodeMap,
  bits: readonly number[],
  resource: string,
  field: "free" | "allocatable",
): bigint {
  let sum = 0n;
  for (const id of bits) sum = addU64(sum, ms.get(id)?.memoryMap.get(resource)?.[field] ?? 0n);
  return sum;
}

/**
 * A multi-node mask may only use nodes that are unused or already grouped exactly as this mask:
 * a node used alone, or by another group, cannot join it (memory-manager.md §4 step 4, §5 step 5).
 */
export function conflictsWithGroups(ms: NUMANodeMap, bits: readonly number[]): boolean {
  if (bits.length === 1) return false;
  for (const id of bits) {
    const node = ms.get(id);
    if (!node || node.numberOfAssignments === 0) continue;
    if ((node.cells?.length ?? 0) === 1) return true;
    if (!groupsEqual(node.cells, bits)) return true;
  }
  return false;
}

/**
 * `calculateHints` (memory-manager.md §4) written as the rule reads, mask by mask. The minimum
 * affinity size is lowered before the availability checks, so a node that could hold the request
 * when empty keeps wider masks non-preferred. When no mask fits the answer is an empty map (MM-3).
 * Kept as the reference the tabulated implementation (hints.ts) is checked and benchmarked against.
 */
export function calculateHintsReference(
  ms: NUMANodeMap,
  request: ResourceRequest,
  reusable: ReusableLookup,
): MemoryHints {
  const nodes = numaNodeIds(ms);
  let minAffinitySize = nodes.length;
  const found: BitMask[] = [];
  iterateBitMasks(nodes, (mask): undefined => {
    const bits = maskBits(mask);
    for (const [resource, size] of request) {
      if (sumOver(ms, bits, resource, "allocatable") < size) return;
    }
    minAffinitySize = Math.min(minAffinitySize, bits.length);
    if (bits.length === 1 && (ms.get(bits[0])?.cells?.length ?? 0) > 1) return;
    if (conflictsWithGroups(ms, bits)) return;
    for (const [resource, size] of request) {
      if (addU64(sumOver(ms, bits, resource, "free"), reusable(mask, resource)) < size) return;
    }
    found.push(mask);
  });
  const hints: MemoryHints = new Map();
  if (found.length === 0) return hints;
  for (const resource of request.keys()) {
    hints.set(
      resource,
      found.map((affinity) => ({ affinity, preferred: maskCount(affinity) === minAffinitySize })),
    );
  }
  return hints;
}

/** `findBestHint`: the first hint, replaced by a preferred one, or by a narrower one of equal preference. */
export function findBestHint(hints: readonly TopologyHint[]): TopologyHint {
  let best: TopologyHint = { affinity: null, preferred: false };
  for (const h of hints) {
    if (best.affinity === null) {
      best = h;
      continue;
    }
    if (h.preferred && !best.preferred) {
      best = h;
      continue;
    }
    if (h.preferred === best.preferred && h.affinity !== null && isNarrower(h.affinity, best.affinity))
      best = h;
  }
  return best;
}

function isNarrower(a: BitMask, b: BitMask): boolean {
  const ca = maskCount(a);
  const cb = maskCount(b);
  return ca !== cb ? ca < cb : a < b;
}

/** The kubelet's default hint, from the reference lists (`memory`, else the first resource's). */
export function defaultHintReference(
  ms: NUMANodeMap,
  request: ResourceRequest,
  reusable: ReusableLookup,
): TopologyHint | null {
  const hints = calculateHintsReference(ms, request, reusable);
  if (hints.size === 0) return null;
  return findBestHint(hints.get(MEMORY) ?? hints.values().next().value ?? []);
}

/** The kubelet's extended hint, from the reference `memory` list. */
export function extendedHintReference(
  ms: NUMANodeMap,
  request: ResourceRequest,
  reusable: ReusableLookup,
  mask: BitMask,
): TopologyHint | null {
  const hints = calculateHintsReference(ms, request, reusable).get(MEMORY) ?? [];
  const containing = hints.filter((h) => h.affinity !== null && (h.affinity & mask) === mask);
  return containing.length === 0 ? null : findBestHint(containing);
}

/**
 * The best hint (by `findBestHint`) of the reference lists among the masks holding every node of
 * `base`; null when there is none. The lists of all resources are the same, so any one is read.
 */
export function bestHintContainingReference(
  ms: NUMANodeMap,
  request: ResourceRequest,
  reusable: ReusableLookup,
  base: BitMask,
): TopologyHint | null {
  const list: TopologyHint[] = calculateHintsReference(ms, request, reusable).values().next().value ?? [];
  const containing = list.filter((h) => h.affinity !== null && (h.affinity & base) === base);
  return containing.length === 0 ? null : findBestHint(containing);
}
