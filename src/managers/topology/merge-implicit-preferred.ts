import { type BitMask, maskCount } from "./bitmask.js";
import { type MergeContext, maskPrecedes } from "./compare.js";
import type { FamilySlot, MergeModel, MergeSlot, NodeSpace } from "./implicit-slots.js";
import { type Covering, SubsetSearch } from "./subset-search.js";

/*
 * The preferred phase of the implicit merge (topology-manager.md §4): a permutation is preferred
 * iff every hint in it is preferred and its non-null masks are one mask M; the merged affinity is
 * then D & M. So M must be a preferred mask of every slot that has no preferred null hint. When
 * one of those slots is a list, its preferred masks are the candidates; when all are families,
 * the candidates are the families' listed extras and the masks every core holds, searched by size
 * in the merge's order.
 */

function hasPreferredNull(slot: MergeSlot): boolean {
  return slot.kind === "list" && slot.hints.some((h) => h.preferred && h.affinity === null);
}

function preferredMasks(slot: MergeSlot & { kind: "list" }): Set<BitMask> {
  const out = new Set<BitMask>();
  for (const h of slot.hints) if (h.preferred && h.affinity !== null) out.add(h.affinity);
  return out;
}

/** The best affinity of a preferred permutation, or null when no preferred permutation is non-empty. */
export function bestPreferredAffinity(model: MergeModel, ctx: MergeContext): BitMask | null {
  const D = ctx.numa.defaultAffinity;
  let best: BitMask | null = null;
  const consider = (m: BitMask) => {
    const a = m & D;
    if (a !== 0n && (best === null || maskPrecedes(ctx, a, best))) best = a;
  };
  const needed = model.slots.filter((s) => !hasPreferredNull(s));
  if (needed.length === 0) {
    consider(D);
    for (const s of model.slots)
      if (s.kind === "list")
        for (const h of s.hints) if (h.preferred && h.affinity !== null) consider(h.affinity);
    return best;
  }
  const sets = new Map<MergeSlot, Set<BitMask>>();
  for (const s of needed) if (s.kind === "list") sets.set(s, preferredMasks(s));
  const offeredByAll = (m: BitMask) =>
    needed.every((s) => (s.kind === "family" ? s.family.prefers(m) : sets.get(s)!.has(m)));

  const firstList = needed.find((s) => s.kind === "list");
  if (firstList !== undefined) {
    for (const m of sets.get(firstList)!) if (offeredByAll(m)) consider(m);
    return best;
  }
  const families = needed as (FamilySlot & { kind: "family" })[];
  const fromCores = bestCommonCoreMask(families, model);
  if (fromCores !== null) consider(fromCores);
  // An extra can only win with at most as many nodes as the cores' best.
  const most = best === null ? Number.POSITIVE_INFINITY : maskCount(best);
  for (const s of families)
    for (const e of s.extras) {
      if (maskCount(e) > most || (best !== null && !maskPrecedes(ctx, e & D, best))) continue;
      if (s.family.preferredFlag(e) && offeredByAll(e)) consider(e);
    }
  return best;
}

/**
 * The best mask every family's core holds and prefers: sizes ascending (each family prefers its
 * `minAffinitySize`, and with `align-by-socket` any size spanning the right number of sockets),
 * within a size in the merge's order.
 */
function bestCommonCoreMask(families: readonly FamilySlot[], model: MergeModel): BitMask | null {
  const { space, distances } = model;
  const n = space.n;
  const allowed = new Array<boolean>(n).fill(true);
  const required = new Array<boolean>(n).fill(false);
  const constraints: Covering[] = [];
  const unique: FamilySlot[] = [];
  let minCount = 1;
  let fixedSize = 0;
  let requiredCount = 0;
  let allowedCount = n;
  for (const f of families) {
    const core = f.core;
    if (core === null) return null;
    if (unique.some((u) => u.family === f.family)) continue;
    unique.push(f);
    const family = f.family;
    if (family.alignment === null) {
      if (fixedSize !== 0 && fixedSize !== family.preferredCount) return null;
      fixedSize = family.preferredCount;
    }
    minCount = Math.max(minCount, core.minCount);
    for (const c of core.constraints) constraints.push(c);
    for (let p = 0; p < n; p++) {
      if (allowed[p] && !core.allowed[p]) {
        allowed[p] = false;
        allowedCount--;
      }
      if (!required[p] && core.required[p]) {
        required[p] = true;
        requiredCount++;
      }
    }
  }
  const lowest = Math.max(minCount, requiredCount);
  const first = fixedSize !== 0 ? fixedSize : lowest;
  const last = fixedSize !== 0 ? fixedSize : allowedCount;
  if (first < lowest || last > allowedCount) return null;
  const base = { n, allowed, required, constraints, distances };
  let search: SubsetSearch | null = null;
  for (let size = first; size <= last; size++) {
    const aligning = unique.filter((f) => f.family.preferredCount !== size);
    if (aligning.length === 0 && size === 1) {
      const single = bestSingle(base);
      if (single !== null) return space.maskOf([single]);
      continue;
    }
    const found =
      aligning.length === 0
        ? (search ??= new SubsetSearch(base)).bestOfSize(size)
        : new SubsetSearch({
            ...base,
            kind: socketKinds(aligning, space),
            accept: (at) => aligning.every((f) => f.family.isSocketAligned(space.maskOf(at))),
            viable: (at) =>
              aligning.every((f) => f.family.socketSpan(space.maskOf(at)) <= f.family.alignment!.sockets),
          }).bestOfSize(size);
    if (found !== null) return space.maskOf(found);
  }
  return null;
}

/** The best single position meeting every constraint: the lowest, or the closest with distances. */
function bestSingle(p: {
  n: number;
  allowed: readonly boolean[];
  required: readonly boolean[];
  constraints: readonly { values: ArrayLike<number>; need: number }[];
  distances: Float64Array | null;
}): number | null {
  const { n, allowed, required, constraints, distances: d } = p;
  let requiredAt = -1;
  for (let v = 0; v < n; v++)
    if (required[v]) {
      if (requiredAt >= 0) return null;
      requiredAt = v;
    }
  let best = -1;
  for (let v = 0; v < n; v++) {
    if (!allowed[v] || (requiredAt >= 0 && v !== requiredAt)) continue;
    if (best >= 0 && (d === null || d[v * n + v] >= d[best * n + best])) continue;
    if (!constraints.every((c) => c.values[v] >= c.need)) continue;
    best = v;
    if (d === null) break;
  }
  return best < 0 ? null : best;
}

/** Positions spanning different sockets in some aligning family are never interchangeable. */
function socketKinds(aligning: readonly FamilySlot[], space: NodeSpace): Int32Array {
  const ids = new Map<string, number>();
  return Int32Array.from({ length: space.n }, (_, p) => {
    const key = aligning
      .map((f) => {
        const at = f.family.positionOf(space.ids[p]);
        return at < 0 ? "-" : f.family.alignment!.socketsAt[at].join(",");
      })
      .join("|");
    let id = ids.get(key);
    if (id === undefined) ids.set(key, (id = ids.size));
    return id;
  });
}
