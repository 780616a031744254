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

/** The node positions of a machine state and the mask of all its nodes. */
interface StateLayout {
  positions: NodePositions;
  all: BitMask;
}

/** Kept per machine state while its NUMA ids stay the same: every family over it reads them. */
const layoutByState = new WeakMap<NUMANodeMap, StateLayout>();

function stateLayout(ms: NUMANodeMap): StateLayout {
  const known = layoutByState.get(ms);
  if (known !== undefined && known.positions.size === ms.size) {
    let same = true;
    for (const id of ms.keys()) if (known.positions.positionOf(id) < 0) same = false;
    if (same) return known;
  }
  const positions = positionsOf(numaNodeIds(ms));
  let all = 0n;
  for (let i = 0; i < positions.size; i++) all |= positions.maskAt(i);
  const layout = { positions, all };
  layoutByState.set(ms, layout);
  return layout;
}

type Constraint = { values: readonly number[]; need: number };

/**
 * The family of the common case, read straight into doubles: no init-container memory to reuse
 * and every sum far below 2^53, so no sum can wrap and no bigint is needed. The same family as
 * the general path, extra for extra in the same order; undefined where the case does not apply
 * (the general path decides then).
 */
function plainMemoryHintFamily(ms: NUMANodeMap, request: ResourceRequest): HintFamily | undefined {
  const { positions, all } = stateLayout(ms);
  const n = positions.size;
  const R = request.size;
  // Arrays made to size: a growing array would reserve room for many more values.
  const needs = new Array<number>(R);
  const allocatable = new Array<number[]>(R);
  // The allocatable constraints, then the free ones, resource by resource.
  const constraints = new Array<Constraint>(2 * R);
  let r = 0;
  for (const [resource, size] of request) {
    const need = Number(size);
    const a = new Array<number>(n);
    const f = new Array<number>(n);
    let sumA = 0;
    let sumF = 0;
    for (let i = 0; i < n; i++) {
      const table = ms.get(positions.ids[i])?.memoryMap.get(resource);
      const at = table?.allocatable ?? 0n;
      const ft = table?.free ?? 0n;
      if (at < 0n || ft < 0n || at >= PLAIN_BIGINT_LIMIT || ft >= PLAIN_BIGINT_LIMIT) return undefined;
      a[i] = Number(at);
      f[i] = Number(ft);
      sumA += a[i];
      sumF += f[i];
    }
    if (sumA >= PLAIN_SUM_LIMIT || sumF >= PLAIN_SUM_LIMIT) return undefined;
    needs[r] = need;
    allocatable[r] = a;
    constraints[r] = { values: a, need };
    constraints[R + r] = { values: f, need };
    r++;
  }
  // Unused nodes are all but the used ones; multi-node groups are rare, so read only when present.
  let unused = all;
  let grouped = false;
  let singles = 0;
  for (let i = 0; i < n; i++) {
    const node = ms.get(positions.ids[i]);
    if (node === undefined) return undefined;
    if (node.numberOfAssignments !== 0) unused ^= positions.maskAt(i);
    if ((node.cells?.length ?? 0) > 1) grouped = true;
    else if (fitsAlone(constraints, i)) singles++;
  }
  // Single nodes: a node of a multi-node group is never one alone.
  const extras = new Array<BitMask>(singles);
  for (let i = 0, k = 0; k < singles; i++)
    if ((ms.get(positions.ids[i])!.cells?.length ?? 0) <= 1 && fitsAlone(constraints, i))
      extras[k++] = positions.maskAt(i);
  if (grouped) pushGroups(ms, positions, all, constraints, needs, extras);
  return new HintFamily({
    nodes: positions.ids,
    core: { allowed: unused, required: 0n, minCount: 2, constraints },
    extras,
    preferredCount: minAffinitySize(n, allocatable, needs),
    alignment: null,
  });
}

/** Whether the node at position `i` meets every constraint by itself. */
function fitsAlone(constraints: readonly Constraint[], i: number): boolean {
  for (const c of constraints) if (c.values[i] < c.need) return false;
  return true;
}

/** Adds each used node's group the exact rule lists (allocatable, the group rule, free), on exact sums. */
function pushGroups(
  ms: NUMANodeMap,
  positions: NodePositions,
  all: BitMask,
  constraints: readonly Constraint[],
  needs: readonly number[],
  extras: BitMask[],
): void {
  const n = positions.size;
  const R = needs.length;
  const used: boolean[] = [];
  const group: (BitMask | null)[] = [];
  for (let i = 0; i < n; i++) {
    const node = ms.get(positions.ids[i])!;
    used.push(node.numberOfAssignments !== 0);
    group.push(groupMask(positions, node.cells));
  }
  for (let g = 0; g < n; g++) {
    const mask = group[g];
    if (mask === null || (mask & ~all) !== 0n || extras.includes(mask)) continue;
    let fits = true;
    for (let r = 0; r < R && fits; r++) {
      let a = 0;
      let f = 0;
      for (let i = 0; i < n; i++)
        if ((mask & positions.maskAt(i)) !== 0n) {
          a += constraints[r].values[i];
          f += constraints[R + r].values[i];
        }
      fits = a >= needs[r] && f >= needs[r];
    }
    for (let i = 0; i < n && fits; i++)
      if ((mask & positions.maskAt(i)) !== 0n && used[i] && group[i] !== mask) fits = false;
    if (fits) extras.push(mask);
  }
}

const PLAIN_BIGINT_LIMIT = 2n ** 53n;

/**
 * The fewest nodes whose allocatable memory covers the request; the node count when none does.
 * Values and their sums are exact doubles (both callers see to it). Exported for its test.
 */
export function minAffinitySize(
  n: number,
  allocatable: readonly (readonly number[])[],
  needs: readonly number[],
): number {
  for (let i = 0; i < n; i++) {
    let fits = true;
    for (let r = 0; r < needs.length && fits; r++) fits = allocatable[r][i] >= needs[r];
    if (fits) return 1;
  }
  if (needs.length === 1) {
    // No k nodes hold more than the k largest, so taking the largest first needs the fewest.
    // Picked one by one: a sort would copy the values into work arrays.
    const values = allocatable[0];
    const taken = new Array<boolean>(n).fill(false);
    let sum = 0;
    for (let k = 1; k <= n; k++) {
      let largest = -1;
      for (let i = 0; i < n; i++) if (!taken[i] && (largest < 0 || values[i] > values[largest])) largest = i;
      taken[largest] = true;
      sum += values[largest];
      if (sum >= needs[0]) return k;
    }
    return n;
  }
  const search = new SubsetSearch({
    n,
    allowed: new Array<boolean>(n).fill(true),
    required: new Array<boolean>(n).fill(false),
    constraints: allocatable.map((values, r) => ({ values, need: needs[r] })),
    distances: null,
  });
  return search.smallestSize() ?? n;
}
