import type { BitMask } from "./bitmask.js";
import { compareHints, type MergeContext, type MergedHint, maskPrecedes } from "./compare.js";
import { HintFamily } from "./hint-family.js";
import type { HintSource } from "./implicit-slots.js";
import type { NUMAInfo } from "./numa-info.js";

/*
 * The merge of topology-manager.md §4 for machines of a few NUMA nodes, where every set of
 * listed masks fits in a table of 2^N entries: each slot (list or family) becomes its listed
 * masks as position masks (small integers), and the two phases of the fast merge (merge-fast.ts)
 * run over those tables. Same result as the fold for the same reason: the fold is the minimum of
 * a strict order over the merged hints, so the preferred phase needs only the masks every slot
 * prefers and the non-preferred phase only the set of reachable ANDs. The implicit merge pays a
 * fixed set-up (node spaces, covers, searches) that dominates on 2–4 nodes; this pays 2^N per slot.
 */

/** Up to this many NUMA nodes the node runs this merge (measured on 2–8 nodes: 2–4x faster than the implicit merge up to 4, mixed at 5–6, slower from 7). */
export const SMALL_MERGE_MAX_NODES = 4;

interface SmallSpace {
  readonly n: number;
  readonly full: number;
  /** The NUMA mask of every position mask. */
  readonly masks: readonly BitMask[];
  /** Nodes per position mask. */
  readonly counts: Uint8Array;
  readonly positionById: ReadonlyMap<number, number>;
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
  const positionById = new Map(numa.nodes.map((id, p) => [id, p] as const));
  space = { n, full: size - 1, masks, counts, positionById };
  spaces.set(numa, space);
  return space;
}

