import { type BitMask, LOW32 } from "./bitmask.js";
import { compareHints, type MergeContext, type MergedHint, maskPrecedes } from "./compare.js";
import { HintFamily, type SumConstraint } from "./hint-family.js";
import type { HintSource } from "./implicit-slots.js";
import type { NUMAInfo } from "./numa-info.js";

/*
 * The merge of topology-manager.md §4 for machines of a few NUMA nodes, where every set of
 * listed masks fits in the 2^N bits of one integer: each slot (list or family) becomes the set of
 * its listed masks as position masks (small integers), and the two phases of the fast merge
 * (merge-fast.ts) run over those sets, without allocating. Same result as the fold for the same reason: the fold is the minimum of
 * a strict order over the merged hints, so the preferred phase needs only the masks every slot
 * prefers and the non-preferred phase only the set of reachable ANDs. The implicit merge pays a
 * fixed set-up (node spaces, covers, searches) that dominates on 2–4 nodes; this pays 2^N per slot.
 */

/**
 * Up to this many NUMA nodes the node runs this merge (measured on 2–8 nodes: 2–4x faster than
 * the implicit merge up to 4, mixed at 5–6, slower from 7). A set of position masks is held as
 * the bits of one integer, so the 2^N position masks must fit in 16 bits.
 */
export const SMALL_MERGE_MAX_NODES = 4;

interface SmallSpace {
  readonly n: number;
  readonly full: number;
  /** The NUMA mask of every position mask. */
  readonly masks: readonly BitMask[];
  /** The non-preferred merged hint of every position mask: the fold compares them by identity. */
  readonly nonPreferred: readonly Readonly<MergedHint>[];
  /** Nodes per position mask. */
  readonly counts: Uint8Array;
  /** Position of each NUMA id below 32 (-1: not a node of the machine). */
  readonly lowIdPositions: Int8Array;
  readonly positionById: ReadonlyMap<number, number>;
  /** Scratch for one family: the index in the family's node list of each position (-1: none). */
  readonly indexAt: Int8Array;
  /** Scratch for one merge: every slot's set of listed position masks, in slot order. */
  readonly listedSets: number[];
}

const spaces = new WeakMap<NUMAInfo, SmallSpace>();

function smallSpaceOf(numa: NUMAInfo): SmallSpace {
  let space = spaces.get(numa);
  if (space) return space;
  const n = numa.nodes.length;
  const size = 1 << n;
  const masks: BitMask[] = new Array(size);
  const counts = new Uint8Array(size);
  for (let pm = 0; pm < size; pm++) {
    let m = 0n;
    for (let p = 0; p < n; p++)
      if (pm & (1 << p)) {
        m |= 1n << BigInt(numa.nodes[p]);
        counts[pm]++;
      }
    masks[pm] = m;
  }
  const lowIdPositions = new Int8Array(32).fill(-1);
  for (const [p, id] of numa.nodes.entries()) if (id < 32) lowIdPositions[id] = p;
  space = {
    n,
    full: size - 1,
    masks,
    nonPreferred: masks.map((affinity) => Object.freeze({ affinity, preferred: false })),
    counts,
    lowIdPositions,
    positionById: new Map(numa.nodes.map((id, p) => [id, p] as const)),
    indexAt: new Int8Array(n),
    listedSets: [],
  };
  spaces.set(numa, space);
  return space;
}

/** The position of a NUMA id, or -1 when it is not a node of the machine. */
function positionOf(space: SmallSpace, id: number): number {
  // An index that is not an integer 0..31 reads undefined: such ids take the map.
  const p = space.lowIdPositions[id];
  return p === undefined ? (space.positionById.get(id) ?? -1) : p;
}

