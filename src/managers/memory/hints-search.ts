import { type BitMask, maskBits, type TopologyHint } from "../topology/index.js";
import type { HintProblem } from "./hints-problem.js";

/*
 * `findBestHint` over the hint list (memory-manager.md §4, §5 steps 3-4) without listing it. The
 * best hint is the narrowest listed mask (fewest nodes, then the smallest number), preferred iff
 * no mask of fewer nodes fits the allocatable memory. A listed mask of two or more nodes either
 * holds a used node, and then is that node's group, or only unused nodes. So the candidates are
 * the single nodes, the groups, the masks with reusable memory (checked one by one with the exact
 * rule) and the subsets of the unused nodes, searched by size and, within a size, in increasing
 * numeric order, so the first subset that passes is the narrowest. A branch is cut when even the
 * largest values left cannot reach the request: plain sums bound the modulo-2^64 sums from
 * above, so the cut never drops a passing subset, and each subset reached is checked with the
 * exact rule. Without the list of masks with reusable memory the search declines.
 */

/** The search cannot decide this question exactly; the caller lists every mask instead. */
export const UNDECIDED = "undecided" as const;

const U64_LIMIT = 1n << 64n;

/** A covering constraint: Σ values over the chosen items + base >= need. */
interface Constraint {
  values: readonly bigint[];
  base: bigint;
  need: bigint;
}

/**
 * The numerically smallest choice of exactly `m` items (ascending item lists stand for ascending
 * node ids) that meets every constraint and `accept`, or null. `top[c][L][j]` is the sum of the j
 * largest values of constraint c among the first L items: no choice below can add more.
 */
function smallestChoice(
  items: readonly number[],
  m: number,
  constraints: readonly Constraint[],
  accept: (chosen: readonly number[]) => boolean,
): number[] | null {
  const top = constraints.map((c) => prefixTopSums(c.values));
  const sums = constraints.map((c) => c.base);
  const chosen: number[] = [];
  const visit = (L: number, left: number): boolean => {
    if (left === 0) return accept(chosen);
    if (L < left) return false;
    for (let c = 0; c < constraints.length; c++)
      if (sums[c] + top[c][L][left] < constraints[c].need) return false;
    // Leaving out the highest remaining node gives smaller masks than taking it.
    if (visit(L - 1, left)) return true;
    chosen.push(items[L - 1]);
    for (let c = 0; c < constraints.length; c++) sums[c] += constraints[c].values[L - 1];
    if (visit(L - 1, left - 1)) return true;
    for (let c = 0; c < constraints.length; c++) sums[c] -= constraints[c].values[L - 1];
    chosen.pop();
    return false;
  };
  return visit(items.length, m) ? [...chosen].sort((a, b) => a - b) : null;
}

function prefixTopSums(values: readonly bigint[]): bigint[][] {
  const out: bigint[][] = [[0n]];
  const sorted: bigint[] = [];
  for (const v of values) {
    let at = sorted.findIndex((x) => x < v);
    if (at < 0) at = sorted.length;
    sorted.splice(at, 0, v);
    const row = [0n];
    for (const x of sorted) row.push(row[row.length - 1] + x);
    out.push(row);
  }
  return out;
}

function total(values: readonly bigint[]): bigint {
  return values.reduce((a, b) => a + b, 0n);
}

/** Every sum over any nodes is below 2^64: modular sums are plain and only grow with the mask. */
function sumsCannotWrap(values: readonly (readonly bigint[])[]): boolean {
  return values.every((v) => total(v) < U64_LIMIT);
}

interface Best {
  mask: BitMask;
  count: number;
}

/**
 * The hint `findBestHint` picks among the listed masks holding every node of `base` (0 for the
 * default hint), null when none is listed, or `UNDECIDED`.
 */
export function searchBestHint(problem: HintProblem, base: BitMask): TopologyHint | null | typeof UNDECIDED {
  if (problem.reuseMasks === null) return UNDECIDED;
  const { positions } = problem;
  const baseAt = maskBits(base).map((id) => positions.positionOf(id));
  if (baseAt.some((i) => i < 0)) return null;

  let best: Best | null = null;
  const consider = (mask: BitMask, at: readonly number[]): void => {
    if ((mask & base) !== base || !problem.isFound(mask, at)) return;
    if (best === null || at.length < best.count || (at.length === best.count && mask < best.mask))
      best = { mask, count: at.length };
  };
  const positionsOfMask = (mask: BitMask): number[] | null => {
    const at = maskBits(mask).map((id) => positions.positionOf(id));
    return at.some((i) => i < 0) ? null : at;
  };

  for (let i = 0; i < positions.size; i++) consider(positions.maskAt(i), [i]);
  for (const mask of new Set([...problem.group, ...problem.reuseMasks])) {
    if (mask === null || mask <= 0n) continue;
    const at = positionsOfMask(mask);
    if (at) consider(mask, at);
  }

  // Subsets of the unused nodes holding the base, by size up to the best found so far.
  if (baseAt.every((i) => !problem.used[i])) {
    const inBase = new Set(baseAt);
    const items = positions.ids.map((_, i) => i).filter((i) => !problem.used[i] && !inBase.has(i));
    const constraints = [...problem.allocatable, ...problem.free].map((values, c) => ({
      values: items.map((i) => values[i]),
      base: total(baseAt.map((i) => values[i])),
      need: problem.sizes[c % problem.sizes.length],
    }));
    const found = best as Best | null;
    const last = Math.min(baseAt.length + items.length, found?.count ?? Number.POSITIVE_INFINITY);
    for (let k = Math.max(2, baseAt.length); k <= last; k++) {
      const chosen = smallestChoice(items, k - baseAt.length, constraints, (extra) => {
        const at = [...baseAt, ...extra].sort((a, b) => a - b);
        return problem.isFound(maskOfPositions(problem, at), at);
      });
      if (chosen === null) continue;
      const at = [...baseAt, ...chosen].sort((a, b) => a - b);
      consider(maskOfPositions(problem, at), at);
      break;
    }
  }

  const result = best as Best | null;
  if (result === null) return null;
  return {
    affinity: result.mask,
    preferred: result.count === 1 || !fitsWithFewerNodes(problem, result.count),
  };
}

function maskOfPositions(problem: HintProblem, at: readonly number[]): BitMask {
  let mask = 0n;
  for (const i of at) mask |= problem.positions.maskAt(i);
  return mask;
}

/**
 * Whether some mask of fewer than `count` nodes passes step 1 (`minAffinitySize < count`). When
 * the sums cannot wrap, a passing mask stays passing with nodes added, so masks of `count - 1`
 * nodes are enough to look at; otherwise every smaller size is.
 */
function fitsWithFewerNodes(problem: HintProblem, count: number): boolean {
  const items = problem.positions.ids.map((_, i) => i);
  const constraints = problem.allocatable.map((values, r) => ({
    values,
    base: 0n,
    need: problem.sizes[r],
  }));
  const first = sumsCannotWrap(problem.allocatable) ? count - 1 : 1;
  for (let size = first; size < count; size++) {
    if (smallestChoice(items, size, constraints, (at) => problem.fitsAllocatable(at)) !== null) return true;
  }
  return false;
}
