import type { NUMANodeMap } from "./state-data.js";
import { type BitMask, type NodePositions, positionsOf } from "../topology/index.js";
import type { ReusableLookup } from "./hints-types.js";
import { numaNodeIds } from "./machine-state.js";
import type { ResourceRequest } from "./requests.js";
import { addU64, u64 } from "./u64.js";

/**
 * One `calculateHints` question (memory-manager.md §4) read once into per-node arrays: NUMA
 * positions (ids ascending), the request, each node's allocatable and free bytes per requested
 * resource (as uint64) and its group. Every hint generator (tables, single-node, search) decides
 * masks from this, with `isFound` as the exact rule for any single mask.
 */
export class HintProblem {
  readonly positions: NodePositions;
  readonly resources: readonly string[];
  /** Requested bytes per resource, as given (compared with uint64 sums). */
  readonly sizes: readonly bigint[];
  /** [resource][position] allocatable bytes, modulo 2^64. */
  readonly allocatable: readonly (readonly bigint[])[];
  /** [resource][position] free bytes, modulo 2^64. */
  readonly free: readonly (readonly bigint[])[];
  /** The node has assignments (`numberOfAssignments != 0`), so the group rule applies to it. */
  readonly used: readonly boolean[];
  /** `cells` longer than one node: the node alone is never a hint (step 3). */
  readonly inGroup: readonly boolean[];
  /**
   * For a used node, the only multi-node mask it may join: its `cells` as a mask when they can
   * equal one (two or more distinct nodes of the machine), else null (it joins none).
   */
  readonly group: readonly (BitMask | null)[];
  /** Masks with init-container memory to reuse (null: the lookup does not say which). */
  readonly reuseMasks: ReadonlySet<BitMask> | null;

  constructor(
    ms: NUMANodeMap,
    request: ResourceRequest,
    readonly reusable: ReusableLookup,
  ) {
    const positions = positionsOf(numaNodeIds(ms));
    this.positions = positions;
    this.resources = [...request.keys()];
    this.sizes = [...request.values()];
    const nodes = positions.ids.map((id) => ms.get(id)!);
    const field = (resource: string, f: "allocatable" | "free") =>
      nodes.map((node) => u64(node.memoryMap.get(resource)?.[f] ?? 0n));
    this.allocatable = this.resources.map((r) => field(r, "allocatable"));
    this.free = this.resources.map((r) => field(r, "free"));
    this.used = nodes.map((node) => node.numberOfAssignments !== 0);
    this.inGroup = nodes.map((node) => (node.cells?.length ?? 0) > 1);
    this.group = nodes.map((node) => groupMask(positions, node.cells));
    this.reuseMasks = reusable.masks === undefined ? null : new Set(reusable.masks);
  }

  get nodeCount(): number {
    return this.positions.size;
  }

  /** What the pod may reuse on `mask` (0 for a mask the lookup lists no memory for). */
  reuse(mask: BitMask, r: number): bigint {
    if (this.reuseMasks !== null && !this.reuseMasks.has(mask)) return 0n;
    return this.reusable(mask, this.resources[r]);
  }

  /** Step 1: Σ allocatable over the nodes (modulo 2^64) covers every resource. */
  fitsAllocatable(at: readonly number[]): boolean {
    for (let r = 0; r < this.sizes.length; r++) {
      let sum = 0n;
      for (const i of at) sum = addU64(sum, this.allocatable[r][i]);
      if (sum < this.sizes[r]) return false;
    }
    return true;
  }

  /** Steps 3 and 4, the group rules, for the mask of the positions `at`. */
  respectsGroups(mask: BitMask, at: readonly number[]): boolean {
    if (at.length === 1) return !this.inGroup[at[0]];
    for (const i of at) if (this.used[i] && this.group[i] !== mask) return false;
    return true;
  }

  /** Step 5: Σ free + reusable memory (modulo 2^64) covers every resource. */
  fitsFree(mask: BitMask, at: readonly number[]): boolean {
    for (let r = 0; r < this.sizes.length; r++) {
      let sum = 0n;
      for (const i of at) sum = addU64(sum, this.free[r][i]);
      if (addU64(sum, this.reuse(mask, r)) < this.sizes[r]) return false;
    }
    return true;
  }

  /** Whether the hint list holds `mask` (the NUMA mask of the positions `at`, ascending). */
  isFound(mask: BitMask, at: readonly number[]): boolean {
    return this.fitsAllocatable(at) && this.respectsGroups(mask, at) && this.fitsFree(mask, at);
  }
}

/** A node's `cells` as a mask when they can be a multi-node hint (two or more distinct known nodes), else null. */
export function groupMask(positions: NodePositions, cells: readonly number[] | null): BitMask | null {
  if (cells === null || cells.length < 2) return null;
  let mask = 0n;
  for (const id of cells) {
    if (positions.positionOf(id) < 0) return null;
    const bit = positions.maskAt(positions.positionOf(id));
    if ((mask & bit) !== 0n) return null;
    mask |= bit;
  }
  return mask;
}
