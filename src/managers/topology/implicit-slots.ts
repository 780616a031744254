import { type BitMask, maskBits } from "./bitmask.js";
import type { MergeContext } from "./compare.js";
import type { CoreSlot } from "./cover.js";
import type { TopologyHint } from "./hint.js";
import { HintFamily } from "./hint-family.js";
import type { NUMAInfo } from "./numa-info.js";
import { SubsetSearch } from "./subset-search.js";

/*
 * The merge's slots for the implicit merge, in the node space of the default affinity: position p
 * is the p-th NUMA id of the machine, ascending, so position sets order like NUMA masks.
 */

/** One slot as `filterProvidersHints` makes it: a hint list, or a provider's family. */
export type HintSource = readonly TopologyHint[] | HintFamily;

export class NodeSpace {
  readonly ids: readonly number[];
  readonly n: number;
  private readonly byId = new Map<number, number>();
  private readonly bits: readonly BitMask[];

  constructor(ids: readonly number[]) {
    this.ids = ids;
    this.n = ids.length;
    for (const [p, id] of ids.entries()) this.byId.set(id, p);
    this.bits = ids.map((id) => 1n << BigInt(id));
  }

  positionOf(id: number): number {
    return this.byId.get(id) ?? -1;
  }

  maskOf(positions: Iterable<number>): BitMask {
    let m = 0n;
    for (const p of positions) m |= this.bits[p];
    return m;
  }

  /** Positions of a mask's nodes, ascending (nodes outside the space are dropped). */
  positionsIn(mask: BitMask): number[] {
    const out: number[] = [];
    for (const id of maskBits(mask)) {
      const p = this.byId.get(id);
      if (p !== undefined) out.push(p);
    }
    return out;
  }
}

/** A family slot, ready for the merge (slots of one family are one object). */
export interface FamilySlot {
  readonly family: HintFamily;
  /** Slots holding the same family object share a group (the Memory Manager's resources). */
  readonly group: number;
  /** The core in the node space; null when it lists nothing. */
  readonly core: CoreSlot | null;
  /** The core's allowed nodes as a NUMA mask (0 without a core). */
  readonly coreMask: BitMask;
  readonly extras: readonly BitMask[];
  /** Fewest nodes of any listed mask (what `findNarrowestHint` counts), worked out when asked. */
  narrowest(): number;
}

export type MergeSlot =
  | { kind: "list"; hints: readonly TopologyHint[] }
  | ({ readonly kind: "family" } & FamilySlot);

const matrices = new WeakMap<NUMAInfo, Float64Array | "unusable">();

/** Integer distances by position, row-major; null when the merge does not read them or they are not integers. */
function distanceMatrix(ctx: MergeContext, space: NodeSpace): Float64Array | null | "unusable" {
  if (!ctx.preferClosestNUMA) return null;
  let matrix = matrices.get(ctx.numa);
  if (matrix === undefined) matrices.set(ctx.numa, (matrix = readDistances(ctx.numa, space)));
  return matrix;
}

function readDistances(numa: NUMAInfo, space: NodeSpace): Float64Array | "unusable" {
  const n = space.n;
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      const d = numa.distance(space.ids[i], space.ids[j]);
      // Sums of integers are exact, so comparing sums compares the kubelet's averages.
      if (!Number.isSafeInteger(d) || d < 0 || d > 2 ** 30) return "unusable";
      out[i * n + j] = d;
    }
  return out;
}

export interface MergeModel {
  space: NodeSpace;
  slots: MergeSlot[];
  distances: Float64Array | null;
}

/**
 * The slots in the node space, or null when the implicit merge cannot decide this input exactly
 * (a family over nodes the machine does not list, distances that are not integers); the caller
 * then lists the families and merges the lists.
 */
const spaces = new WeakMap<NUMAInfo, NodeSpace>();

/** The (shared, immutable) node space of a machine's NUMA nodes. */
function spaceOf(numa: NUMAInfo): NodeSpace {
  let space = spaces.get(numa);
  if (!space) spaces.set(numa, (space = new NodeSpace(numa.nodes)));
  return space;
}

