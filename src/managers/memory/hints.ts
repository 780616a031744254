import type { MemoryBlock, NUMANodeMap } from "./state-data.js";
import { ManagerError } from "../../core/index.js";
import {
  type BitMask,
  BitMaskError,
  maskOf,
  MAX_TABULATED_NODES,
  popcount32,
  type TopologyHint,
} from "../topology/index.js";
import {
  bestHintContainingReference,
  calculateHintsReference,
  conflictsWithGroups,
  defaultHintReference,
  extendedHintReference,
} from "./hints.reference.js";
import { narrowestListedHint } from "./hints-narrowest.js";
import { HintProblem } from "./hints-problem.js";
import type { MemoryHints, ReusableLookup } from "./hints-types.js";
import { searchBestHint, UNDECIDED } from "./hints-search.js";
import { memoryHintSettings } from "./hints-settings.js";
import { tabulatedFoundMasks } from "./hints-table.js";
import { MEMORY } from "./machine-state.js";
import { maskIds } from "./mask-ids.js";
import type { ResourceRequest } from "./requests.js";
import { u64 } from "./u64.js";

export { findBestHint } from "./hints.reference.js";
export { type MemoryHints, NO_REUSE, type ReusableLookup } from "./hints-types.js";

export const ERR_DEFAULT_AFFINITY =
  "[memorymanager] failed to get the default NUMA affinity, no NUMA nodes with enough memory is available";
export const ERR_DEFAULT_PREFERRED = "[memorymanager] failed to find the default preferred hint";
export const ERR_EXTEND = "[memorymanager] failed to find NUMA nodes to extend the current topology hint";
export const ERR_EXTENDED_PREFERRED = "[memorymanager] failed to find the extended preferred hint";
export const ERR_GROUP_RULE = "[memorymanager] preferred hint violates NUMA node allocation";

/** The same list of hints under every requested resource (one hint object per resource and mask). */
function hintsFor(
  request: ResourceRequest,
  masks: readonly BitMask[],
  preferred: readonly boolean[],
): MemoryHints {
  const hints: MemoryHints = new Map();
  if (masks.length === 0) return hints;
  for (const resource of request.keys()) {
    hints.set(
      resource,
      masks.map((affinity, i) => ({ affinity, preferred: preferred[i] })),
    );
  }
  return hints;
}

/** Every listed mask, from the tables (or mask by mask beyond what tables hold). */
function fullHints(ms: NUMANodeMap, request: ResourceRequest, reusable: ReusableLookup): MemoryHints {
  const problem = new HintProblem(ms, request, reusable);
  if (problem.nodeCount > MAX_TABULATED_NODES) return calculateHintsReference(ms, request, reusable);
  const { found, minAffinitySize } = tabulatedFoundMasks(problem);
  return hintsFor(
    request,
    found.map((p) => problem.positions.toMask(p)),
    found.map((p) => popcount32(p) === minAffinitySize),
  );
}

/**
 * The best hint (`findBestHint`) among the listed masks that hold every node of `base`, or null.
 * Walked narrowest first on small machines, searched by mask size on larger ones, read from the
 * full table where neither can tell exactly.
 */
function bestHintContaining(
  ms: NUMANodeMap,
  request: ResourceRequest,
  reusable: ReusableLookup,
  base: BitMask,
): TopologyHint | null {
  if (request.size === 0) return null;
  if (memoryHintSettings.narrowestWalk) {
    const walked = narrowestListedHint(ms, request, reusable, base);
    if (walked !== UNDECIDED) return walked;
  }
  const problem = new HintProblem(ms, request, reusable);
  if (problem.nodeCount > memoryHintSettings.searchAboveNodes) {
    const searched = searchBestHint(problem, base);
    if (searched !== UNDECIDED) return searched;
  }
  if (problem.nodeCount > MAX_TABULATED_NODES)
    return bestHintContainingReference(ms, request, reusable, base);
  const { found, minAffinitySize } = tabulatedFoundMasks(problem);
  const basePositions = problem.positions.fromMask(base);
  if (basePositions < 0) return null;
  // Position masks order like NUMA masks, so the narrowest is the smallest (count, value).
  let best = -1;
  for (const p of found) {
    if ((p & basePositions) !== basePositions) continue;
    if (best < 0 || popcount32(p) < popcount32(best) || (popcount32(p) === popcount32(best) && p < best))
      best = p;
  }
  if (best < 0) return null;
  return { affinity: problem.positions.toMask(best), preferred: popcount32(best) === minAffinitySize };
}

/**
 * The single-node hints of the full list; when it has none, its best hint alone; when it is
 * empty, the empty map. `single-numa-node` keeps only preferred single-node hints, and a list of
 * multi-node hints filters to nothing just like the best one alone, so the merge and the verdict
 * are those of the full list (topology-manager.md §5), without listing 2^N masks.
 */
function singleNUMANodeHints(
  ms: NUMANodeMap,
  request: ResourceRequest,
  reusable: ReusableLookup,
): MemoryHints {
  if (request.size === 0) return new Map();
  const problem = new HintProblem(ms, request, reusable);
  const singles: BitMask[] = [];
  for (let i = 0; i < problem.nodeCount; i++) {
    const mask = problem.positions.maskAt(i);
    if (problem.isFound(mask, [i])) singles.push(mask);
  }
  // A listed single node fits by itself, so then minAffinitySize is 1 and every single is preferred.
  if (singles.length > 0)
    return hintsFor(
      request,
      singles,
      singles.map(() => true),
    );
  const best = bestHintContaining(ms, request, reusable, 0n);
  return best === null ? new Map() : hintsFor(request, [best.affinity!], [best.preferred]);
}