/** A NUMA mask as a position mask, or -1 when it names a node outside the machine. */
function positionMask(space: SmallSpace, mask: BitMask): number {
  // Masks of the low 32 ids are read as a number: bigint shifts allocate.
  if (mask < 0n || mask > LOW32) return positionMaskWide(space, mask);
  let pm = 0;
  let w = Number(mask);
  while (w !== 0) {
    const low = w & -w;
    const p = space.lowIdPositions[31 - Math.clz32(low)];
    if (p < 0) return -1;
    pm |= 1 << p;
    w ^= low;
  }
  return pm;
}

function positionMaskWide(space: SmallSpace, mask: BitMask): number {
  let pm = 0;
  let rest = mask;
  for (let id = 0; rest !== 0n; id++, rest >>= 1n) {
    if ((rest & 1n) === 0n) continue;
    const p = space.positionById.get(id);
    if (p === undefined) return -1;
    pm |= 1 << p;
  }
  return pm;
}

/**
 * What the merge keeps of the slots besides their listed sets (`SmallSpace.listedSets`): the
 * preferred position masks of every slot without a preferred null hint (ANDed), of every slot
 * (ORed), how many slots have no preferred null hint, and B of `findNarrowestHint`.
 */
interface SlotSummary {
  commonPreferred: number;
  anyPreferred: number;
  needed: number;
  widestNarrowest: number;
}

/**
 * Reads one slot into the summary: its listed set (null = every node), which of them are
 * preferred and its fewest nodes of a listed non-null mask. False when the slot names a node
 * outside the machine; a slot listing nothing leaves listed set 0.
 */
function readSlot(space: SmallSpace, source: HintSource, summary: SlotSummary): boolean {
  let listed = 0;
  let preferred = 0;
  let preferredNull = false;
  let narrowest = 0;
  if (source instanceof HintFamily) {
    const family = familyListed(space, source);
    if (family === null) return false;
    listed = family;
    for (let pm = 1; pm <= space.full; pm++) {
      if (((family >>> pm) & 1) === 0) continue;
      const c = space.counts[pm];
      if (narrowest === 0 || c < narrowest) narrowest = c;
      if (
        c === source.preferredCount ||
        (source.alignment !== null && source.isSocketAligned(space.masks[pm]))
      )
        preferred |= 1 << pm;
    }
  } else {
    for (const h of source) {
      if (h.affinity === null) {
        if (h.preferred) preferredNull = true;
        listed |= 1 << space.full;
        continue;
      }
      const pm = positionMask(space, h.affinity);
      // The fold compares raw masks for the preferred flag; a node outside the machine would make
      // two masks differ that the tables see as equal.
      if (pm <= 0) return false;
      const c = space.counts[pm];
      if (narrowest === 0 || c < narrowest) narrowest = c;
      listed |= 1 << pm;
      if (h.preferred) preferred |= 1 << pm;
    }
  }
  space.listedSets.push(listed);
  summary.anyPreferred |= preferred;
  if (!preferredNull) {
    summary.needed++;
    summary.commonPreferred &= preferred;
  }
  if (narrowest > summary.widestNarrowest) summary.widestNarrowest = narrowest;
  return true;
}

/**
 * The family's listed masks as a set of position masks (what `HintFamily.contains` accepts),
 * read with integer arithmetic; null when the family names a node outside the machine.
 */
function familyListed(space: SmallSpace, family: HintFamily): number | null {
  let listed = 0;
  for (const e of family.extras) {
    const pm = positionMask(space, e);
    if (pm <= 0) return null;
    listed |= 1 << pm;
  }
  const core = family.core;
  if (core === null || family.coreIsEmpty) return listed;
  const allowed = positionMask(space, core.allowed);
  const required = positionMask(space, core.required);
  if (allowed < 0 || required < 0) return null;
  const indexAt = space.indexAt.fill(-1);
  const nodes = family.nodes;
  for (let i = 0; i < nodes.length; i++) {
    const p = positionOf(space, nodes[i]);
    if (p < 0) return null;
    indexAt[p] = i;
  }
  for (let pm = 1; pm <= space.full; pm++) {
    if ((pm & ~allowed) !== 0 || (pm & required) !== required || space.counts[pm] < core.minCount) continue;
    if (meetsConstraints(space, core.constraints, pm)) listed |= 1 << pm;
  }
  return listed;
}