/** A NUMA mask as a position mask, or -1 when it names a node outside the machine. */
function positionMask(space: SmallSpace, mask: BitMask): number {
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

/** One slot as tables: distinct listed masks (null = every node), and which of them are preferred. */
interface SmallSlot {
  masks: number[];
  preferred: number[];
  preferredNull: boolean;
  /** Fewest nodes of a listed non-null mask (0 without one): `findNarrowestHint`. */
  narrowest: number;
}

function slotOf(
  space: SmallSpace,
  source: HintSource,
  seen: Uint8Array,
  scratch: Uint8Array,
): SmallSlot | null {
  seen.fill(0);
  const slot: SmallSlot = { masks: [], preferred: [], preferredNull: false, narrowest: 0 };
  const add = (pm: number, preferred: boolean, isNull: boolean) => {
    if (!isNull) {
      const c = space.counts[pm];
      if (slot.narrowest === 0 || c < slot.narrowest) slot.narrowest = c;
    }
    if ((seen[pm] & 1) === 0) {
      seen[pm] |= 1;
      slot.masks.push(pm);
    }
    if (preferred && !isNull && (seen[pm] & 2) === 0) {
      seen[pm] |= 2;
      slot.preferred.push(pm);
    }
  };
  if (source instanceof HintFamily) {
    const listed = familyTable(space, source, scratch);
    if (listed === null) return null;
    for (const pm of listed) {
      const preferred =
        space.counts[pm] === source.preferredCount ||
        (source.alignment !== null && source.isSocketAligned(space.masks[pm]));
      add(pm, preferred, false);
    }
    return slot;
  }
  for (const h of source) {
    if (h.affinity === null) {
      if (h.preferred) slot.preferredNull = true;
      add(space.full, false, true);
      continue;
    }
    const pm = positionMask(space, h.affinity);
    // The fold compares raw masks for the preferred flag; a node outside the machine would make
    // two masks differ that the tables see as equal.
    if (pm <= 0) return null;
    add(pm, h.preferred, false);
  }
  return slot;
}

/**
 * The family's listed masks as position masks (what `HintFamily.contains` accepts), read with
 * integer arithmetic; null when the family names a node outside the machine.
 */
function familyTable(space: SmallSpace, family: HintFamily, scratch: Uint8Array): number[] | null {
  const out: number[] = [];
  scratch.fill(0);
  for (const e of family.extras) {
    const pm = positionMask(space, e);
    if (pm <= 0) return null;
    scratch[pm] = 1;
  }
  const core = family.core;
  if (core !== null && !family.coreIsEmpty) {
    const allowed = positionMask(space, core.allowed);
    const required = positionMask(space, core.required);
    if (allowed < 0 || required < 0) return null;
    const at = family.nodes.map((id) => space.positionById.get(id) ?? -1);
    if (at.includes(-1)) return null;
    const sums = core.constraints.map((c) => {
      // Sums per position mask, built from the mask without its lowest bit.
      const table = new Float64Array(space.full + 1);
      const byPosition = new Float64Array(space.n);
      for (let i = 0; i < at.length; i++) byPosition[at[i]] = c.values[i];
      for (let pm = 1; pm <= space.full; pm++) {
        const low = pm & -pm;
        table[pm] = table[pm ^ low] + byPosition[31 - Math.clz32(low)];
      }
      return { table, need: c.need };
    });
    for (let pm = 1; pm <= space.full; pm++) {
      if ((pm & ~allowed) !== 0 || (pm & required) !== required || space.counts[pm] < core.minCount) continue;
      if (sums.every((c) => c.table[pm] >= c.need)) scratch[pm] = 1;
    }
  }
  for (let pm = 1; pm <= space.full; pm++) if (scratch[pm] === 1) out.push(pm);
  return out;
}

/**
 * The merged hint, or null when the input is not one this merge decides (too many nodes, masks
 * naming nodes outside the machine); the caller then runs the general merges.
 */
export function mergeSmall(sources: readonly HintSource[], ctx: MergeContext): MergedHint | null {
  const numa = ctx.numa;
  if (numa.nodes.length > SMALL_MERGE_MAX_NODES || numa.nodes.length === 0) return null;
  const D = numa.defaultAffinity;
  if (sources.some((s) => !(s instanceof HintFamily) && s.length === 0))
    return { affinity: D, preferred: false };
  const space = smallSpaceOf(numa);
  const seen = new Uint8Array(space.full + 1);
  const scratch = new Uint8Array(space.full + 1);
  const slots: SmallSlot[] = [];
  for (const source of sources) {
    const slot = slotOf(space, source, seen, scratch);
    if (slot === null) return null;
    if (slot.masks.length === 0) return { affinity: D, preferred: false };
    slots.push(slot);
  }
  const preferred = bestPreferred(space, slots, ctx, seen);
  if (preferred !== null) return { affinity: preferred, preferred: true };
  return { affinity: bestNonPreferred(space, slots, ctx, seen) ?? D, preferred: false };
}

/** merge-fast.ts step 2 over tables: masks every slot without a preferred null hint prefers. */
function bestPreferred(
  space: SmallSpace,
  slots: readonly SmallSlot[],
  ctx: MergeContext,
  offeredBy: Uint8Array,
) {
  offeredBy.fill(0);
  let needed = 0;
  for (const slot of slots) {
    if (slot.preferredNull) continue;
    needed++;
    for (const pm of slot.preferred) offeredBy[pm]++;
  }
  let best: BitMask | null = null;
  const consider = (m: BitMask) => {
    if (best === null || maskPrecedes(ctx, m, best)) best = m;
  };
  if (needed === 0) {
    consider(space.masks[space.full]);
    for (const slot of slots) for (const pm of slot.preferred) consider(space.masks[pm]);
    return best;
  }
  for (let pm = 1; pm <= space.full; pm++) if (offeredBy[pm] === needed) consider(space.masks[pm]);
  return best;
}

/** merge-fast.ts step 3 over tables: every reachable non-empty AND, folded in the fold's order. */
function bestNonPreferred(
  space: SmallSpace,
  slots: readonly SmallSlot[],
  ctx: MergeContext,
  reach: Uint8Array,
) {
  let B = 0;
  for (const slot of slots) B = Math.max(B, slot.narrowest);
  reach.fill(0);
  reach[space.full] = 1;
  const next = new Uint8Array(reach.length);
  for (const slot of slots) {
    next.fill(0);
    for (let a = 1; a <= space.full; a++) {
      if (reach[a] === 0) continue;
      for (const m of slot.masks) next[a & m] = 1;
    }
    reach.set(next);
  }
  let best: MergedHint | null = null;
  for (let pm = 1; pm <= space.full; pm++)
    if (reach[pm] === 1) best = compareHints(B, best, { affinity: space.masks[pm], preferred: false }, ctx);
  return best === null ? null : best.affinity;
}