class FamilyMergeSlot implements FamilySlot {
  readonly kind = "family" as const;
  private narrowestCount: number | null = null;

  constructor(
    readonly family: HintFamily,
    readonly group: number,
    readonly core: CoreSlot | null,
    private readonly n: number,
  ) {}

  get coreMask(): BitMask {
    return this.core === null ? 0n : this.family.core!.allowed;
  }

  get extras(): readonly BitMask[] {
    return this.family.extras;
  }

  narrowest(): number {
    this.narrowestCount ??= narrowestOf(this.family.extras, this.core, this.n);
    return this.narrowestCount;
  }
}

export function mergeModel(sources: readonly HintSource[], ctx: MergeContext): MergeModel | null {
  const space = spaceOf(ctx.numa);
  const distances = distanceMatrix(ctx, space);
  if (distances === "unusable") return null;
  const families: FamilyMergeSlot[] = [];
  const slots: MergeSlot[] = [];
  for (const source of sources) {
    if (!(source instanceof HintFamily)) {
      slots.push({ kind: "list", hints: source });
      continue;
    }
    let slot = families.find((f) => f.family === source);
    if (slot === undefined) {
      if ((source.nodeMask & ~ctx.numa.defaultAffinity) !== 0n) return null;
      const group = families.length;
      slot = new FamilyMergeSlot(source, group, coreSlot(source, space, group), space.n);
      families.push(slot);
    }
    slots.push(slot);
  }
  return { space, slots, distances };
}

function coreSlot(family: HintFamily, space: NodeSpace, group: number): CoreSlot | null {
  const core = family.core;
  if (core === null || family.coreIsEmpty) return null;
  const n = space.n;
  const allowed = new Array<boolean>(n).fill(false);
  const required = new Array<boolean>(n).fill(false);
  for (const p of space.positionsIn(core.allowed)) allowed[p] = true;
  for (const p of space.positionsIn(core.required)) required[p] = true;
  const at = family.nodes.map((id) => space.positionOf(id));
  const constraints = core.constraints.map((c) => {
    const values = new Float64Array(n);
    for (let i = 0; i < at.length; i++) values[at[i]] = c.values[i];
    return { values, need: c.need };
  });
  return { group, allowed, required, minCount: core.minCount, constraints };
}

function narrowestOf(extras: readonly BitMask[], core: CoreSlot | null, n: number): number {
  let narrowest = Number.POSITIVE_INFINITY;
  for (const e of extras) narrowest = Math.min(narrowest, maskBits(e).length);
  if (core !== null) narrowest = Math.min(narrowest, smallestCoreSize(core, n) ?? narrowest);
  return Number.isFinite(narrowest) ? narrowest : 0;
}

/**
 * The fewest nodes of a core mask. Each threshold alone needs its largest values first, which
 * bounds the answer from below and is the answer for a single threshold; with several, sizes
 * from that bound up are searched.
 */
export function smallestCoreSize(core: CoreSlot, n: number): number | null {
  let required = 0;
  let allowed = 0;
  for (let p = 0; p < n; p++) {
    if (core.allowed[p]) allowed++;
    else if (core.required[p]) return null;
    if (core.required[p]) required++;
  }
  let lowest = Math.max(1, core.minCount, required);
  for (const c of core.constraints) {
    let missing = c.need;
    const free: number[] = [];
    for (let p = 0; p < n; p++) {
      if (core.required[p]) missing -= c.values[p];
      else if (core.allowed[p]) free.push(c.values[p]);
    }
    free.sort((a, b) => b - a);
    let extra = 0;
    while (missing > 0 && extra < free.length) missing -= free[extra++];
    if (missing > 0) return null;
    lowest = Math.max(lowest, required + extra);
  }
  if (lowest > allowed) return null;
  if (core.constraints.length <= 1) return lowest;
  const search = new SubsetSearch({
    n,
    allowed: core.allowed,
    required: core.required,
    constraints: core.constraints,
    distances: null,
  });
  for (let size = lowest; size <= allowed; size++) if (search.exists(size)) return size;
  return null;
}
