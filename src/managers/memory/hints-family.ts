import type { NUMANodeMap } from "./state-data.js";
import {
  type BitMask,
  HintFamily,
  type NodePositions,
  positionsOf,
  SubsetSearch,
} from "../topology/index.js";
import { groupMask, HintProblem } from "./hints-problem.js";
import { numaNodeIds } from "./machine-state.js";
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
  if (reusable.masks !== undefined && reusable.masks.length === 0) {
    const plain = plainMemoryHintFamily(ms, request);
    if (plain !== undefined) return plain;
  }
  return generalMemoryHintFamily(ms, request, reusable);
}

/** `memoryHintFamily` on uint64 sums for every case (exported for the plain path's differential test). */
export function generalMemoryHintFamily(
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

/** Below this, a double sum of whole numbers each below 2^53 is exact and so is every partial sum. */
const PLAIN_SUM_LIMIT = 2 ** 52;

/** The node positions of a machine state, kept while its NUMA ids stay the same. */
const positionsByState = new WeakMap<NUMANodeMap, NodePositions>();

function statePositions(ms: NUMANodeMap): NodePositions {
  const known = positionsByState.get(ms);
  if (known !== undefined && known.size === ms.size) {
    let same = true;
    for (const id of ms.keys()) if (known.positionOf(id) < 0) same = false;
    if (same) return known;
  }
  const positions = positionsOf(numaNodeIds(ms));
  positionsByState.set(ms, positions);
  return positions;
}

/**
 * The family of the common case, read straight into doubles: no init-container memory to reuse
 * and every sum far below 2^53, so no sum can wrap and no bigint is needed. The same family as
 * the general path, extra for extra in the same order; undefined where the case does not apply
 * (the general path decides then).
 */
function plainMemoryHintFamily(ms: NUMANodeMap, request: ResourceRequest): HintFamily | undefined {
  const positions = statePositions(ms);
  const n = positions.size;
  const R = request.size;
  const resources: string[] = [];
  const needs: number[] = [];
  for (const [resource, size] of request) {
    resources.push(resource);
    needs.push(Number(size));
  }
  const allocatable: number[][] = [];
  const free: number[][] = [];
  for (let r = 0; r < R; r++) {
    allocatable.push(new Array<number>(n));
    free.push(new Array<number>(n));
  }
  const used = new Array<boolean>(n);
  const group = new Array<BitMask | null>(n);
  let unused = 0n;
  let all = 0n;
  for (let i = 0; i < n; i++) {
    const node = ms.get(positions.ids[i]);
    if (node === undefined) return undefined;
    for (let r = 0; r < R; r++) {
      const table = node.memoryMap.get(resources[r]);
      const a = table?.allocatable ?? 0n;
      const f = table?.free ?? 0n;
      if (a < 0n || f < 0n || a >= PLAIN_BIGINT_LIMIT || f >= PLAIN_BIGINT_LIMIT) return undefined;
      allocatable[r][i] = Number(a);
      free[r][i] = Number(f);
    }
    used[i] = node.numberOfAssignments !== 0;
    group[i] = groupMask(positions, node.cells);
    const bit = positions.maskAt(i);
    all |= bit;
    if (!used[i]) unused |= bit;
  }
  for (let r = 0; r < R; r++) {
    let a = 0;
    let f = 0;
    for (let i = 0; i < n; i++) {
      a += allocatable[r][i];
      f += free[r][i];
    }
    if (a >= PLAIN_SUM_LIMIT || f >= PLAIN_SUM_LIMIT) return undefined;
  }
  const extras: BitMask[] = [];
  // Single nodes: a node of a multi-node group is never one alone.
  for (let i = 0; i < n; i++) {
    if ((ms.get(positions.ids[i])?.cells?.length ?? 0) > 1) continue;
    let fits = true;
    for (let r = 0; r < R && fits; r++) fits = allocatable[r][i] >= needs[r] && free[r][i] >= needs[r];
    if (fits) extras.push(positions.maskAt(i));
  }
  // A used node's group: the exact rule on exact sums (allocatable, the group rule, free).
  for (let g = 0; g < n; g++) {
    const mask = group[g];
    if (mask === null || (mask & ~all) !== 0n || extras.includes(mask)) continue;
    let fits = true;
    for (let r = 0; r < R && fits; r++) {
      let a = 0;
      let f = 0;
      for (let i = 0; i < n; i++)
        if ((mask & positions.maskAt(i)) !== 0n) {
          a += allocatable[r][i];
          f += free[r][i];
        }
      fits = a >= needs[r] && f >= needs[r];
    }
    for (let i = 0; i < n && fits; i++)
      if ((mask & positions.maskAt(i)) !== 0n && used[i] && group[i] !== mask) fits = false;
    if (fits) extras.push(mask);
  }
  const constraints: { values: readonly number[]; need: number }[] = [];
  for (let r = 0; r < R; r++) constraints.push({ values: allocatable[r], need: needs[r] });
  for (let r = 0; r < R; r++) constraints.push({ values: free[r], need: needs[r] });
  return new HintFamily({
    nodes: positions.ids,
    core: { allowed: unused, required: 0n, minCount: 2, constraints },
    extras,
    preferredCount: minAffinitySize(n, allocatable, needs),
    alignment: null,
  });
}

const PLAIN_BIGINT_LIMIT = 2n ** 53n;

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
