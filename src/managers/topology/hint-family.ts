import { RecentWeakMap } from "../../core/index.js";
import { type BitMask, LOW32, maskBits, maskCount } from "./bitmask.js";
import type { TopologyHint } from "./hint.js";

/*
 * A hint family: a provider's hint list described by its rule instead of listed mask by mask
 * (issue 10). The CPU and Memory Managers list every NUMA mask whose capacity covers the request;
 * such a list is upward closed (adding a node never takes capacity away), so it is fully described
 * by per-node values, the thresholds and a few explicitly listed masks. The merge decides from
 * this form (merge-implicit.ts); `family-listing.ts` lists the masks in the kubelet's order when
 * someone wants to read them.
 */

/** Σ `values` over a mask's nodes >= `need`; `values` by position in the family's node list. */
export interface SumConstraint {
  readonly values: readonly number[];
  readonly need: number;
}

/**
 * The upward-closed part: every mask M with required ⊆ M ⊆ allowed, at least `minCount` nodes and
 * every constraint met. Masks are NUMA masks; the values are exact doubles (sums below 2^53).
 */
export interface FamilyCore {
  readonly allowed: BitMask;
  readonly required: BitMask;
  readonly minCount: number;
  readonly constraints: readonly SumConstraint[];
}

/**
 * CPU Manager `align-by-socket`: a listed mask is also preferred when its nodes span exactly
 * `sockets` sockets. `socketsAt[p]` are the socket indexes (0..) of the node at position p.
 */
export interface SocketAlignment {
  readonly socketsAt: readonly (readonly number[])[];
  readonly sockets: number;
}

export interface HintFamilySpec {
  /** The NUMA ids the provider iterates masks over, ascending. */
  readonly nodes: readonly number[];
  readonly core: FamilyCore | null;
  /** Masks listed besides the core (they may also be in it), each exactly as the rule decides. */
  readonly extras: readonly BitMask[];
  /** `minAffinitySize`: listed masks of this many nodes are preferred. */
  readonly preferredCount: number;
  readonly alignment: SocketAlignment | null;
}

interface NodeIndex {
  positionById: ReadonlyMap<number, number>;
  /** Position of each id below 32 (-1: not in the list), read without a map lookup. */
  lowPositions: Int8Array;
  mask: BitMask;
  /** The one-node mask of each id, in list order. */
  singles: readonly BitMask[];
}

const NO_EXTRAS: readonly BitMask[] = Object.freeze([]);
/** Up to this many extras, a lookup scans them; a set is built for more. */
const SCANNED_EXTRAS = 16;

/** Providers build their families over a few shared id lists: index each list once. */
// A provider builds its families of one admission over the same list.
const nodeIndexes = new RecentWeakMap<readonly number[], NodeIndex>();

function nodeIndexOf(nodes: readonly number[]): NodeIndex {
  let index = nodeIndexes.get(nodes);
  if (index) return index;
  const positionById = new Map<number, number>();
  const lowPositions = new Int8Array(32).fill(-1);
  let mask = 0n;
  for (const [i, id] of nodes.entries()) {
    positionById.set(id, i);
    if (Number.isInteger(id) && id >= 0 && id < 32) lowPositions[id] = i;
    mask |= 1n << BigInt(id);
  }
  index = { positionById, lowPositions, mask, singles: nodes.map((id) => 1n << BigInt(id)) };
  nodeIndexes.set(nodes, index);
  return index;
}

/** A provider's hint list for one resource, given by its rule (see the file comment). */
export class HintFamily {
  readonly nodes: readonly number[];
  readonly core: FamilyCore | null;
  readonly extras: readonly BitMask[];
  readonly preferredCount: number;
  readonly alignment: SocketAlignment | null;
  /** Every node of `nodes`. */
  readonly nodeMask: BitMask;
  private readonly index: NodeIndex;
  private readonly positionById: ReadonlyMap<number, number>;
  /** `extras` as a set, built on the first lookup when they are too many to scan. */
  private extraSet: ReadonlySet<BitMask> | null = null;
  /** Whether the core has any mask (its largest mask, `allowed`, passes). */
  readonly coreIsEmpty: boolean;

  constructor(spec: HintFamilySpec) {
    this.nodes = spec.nodes;
    this.preferredCount = spec.preferredCount;
    this.alignment = spec.alignment;
    const index = nodeIndexOf(spec.nodes);
    this.index = index;
    this.positionById = index.positionById;
    this.nodeMask = index.mask;
    this.extras = spec.extras.length === 0 ? NO_EXTRAS : distinctExtras(spec.extras, index.mask);
    this.core = spec.core;
    this.coreIsEmpty = spec.core === null || !this.inCore(spec.core.allowed);
  }