/** Every constraint's sum over the position mask reaches its need. */
function meetsConstraints(space: SmallSpace, constraints: readonly SumConstraint[], pm: number): boolean {
  for (const c of constraints) if (!(constraintSum(space, c.values, pm) >= c.need)) return false;
  return true;
}

/**
 * Σ values over the position mask's nodes (0 for a position the family does not list), added
 * from the highest position down: the order the sums were tabulated in before, kept so that
 * inexact values compare as they did.
 */
function constraintSum(space: SmallSpace, values: readonly number[], pm: number): number {
  let sum = 0;
  for (let p = space.n - 1; p >= 0; p--) {
    if ((pm & (1 << p)) === 0) continue;
    const i = space.indexAt[p];
    sum += i < 0 ? 0 : values[i];
  }
  return sum;
}

/**
 * The merged hint, or null when the input is not one this merge decides (too many nodes, masks
 * naming nodes outside the machine); the caller then runs the general merges.
 */
export function mergeSmall(sources: readonly HintSource[], ctx: MergeContext): MergedHint | null {
  const numa = ctx.numa;
  if (numa.nodes.length > SMALL_MERGE_MAX_NODES || numa.nodes.length === 0) return null;
  const D = numa.defaultAffinity;
  for (const s of sources)
    if (!(s instanceof HintFamily) && s.length === 0) return { affinity: D, preferred: false };
  const space = smallSpaceOf(numa);
  space.listedSets.length = 0;
  const summary: SlotSummary = {
    // Every non-empty position mask, until a slot's preferred set narrows it.
    commonPreferred: (1 << (space.full + 1)) - 2,
    anyPreferred: 0,
    needed: 0,
    widestNarrowest: 0,
  };
  for (const source of sources) {
    if (!readSlot(space, source, summary)) return null;
    if (space.listedSets[space.listedSets.length - 1] === 0) return { affinity: D, preferred: false };
  }
  const preferred = bestPreferred(space, summary, ctx);
  if (preferred !== null) return { affinity: preferred, preferred: true };
  return { affinity: bestNonPreferred(space, summary.widestNarrowest, ctx) ?? D, preferred: false };
}

/** merge-fast.ts step 2 over position sets: masks every slot without a preferred null hint prefers. */
function bestPreferred(space: SmallSpace, summary: SlotSummary, ctx: MergeContext): BitMask | null {
  const candidates =
    summary.needed === 0 ? summary.anyPreferred | (1 << space.full) : summary.commonPreferred;
  let best: BitMask | null = null;
  for (let pm = 1; pm <= space.full; pm++) {
    if (((candidates >>> pm) & 1) === 0) continue;
    const m = space.masks[pm];
    if (best === null || maskPrecedes(ctx, m, best)) best = m;
  }
  return best;
}

/** merge-fast.ts step 3 over position sets: every reachable non-empty AND, folded in the fold's order. */
function bestNonPreferred(space: SmallSpace, B: number, ctx: MergeContext): BitMask | null {
  const full = space.full;
  let reach = 1 << full;
  for (const listed of space.listedSets) {
    let next = 0;
    for (let a = 1; a <= full; a++) {
      if (((reach >>> a) & 1) === 0) continue;
      for (let rest = listed; rest !== 0; ) {
        const low = rest & -rest;
        next |= 1 << (a & (31 - Math.clz32(low)));
        rest ^= low;
      }
    }
    reach = next;
  }
  let best: Readonly<MergedHint> | null = null;
  for (let pm = 1; pm <= full; pm++)
    if (((reach >>> pm) & 1) === 1) best = compareHints(B, best, space.nonPreferred[pm], ctx);
  return best === null ? null : best.affinity;
}
