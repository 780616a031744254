import type { BitMask } from "./bitmask.js";

/*
 * Hint generation over every NUMA subset (cpu-manager.md §8, memory-manager.md §4) in tables:
 * a subset is a "position mask", bit i = the i-th NUMA id of the machine in ascending order, so it
 * indexes typed arrays of 2^n entries and per-subset sums follow from the subset without its
 * lowest node. Node ids need not be 0..n-1; `NodePositions` maps position masks back to NUMA masks.
 */

/** Largest node count whose subsets are tabulated (2^20 entries per table). */
export const MAX_TABULATED_NODES = 20;

/** Orders kept after first use; a 16-node order is 256 KiB. */
const CACHED_ORDER_NODES = 16;
const orderCache = new Map<number, Int32Array>();

/**
 * Every non-empty position mask of `n` nodes in `IterateBitMasks` order (by size, then
 * lexicographic over positions). The array may be shared between calls: never write to it.
 */
export function iterationOrder(n: number): Int32Array {
  if (n < 0 || n > MAX_TABULATED_NODES) throw new RangeError(`cannot tabulate subsets of ${n} nodes`);
  const cached = orderCache.get(n);
  if (cached) return cached;
  const out = new Int32Array(2 ** n - 1);
  const idx = new Int32Array(n);
  let w = 0;
  for (let k = 1; k <= n; k++) {
    for (let i = 0; i < k; i++) idx[i] = i;
    for (;;) {
      let p = 0;
      for (let i = 0; i < k; i++) p |= 1 << idx[i];
      out[w++] = p;
      let i = k - 1;
      while (i >= 0 && idx[i] === n - k + i) i--;
      if (i < 0) break;
      idx[i]++;
      for (let j = i + 1; j < k; j++) idx[j] = idx[j - 1] + 1;
    }
  }
  if (n <= CACHED_ORDER_NODES) orderCache.set(n, out);
  return out;
}

/** Index of the lowest set bit of a non-zero position mask. */
export function lowestPosition(p: number): number {
  return 31 - Math.clz32(p & -p);
}

/** `sums[p]` = Σ `perPosition[i]` over the positions of p (doubles: exact below 2^53). */
export function subsetSums(perPosition: ArrayLike<number>, n: number): Float64Array {
  const out = new Float64Array(2 ** n);
  for (let p = 1; p < out.length; p++) {
    const low = p & -p;
    out[p] = out[p ^ low] + perPosition[31 - Math.clz32(low)];
  }
  return out;
}

const HALF_BITS = 10;
const HALF = 1 << HALF_BITS;

/**
 * Position masks <-> NUMA masks for the ascending NUMA ids of one machine. For a tabulated machine
 * a NUMA mask is built from two table lookups (low and high positions), so turning a tabulated
 * subset into a hint costs one bigint OR.
 */
export class NodePositions {
  readonly ids: readonly number[];
  private readonly bits: readonly BitMask[];
  private readonly byId = new Map<number, number>();
  private low: BitMask[] | null = null;
  private high: BitMask[] | null = null;

  constructor(ids: readonly number[]) {
    this.ids = ids;
    for (const [i, id] of ids.entries()) this.byId.set(id, i);
    this.bits = ids.map((id) => 1n << BigInt(id));
  }

  get size(): number {
    return this.ids.length;
  }

  /** The position of a NUMA id, or -1. */
  positionOf(id: number): number {
    return this.byId.get(id) ?? -1;
  }

  /** The NUMA mask of the node at one position. */
  maskAt(position: number): BitMask {
    return this.bits[position];
  }

  /** The NUMA mask of a position mask; only for machines of at most `MAX_TABULATED_NODES` nodes. */
  toMask(p: number): BitMask {
    if (this.low === null || this.high === null) {
      if (this.size > MAX_TABULATED_NODES) throw new RangeError(`${this.size} nodes are not tabulated`);
      this.low = halfTable(this.bits.slice(0, HALF_BITS));
      this.high = halfTable(this.bits.slice(HALF_BITS));
    }
    return this.low[p & (HALF - 1)] | this.high[p >>> HALF_BITS];
  }

  /** The position mask of a NUMA mask, or -1 when it names a node that is not listed. */
  fromMask(m: BitMask): number {
    if (m < 0n) return -1;
    let p = 0;
    let rest = m;
    for (let id = 0; rest !== 0n; id++, rest >>= 1n) {
      if ((rest & 1n) === 0n) continue;
      const pos = this.byId.get(id);
      if (pos === undefined || pos >= 31) return -1;
      p |= 1 << pos;
    }
    return p;
  }
}

function halfTable(bits: readonly BitMask[]): BitMask[] {
  const table: BitMask[] = new Array(2 ** bits.length);
  table[0] = 0n;
  for (let p = 1; p < table.length; p++) {
    const low = p & -p;
    table[p] = table[p ^ low] | bits[31 - Math.clz32(low)];
  }
  return table;
}

const POSITIONS_CACHE_LIMIT = 32;
const positionsCache = new Map<string, NodePositions>();

/** The (shared, immutable) positions of a list of ascending NUMA ids. */
export function positionsOf(ids: readonly number[]): NodePositions {
  const key = ids.join(",");
  const cached = positionsCache.get(key);
  if (cached) return cached;
  if (positionsCache.size >= POSITIONS_CACHE_LIMIT) positionsCache.clear();
  const positions = new NodePositions([...ids]);
  positionsCache.set(key, positions);
  return positions;
}
