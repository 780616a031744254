import type { NUMANodeMap } from "./state-data.js";
import { type BitMask, popcount32, type TopologyHint } from "../topology/index.js";
import type { ReusableLookup } from "./hints-types.js";
import { UNDECIDED } from "./hints-search.js";
import { numaNodeIds } from "./machine-state.js";
import type { ResourceRequest } from "./requests.js";

/*
 * `findBestHint` over the hint list on a small machine, by walking masks narrowest first. The best
 * listed hint is the listed mask of fewest nodes, then the smallest number (memory-manager.md §4;
 * the kubelet's `IsNarrowerThan`), and it is preferred iff no mask of fewer nodes fits the
 * allocatable memory. So the first listed mask in (node count, value) order is the answer, and the
 * first mask fitting the allocatable memory gives `minAffinitySize`. Sums are plain doubles: the
 * walk declines (`UNDECIDED`) when a sum could reach 2^53, where doubles stop being exact and the
 * uint64 sums of the list could wrap.
 */

/** Up to this many NUMA nodes the walk is a few hundred masks at most. */
export const NARROWEST_WALK_MAX_NODES = 8;

const EXACT = 2 ** 53;

/** Position masks 1 .. 2^n - 1 by node count, then value; positions order like NUMA ids. */
const narrowestOrders: Int32Array[] = [];

function narrowestOrder(n: number): Int32Array {
  let order = narrowestOrders[n];
  if (order) return order;
  const masks = Array.from({ length: 2 ** n - 1 }, (_, i) => i + 1);
  masks.sort((a, b) => popcount32(a) - popcount32(b) || a - b);
  order = Int32Array.from(masks);
  narrowestOrders[n] = order;
  return order;
}

/** The double of a uint64 size, or -1 when it is 2^53 or more. */
function exact(v: bigint): number {
  return v < 9007199254740992n ? Number(v) : -1;
}

/**
 * The hint `findBestHint` picks among the listed masks holding every node of `base` (0 for the
 * default hint), null when the list holds none, `UNDECIDED` when this walk cannot tell exactly
 * (more than `NARROWEST_WALK_MAX_NODES` nodes, sums near 2^53, reusable memory without its masks).
 */
export function narrowestListedHint(
  ms: NUMANodeMap,
  request: ResourceRequest,
  reusable: ReusableLookup,
  base: BitMask,
): TopologyHint | null | typeof UNDECIDED {
  const n = ms.size;
  if (n > NARROWEST_WALK_MAX_NODES || reusable.masks === undefined) return UNDECIDED;
  const ids = numaNodeIds(ms);
  const R = request.size;
  const resources = [...request.keys()];
  const needs = new Float64Array(R);
  let r = 0;
  // A need of 2^53 or more stays above every exact sum as a double.
  for (const size of request.values()) needs[r++] = Number(size);
  const allocatable = new Float64Array(R * n);
  const free = new Float64Array(R * n);
  let used = 0;
  let inGroup = 0;
  const group = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const node = ms.get(ids[i])!;
    for (let k = 0; k < R; k++) {
      const table = node.memoryMap.get(resources[k]);
      const a = table === undefined ? 0 : exact(table.allocatable);
      const f = table === undefined ? 0 : exact(table.free);
      if (a < 0 || f < 0) return UNDECIDED;
      allocatable[k * n + i] = a;
      free[k * n + i] = f;
    }
    if (node.numberOfAssignments !== 0) used |= 1 << i;
    const cells = node.cells;
    if (cells !== null && cells.length > 1) inGroup |= 1 << i;
    group[i] = groupPositions(ids, cells);
  }
  const freeTotals = new Float64Array(R);
  for (let k = 0; k < R; k++) {
    let a = 0;
    let f = 0;
    for (let i = 0; i < n; i++) {
      a += allocatable[k * n + i];
      f += free[k * n + i];
    }
    if (a >= EXACT || f >= EXACT) return UNDECIDED;
    freeTotals[k] = f;
  }
  // Reusable memory on the masks the lookup lists, as doubles by position mask.
  let reuse: Map<number, Float64Array> | null = null;
  for (const mask of reusable.masks) {
    const p = positionMask(ids, mask);
    if (p <= 0) continue;
    const amounts = new Float64Array(R);
    for (let k = 0; k < R; k++) {
      const amount = exact(reusable(mask, resources[k]));
      if (amount < 0 || freeTotals[k] + amount >= EXACT) return UNDECIDED;
      amounts[k] = amount;
    }
    reuse ??= new Map();
    reuse.set(p, amounts);
  }
  let basePositions = 0;
  if (base !== 0n) {
    basePositions = positionMask(ids, base);
    if (basePositions < 0) return null;
  }

  const sumCovers = (values: Float64Array, p: number, extra: Float64Array | undefined): boolean => {
    for (let k = 0; k < R; k++) {
      let sum = extra === undefined ? 0 : extra[k];
      for (let u = p; u !== 0; u &= u - 1) sum += values[k * n + (31 - Math.clz32(u & -u))];
      if (sum < needs[k]) return false;
    }
    return true;
  };
  const order = narrowestOrder(n);
  let minAffinitySize = n;
  for (let j = 0; j < order.length; j++) {
    if (sumCovers(allocatable, order[j], undefined)) {
      minAffinitySize = popcount32(order[j]);
      break;
    }
  }
  for (let j = 0; j < order.length; j++) {
    const p = order[j];
    if ((p & basePositions) !== basePositions) continue;
    const count = popcount32(p);
    if (count < minAffinitySize || !sumCovers(allocatable, p, undefined)) continue;
    if (count === 1 ? (p & inGroup) !== 0 : conflicts(p & used, group, p)) continue;
    if (!sumCovers(free, p, reuse?.get(p))) continue;
    return { affinity: numaMask(ids, p), preferred: count === minAffinitySize };
  }
  return null;
}

/** A used node joins only its own group: the mask must equal it for every used node in it. */
function conflicts(usedIn: number, group: Int32Array, p: number): boolean {
  for (let u = usedIn; u !== 0; u &= u - 1) if (group[31 - Math.clz32(u & -u)] !== p) return true;
  return false;
}

/** `cells` as a position mask when it names two or more distinct nodes of the machine, else -1. */
function groupPositions(ids: readonly number[], cells: readonly number[] | null): number {
  if (cells === null || cells.length < 2) return -1;
  let p = 0;
  for (const id of cells) {
    const i = ids.indexOf(id);
    if (i < 0 || (p & (1 << i)) !== 0) return -1;
    p |= 1 << i;
  }
  return p;
}

/** The position mask of a NUMA mask, -1 when it names a node the machine does not have. */
function positionMask(ids: readonly number[], mask: BitMask): number {
  let p = 0;
  let rest = mask;
  for (let i = 0; i < ids.length; i++) {
    const bit = 1n << BigInt(ids[i]);
    if ((rest & bit) !== 0n) {
      p |= 1 << i;
      rest ^= bit;
    }
  }
  return rest === 0n ? p : -1;
}

function numaMask(ids: readonly number[], p: number): BitMask {
  let mask = 0n;
  for (let u = p; u !== 0; u &= u - 1) mask |= 1n << BigInt(ids[31 - Math.clz32(u & -u)]);
  return mask;
}
