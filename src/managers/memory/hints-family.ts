import type { NUMANodeMap } from "./state-data.js";
import { type BitMask, HintFamily, SubsetSearch } from "../topology/index.js";
import { HintProblem } from "./hints-problem.js";
import type { ReusableLookup } from "./hints-types.js";
import type { ResourceRequest } from "./requests.js";

/*
 * `calculateHints` (memory-manager.md §4) as a hint family. A listed mask of two or more nodes
 * either holds a used node, and then it is that node's group, or only unused nodes; among the
 * latter, those whose allocatable and free memory cover the request form an upward-closed family
 * (the core). Everything else the list can hold is explicit: the single nodes, the groups and the
 * masks with init-container memory to reuse, each decided by the exact rule. So core ∪ extras is
 * the list, mask for mask, as long as no sum wraps modulo 2^64; when one could (or the reusable
 * memory does not say which masks it covers) there is no family and the caller lists the hints.
 */

const EXACT_LIMIT = 2n ** 53n;
const U64_LIMIT = 2n ** 64n;

function sum(values: readonly bigint[]): bigint {
  return values.reduce((a, b) => a + b, 0n);
}

/** The family, or null when it cannot stand for the list exactly (see above). */
export function memoryHintFamily(
  ms: NUMANodeMap,
  request: ResourceRequest,
  reusable: ReusableLookup,
): HintFamily | null {
  const problem = new HintProblem(ms, request, reusable);
  if (problem.reuseMasks === null) return null;
  const R = problem.sizes.length;
  for (let r = 0; r < R; r++) {
    const free = sum(problem.free[r]);
    if (sum(problem.allocatable[r]) >= EXACT_LIMIT || free >= EXACT_LIMIT) return null;
    for (const mask of problem.reuseMasks) if (free + problem.reuse(mask, r) >= U64_LIMIT) return null;
  }
  const { positions } = problem;
  const n = positions.size;
  // A size above every sum stays above it as a double; one below 2^53 is exact.
  const needs = problem.sizes.map(Number);
  const allocatable = problem.allocatable.map((values) => values.map(Number));
  const free = problem.free.map((values) => values.map(Number));

  let unused = 0n;
  let all = 0n;
  for (let i = 0; i < n; i++) {
    all |= positions.maskAt(i);
    if (!problem.used[i]) unused |= positions.maskAt(i);
  }
  const extras = new Set<BitMask>();
  // Single nodes: the exact rule on plain numbers (no sum of one value wraps).
  for (let i = 0; i < n; i++) {
    if (problem.inGroup[i]) continue;
    let fits = true;
    for (let r = 0; r < R && fits; r++) fits = allocatable[r][i] >= needs[r];
    const mask = positions.maskAt(i);
    if (fits && !problem.reuseMasks.has(mask))
      for (let r = 0; r < R && fits; r++) fits = free[r][i] >= needs[r];
    else if (fits) fits = problem.isFound(mask, [i]);
    if (fits) extras.add(mask);
  }
  const consider = (mask: BitMask) => {
    if ((mask & ~all) !== 0n || extras.has(mask)) return;
    const at: number[] = [];
    for (let i = 0; i < n; i++) if ((mask & positions.maskAt(i)) !== 0n) at.push(i);
    if (at.length > 1 && problem.isFound(mask, at)) extras.add(mask);
  };
  for (const g of problem.group) if (g !== null) consider(g);
  for (const mask of problem.reuseMasks) if (mask > 0n) consider(mask);

  return new HintFamily({
    nodes: positions.ids,
    core: {
      allowed: unused,
      required: 0n,
      minCount: 2,
      constraints: [
        ...allocatable.map((values, r) => ({ values, need: needs[r] })),
        ...free.map((values, r) => ({ values, need: needs[r] })),
      ],
    },
    extras: [...extras],
    preferredCount: minAffinitySize(n, allocatable, needs),
    alignment: null,
  });
}

/** The fewest nodes whose allocatable memory covers the request; the node count when none does. */
function minAffinitySize(
  n: number,
  allocatable: readonly (readonly number[])[],
  needs: readonly number[],
): number {
  for (let i = 0; i < n; i++) if (needs.every((need, r) => allocatable[r][i] >= need)) return 1;
  const search = new SubsetSearch({
    n,
    allowed: new Array<boolean>(n).fill(true),
    required: new Array<boolean>(n).fill(false),
    constraints: allocatable.map((values, r) => ({ values, need: needs[r] })),
    distances: null,
  });
  return search.smallestSize() ?? n;
}