/**
 * `calculateHints` (memory-manager.md §4): one hint per NUMA mask (in `IterateBitMasks` order)
 * that fits the allocatable memory, keeps the group rules and fits the free plus reusable memory;
 * the narrowest masks by allocatable memory are preferred. The minimum affinity size is lowered
 * before the availability checks, so a node that could hold the request when empty keeps wider
 * masks non-preferred. When no mask fits the answer is an empty map (MM-3): the Topology Manager
 * reads it as "no preference" and `Allocate` rejects the pod later. The list equals the
 * reference's (hints.reference.ts); with `singleNUMANodePolicy` (the Topology Manager runs
 * `single-numa-node`) on a machine of many NUMA nodes (hints-settings.ts) only the part that
 * policy looks at is listed.
 */
/** Whether `single-numa-node` gets only the single-node part of the list on `nodes` NUMA nodes. */
export function useSingleNodeHints(nodes: number): boolean {
  return memoryHintSettings.singleNUMAFastPath && nodes > memoryHintSettings.singleNUMAFastPathAboveNodes;
}

export function calculateHints(
  ms: NUMANodeMap,
  request: ResourceRequest,
  reusable: ReusableLookup,
  singleNUMANodePolicy = false,
): MemoryHints {
  if (memoryHintSettings.enumeration === "reference") return calculateHintsReference(ms, request, reusable);
  if (singleNUMANodePolicy && useSingleNodeHints(ms.size)) return singleNUMANodeHints(ms, request, reusable);
  return fullHints(ms, request, reusable);
}

/** Σ free over the mask (modulo 2^64) covers every resource of the request; reuse not counted. */
export function affinitySatisfiesRequest(ms: NUMANodeMap, mask: BitMask, request: ResourceRequest): boolean {
  const bits = maskIds(mask);
  for (const [resource, size] of request) {
    let free = 0n;
    for (const id of bits) free += ms.get(id)?.memoryMap.get(resource)?.free ?? 0n;
    // The exact sum wrapped once is the uint64 sum: wrapping modulo 2^64 commutes with addition.
    if (u64(free) < size) return false;
  }
  return true;
}

/** The group rule (memory-manager.md §5 step 5); single-node masks always pass. */
export function violatesNUMAAllocations(ms: NUMANodeMap, mask: BitMask): boolean {
  return conflictsWithGroups(ms, maskIds(mask));
}

/**
 * The default hint when the Topology Manager stored none. The kubelet reads only the `memory`
 * list ("hints for all memory types should be the same"); a request without `memory` (hugepages
 * only, which a Guaranteed container cannot have) would crash it, so podpin reads the first
 * resource's list instead. Every list holds the same masks, so this is the best listed mask.
 */
function defaultHint(
  ms: NUMANodeMap,
  request: ResourceRequest,
  reusable: ReusableLookup,
): TopologyHint | null {
  if (memoryHintSettings.enumeration === "reference") return defaultHintReference(ms, request, reusable);
  return bestHintContaining(ms, request, reusable, 0n);
}

/** The narrowest best `memory` hint holding every node of `mask` (the kubelet reads only `memory`). */
function extendedHint(
  ms: NUMANodeMap,
  request: ResourceRequest,
  reusable: ReusableLookup,
  mask: BitMask,
): TopologyHint | null {
  if (memoryHintSettings.enumeration === "reference")
    return extendedHintReference(ms, request, reusable, mask);
  return request.has(MEMORY) ? bestHintContaining(ms, request, reusable, mask) : null;
}

/**
 * The NUMA mask an allocation uses (memory-manager.md §5 steps 3–5, pod-level.md §2.6 step 5): the
 * Topology Manager's hint, or the default hint when it holds no affinity; extended when its free
 * memory cannot hold the request; then checked against the group rule.
 */
export function chooseAffinity(
  ms: NUMANodeMap,
  tmHint: TopologyHint,
  request: ResourceRequest,
  reusable: ReusableLookup,
): BitMask | ManagerError {
  let best = tmHint;
  if (best.affinity === null) {
    const d = defaultHint(ms, request, reusable);
    if (d === null) return new ManagerError(ERR_DEFAULT_AFFINITY);
    if (!d.preferred && best.preferred) return new ManagerError(ERR_DEFAULT_PREFERRED);
    best = d;
  }
  if (best.affinity === null) return new ManagerError(ERR_DEFAULT_AFFINITY);
  if (!affinitySatisfiesRequest(ms, best.affinity, request)) {
    const e = extendedHint(ms, request, reusable, best.affinity);
    if (e === null) return new ManagerError(ERR_EXTEND);
    if (!e.preferred && best.preferred) return new ManagerError(ERR_EXTENDED_PREFERRED);
    best = e;
  }
  if (best.affinity === null || violatesNUMAAllocations(ms, best.affinity))
    return new ManagerError(ERR_GROUP_RULE);
  return best.affinity;
}

/**
 * `regenerateHints`: after a restart, a container (or pod) that already holds blocks gets back one
 * preferred hint per resource, the blocks' own mask; null (no preference) when the blocks no longer
 * match the request in number, types or sizes.
 */
export function regenerateHints(
  blocks: readonly MemoryBlock[],
  request: ResourceRequest,
): MemoryHints | null {
  const hints: MemoryHints = new Map();
  for (const resource of request.keys()) hints.set(resource, []);
  if (blocks.length !== request.size) return null;
  for (const b of blocks) {
    const size = request.get(b.type);
    if (size === undefined || size !== b.size) return null;
    let affinity: BitMask;
    try {
      affinity = maskOf(...b.numaAffinity);
    } catch (err) {
      if (err instanceof BitMaskError) return null;
      throw err;
    }
    hints.get(b.type)!.push({ affinity, preferred: true });
  }
  return hints;
}
