import type { MemoryBlock, NUMANodeMap } from "../../checkpoint/state-types.js";
import { ManagerError } from "../../core/errors.js";
import {
  type BitMask,
  BitMaskError,
  iterateBitMasks,
  maskBits,
  maskCount,
  maskOf,
} from "../topology/bitmask.js";
import type { TopologyHint } from "../topology/hint.js";
import { groupsEqual, MEMORY, numaNodeIds } from "./machine-state.js";
import type { ResourceRequest } from "./requests.js";
import { addU64 } from "./u64.js";

/** Memory of the pod's finished standard init containers that a later container may take over. */
export type ReusableLookup = (mask: BitMask, resource: string) => bigint;

export const NO_REUSE: ReusableLookup = () => 0n;

/** Resource -> hints, as the Memory Manager answers the Topology Manager. */
export type MemoryHints = Map<string, TopologyHint[]>;

export const ERR_DEFAULT_AFFINITY =
  "[memorymanager] failed to get the default NUMA affinity, no NUMA nodes with enough memory is available";
export const ERR_DEFAULT_PREFERRED = "[memorymanager] failed to find the default preferred hint";
export const ERR_EXTEND = "[memorymanager] failed to find NUMA nodes to extend the current topology hint";
export const ERR_EXTENDED_PREFERRED = "[memorymanager] failed to find the extended preferred hint";
export const ERR_GROUP_RULE = "[memorymanager] preferred hint violates NUMA node allocation";

function sumOver(ms: NUMANodeMap, bits: readonly number[], resource: string, field: "free" | "allocatable") {
  let sum = 0n;
  for (const id of bits) sum = addU64(sum, ms.get(id)?.memoryMap.get(resource)?.[field] ?? 0n);
  return sum;
}

/**
 * A multi-node mask may only use nodes that are unused or already grouped exactly as this mask:
 * a node used alone, or by another group, cannot join it (memory-manager.md §4 step 4, §5 step 5).
 */
function conflictsWithGroups(ms: NUMANodeMap, bits: readonly number[]): boolean {
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
 * `calculateHints` (memory-manager.md §4). The minimum affinity size is lowered before the
 * availability checks, so a node that could hold the request when empty keeps wider masks
 * non-preferred. When no mask fits the answer is an empty map (MM-3): the Topology Manager reads it
 * as "no preference" and `Allocate` rejects the pod later.
 */
export function calculateHints(
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

/** Σ free over the mask (modulo 2^64) covers every resource of the request; reuse not counted. */
export function affinitySatisfiesRequest(ms: NUMANodeMap, mask: BitMask, request: ResourceRequest): boolean {
  const bits = maskBits(mask);
  for (const [resource, size] of request) {
    if (sumOver(ms, bits, resource, "free") < size) return false;
  }
  return true;
}

/** The group rule (memory-manager.md §5 step 5); single-node masks always pass. */
export function violatesNUMAAllocations(ms: NUMANodeMap, mask: BitMask): boolean {
  return conflictsWithGroups(ms, maskBits(mask));
}

/**
 * The default hint when the Topology Manager stored none. The kubelet reads only the `memory`
 * list ("hints for all memory types should be the same"); a request without `memory` (hugepages
 * only, which a Guaranteed container cannot have) would crash it, so podpin reads the first
 * resource's list instead.
 */
function defaultHint(
  ms: NUMANodeMap,
  request: ResourceRequest,
  reusable: ReusableLookup,
): TopologyHint | null {
  const hints = calculateHints(ms, request, reusable);
  if (hints.size === 0) return null;
  return findBestHint(hints.get(MEMORY) ?? hints.values().next().value ?? []);
}

/** The narrowest best `memory` hint holding every node of `mask` (the kubelet reads only `memory`). */
function extendedHint(
  ms: NUMANodeMap,
  request: ResourceRequest,
  reusable: ReusableLookup,
  mask: BitMask,
): TopologyHint | null {
  const hints = calculateHints(ms, request, reusable).get(MEMORY) ?? [];
  const containing = hints.filter((h) => h.affinity !== null && (h.affinity & mask) === mask);
  return containing.length === 0 ? null : findBestHint(containing);
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
