import { iterationOrder, lowestPosition, popcount32 } from "../topology/index.js";
import type { HintProblem } from "./hints-problem.js";
import { addU64 } from "./u64.js";

/** The masks of the full hint list (position masks, in `IterateBitMasks` order) and `minAffinitySize`. */
export interface FoundMasks {
  found: number[];
  minAffinitySize: number;
}

const TWO_32 = 2 ** 32;
const LOW_32 = 0xffffffffn;

/** Σ over every subset of uint64 values, modulo 2^64, as 32-bit halves. */
interface U64Sums {
  lo: Uint32Array;
  hi: Uint32Array;
}

function u64SubsetSums(values: readonly bigint[], n: number): U64Sums {
  const size = 2 ** n;
  const lo = new Uint32Array(size);
  const hi = new Uint32Array(size);
  const vLo = values.map((v) => Number(v & LOW_32));
  const vHi = values.map((v) => Number(v >> 32n));
  for (let p = 1; p < size; p++) {
    const low = p & -p;
    const q = p ^ low;
    const i = 31 - Math.clz32(low);
    const l = lo[q] + vLo[i];
    lo[p] = l;
    hi[p] = hi[q] + vHi[i] + (l >= TWO_32 ? 1 : 0);
  }
  return { lo, hi };
}

/**
 * A request size as the two halves a uint64 sum is compared with; a size of 2^64 or more gets a
 * high half no sum reaches, a size of 0 or less halves every sum reaches.
 */
function threshold(size: bigint): { hi: number; lo: number } {
  if (size <= 0n) return { hi: 0, lo: 0 };
  if (size > 0xffffffffffffffffn) return { hi: TWO_32, lo: 0 };
  return { hi: Number(size >> 32n), lo: Number(size & LOW_32) };
}

/**
 * `calculateHints` over every subset at once (memory-manager.md §4): the allocatable and free sums
 * of a subset come from tables built by adding one node to a smaller subset, the group rules are
 * bit tests, and the reusable memory is read only for the masks the lookup lists (for every mask
 * that gets that far when it lists none). Same masks, same order, same `minAffinitySize` as the
 * reference. At most `MAX_TABULATED_NODES` nodes.
 */
export function tabulatedFoundMasks(problem: HintProblem): FoundMasks {
  const n = problem.nodeCount;
  const R = problem.sizes.length;
  const allocatable = problem.allocatable.map((v) => u64SubsetSums(v, n));
  const free = problem.free.map((v) => u64SubsetSums(v, n));
  const need = problem.sizes.map(threshold);

  let usedMask = 0;
  let inGroupMask = 0;
  const group = new Int32Array(n).fill(-1);
  for (let i = 0; i < n; i++) {
    if (problem.used[i]) usedMask |= 1 << i;
    if (problem.inGroup[i]) inGroupMask |= 1 << i;
    const g = problem.group[i];
    if (g !== null) group[i] = problem.positions.fromMask(g);
  }

  // Reusable memory per listed mask, read once; null: ask the lookup for every candidate mask.
  let reuse: Map<number, bigint[]> | null = null;
  if (problem.reuseMasks !== null) {
    reuse = new Map();
    for (const mask of problem.reuseMasks) {
      const p = problem.positions.fromMask(mask);
      if (p > 0)
        reuse.set(
          p,
          problem.resources.map((_, r) => problem.reuse(mask, r)),
        );
    }
  }

  const allocLo = allocatable.map((t) => t.lo);
  const allocHi = allocatable.map((t) => t.hi);
  const freeLo = free.map((t) => t.lo);
  const freeHi = free.map((t) => t.hi);
  const needLo = need.map((t) => t.lo);
  const needHi = need.map((t) => t.hi);
  const conflicts = (p: number): boolean => {
    for (let u = p & usedMask; u !== 0; u &= u - 1) if (group[lowestPosition(u)] !== p) return true;
    return false;
  };
  /** Step 5 with reusable memory: bigint sums, modulo 2^64. */
  const fitsFreeWithReuse = (p: number, extra: readonly bigint[]): boolean => {
    for (let r = 0; r < R; r++) {
      const sum = (BigInt(freeHi[r][p]) << 32n) | BigInt(freeLo[r][p]);
      if (addU64(sum, extra[r]) < problem.sizes[r]) return false;
    }
    return true;
  };
  const reuseOf = (p: number): readonly bigint[] | undefined => {
    if (reuse === null) return problem.resources.map((_, r) => problem.reuse(problem.positions.toMask(p), r));
    return reuse.size === 0 ? undefined : reuse.get(p);
  };

  const order = iterationOrder(n);
  let minAffinitySize = n;
  const found: number[] = [];
  next: for (let k = 0; k < order.length; k++) {
    const p = order[k];
    for (let r = 0; r < R; r++) {
      const hi = allocHi[r][p];
      if (hi < needHi[r] || (hi === needHi[r] && allocLo[r][p] < needLo[r])) continue next;
    }
    const count = popcount32(p);
    if (count < minAffinitySize) minAffinitySize = count;
    if (count === 1 ? (p & inGroupMask) !== 0 : conflicts(p)) continue;
    const extra = reuseOf(p);
    if (extra !== undefined) {
      if (fitsFreeWithReuse(p, extra)) found.push(p);
      continue;
    }
    for (let r = 0; r < R; r++) {
      const hi = freeHi[r][p];
      if (hi < needHi[r] || (hi === needHi[r] && freeLo[r][p] < needLo[r])) continue next;
    }
    found.push(p);
  }
  return { found, minAffinitySize };
}