  /** Position of a NUMA id in `nodes`, or -1. */
  positionOf(id: number): number {
    return this.positionById.get(id) ?? -1;
  }

  /** The family lists no mask at all (the provider answers `[]`, or nothing for memory). */
  get isEmpty(): boolean {
    return this.coreIsEmpty && this.extras.length === 0;
  }

  /** Whether the upward-closed part holds `mask`. */
  inCore(mask: BitMask): boolean {
    const core = this.core;
    if (core === null || mask === 0n) return false;
    if ((mask & ~core.allowed) !== 0n || (mask & core.required) !== core.required) return false;
    if (maskCount(mask) < core.minCount) return false;
    for (const c of core.constraints) if (this.sumOver(c.values, mask) < c.need) return false;
    return true;
  }

  /** Σ values over the mask's nodes, in ascending id order (a mask of low ids read as a number). */
  private sumOver(values: readonly number[], mask: BitMask): number {
    let sum = 0;
    if (mask > LOW32) {
      for (const id of maskBits(mask)) sum += values[this.positionById.get(id)!];
      return sum;
    }
    const positions = this.index.lowPositions;
    for (let w = Number(mask); w !== 0; ) {
      const low = w & -w;
      sum += values[positions[31 - Math.clz32(low)]];
      w ^= low;
    }
    return sum;
  }

  private isExtra(mask: BitMask): boolean {
    const extras = this.extras;
    if (extras.length <= SCANNED_EXTRAS) return extras.includes(mask);
    this.extraSet ??= new Set(extras);
    return this.extraSet.has(mask);
  }

  /** Whether the provider lists `mask`. */
  contains(mask: BitMask): boolean {
    if (mask === 0n || (mask & ~this.nodeMask) !== 0n) return false;
    return this.isExtra(mask) || this.inCore(mask);
  }

  /** A listed mask's preferred flag: `minAffinitySize` nodes, or aligned by socket. */
  preferredFlag(mask: BitMask): boolean {
    return maskCount(mask) === this.preferredCount || this.isSocketAligned(mask);
  }

  /** Listed and preferred. */
  prefers(mask: BitMask): boolean {
    return this.contains(mask) && this.preferredFlag(mask);
  }

  /** The hint the provider lists for `mask`, or null. */
  hintFor(mask: BitMask): TopologyHint | null {
    return this.contains(mask) ? { affinity: mask, preferred: this.preferredFlag(mask) } : null;
  }

  isSocketAligned(mask: BitMask): boolean {
    return this.alignment !== null && this.socketSpan(mask) === this.alignment.sockets;
  }

  /** How many sockets the nodes of `mask` span (0 without `align-by-socket`). */
  socketSpan(mask: BitMask): number {
    const a = this.alignment;
    if (a === null) return 0;
    const seen = new Set<number>();
    for (const id of maskBits(mask)) {
      const p = this.positionById.get(id);
      if (p !== undefined) for (const s of a.socketsAt[p]) seen.add(s);
    }
    return seen.size;
  }

  /** The preferred single-node hints in node order: what `single-numa-node` keeps of the list. */
  preferredSingles(): TopologyHint[] {
    const out: TopologyHint[] = [];
    for (const mask of this.index.singles)
      if (this.prefers(mask)) out.push({ affinity: mask, preferred: true });
    return out;
  }
}

/** The extras without repeats (first occurrences, in order), empty masks and masks outside `nodeMask`. */
function distinctExtras(extras: readonly BitMask[], nodeMask: BitMask): BitMask[] {
  const outside = ~nodeMask;
  const out: BitMask[] = [];
  // A few extras (the usual case) are checked against what is kept so far; a set only for many.
  const seen = extras.length > SCANNED_EXTRAS ? new Set<BitMask>() : null;
  for (const m of extras) {
    if (m === 0n || (m & outside) !== 0n) continue;
    if (seen === null ? out.includes(m) : seen.has(m)) continue;
    seen?.add(m);
    out.push(m);
  }
  return out;
}

/** A resource's hints as a provider gives them: a list, or a family. */
export type HintList = readonly TopologyHint[] | HintFamily;

/**
 * A provider's answer with families left implicit: like `ProviderHints`, null = no preference,
 * per resource null = no preference, an empty list or empty family = cannot be satisfied.
 */
export type ProviderAnswer = ReadonlyMap<string, HintList | null> | null;

export function isHintFamily(list: HintList | null | undefined): list is HintFamily {
  return list instanceof HintFamily;
}
