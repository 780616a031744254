import { NonPreferredOrder } from "./achievable.js";
import { type BitMask, maskCount } from "./bitmask.js";
import type { MergeContext } from "./compare.js";
import { CoreCover, type CoreSlot } from "./cover.js";
import type { MergeModel, NodeSpace } from "./implicit-slots.js";
import { bigMaskSpace, type MaskSpace } from "./mask-space.js";
import { SubsetSearch } from "./subset-search.js";

/*
 * The non-preferred phase of the implicit merge: when no preferred permutation is non-empty, the
 * result is the best non-empty AND of one listed mask per slot under the order `compareHints`
 * implies (achievable.ts). Each slot contributes either an explicit mask (a list's mask, a
 * family's extra) or a mask of its family's core. A depth-first walk over the explicit choices
 * (distinct partial ANDs, best bound first, cut by bound) ends in leaves (P, cores): the best AND
 * X ⊆ P the chosen cores can reach.
 *
 * In a leaf the reachable ANDs are upward closed within W (P and every core's allowed nodes): if
 * the cores reach X they reach any X' ⊇ X by adding X' \ X to each mask. And X is reachable iff
 * the nodes of W \ X can be shared among the cores (cover.ts). So the reachable sizes are an
 * interval [lo, |W|]: the best size is B itself when B lies in it, |W| when B is above it, lo when
 * B is below. The best mask of that size is usually the best one of W regardless of the cores (its
 * lowest nodes, or its closest ones with `prefer-closest-numa-nodes`), checked once; otherwise a
 * search in the merge's order asks the cover, node by node from the highest, whether the nodes
 * left out so far can still be shared (without distances it descends without backtracking).
 */

interface Choice {
  /** The choice's mask cut to the default affinity; a core's allowed nodes for a core. */
  mask: BitMask;
  core: CoreSlot | null;
  /** 0 for the core, then the extras / the list's masks: interchangeable slots choose in order. */
  index: number;
}

function choicesOf(model: MergeModel, D: BitMask): Choice[][] {
  return model.slots.map((slot) => {
    const out: Choice[] = [];
    const seen = new Set<BitMask>();
    if (slot.kind === "list") {
      for (const h of slot.hints) {
        const m = h.affinity === null ? D : h.affinity & D;
        if (m === 0n || seen.has(m)) continue;
        seen.add(m);
        out.push({ mask: m, core: null, index: out.length + 1 });
      }
      return out;
    }
    if (slot.core !== null) out.push({ mask: slot.coreMask & D, core: slot.core, index: 0 });
    for (const e of slot.extras) {
      const m = e & D;
      if (m === 0n || seen.has(m)) continue;
      seen.add(m);
      out.push({ mask: m, core: null, index: out.length + 1 });
    }
    return out;
  });
}

const spaces = new Map<BitMask, MaskSpace<bigint>>();
const SPACE_CACHE_LIMIT = 32;

function maskSpaceOf(D: BitMask): MaskSpace<bigint> {
  let space = spaces.get(D);
  if (space) return space;
  if (spaces.size >= SPACE_CACHE_LIMIT) spaces.clear();
  spaces.set(D, (space = bigMaskSpace(D)));
  return space;
}

/** The best non-empty AND, or null when every AND is empty. */
export function bestNonPreferredAffinity(model: MergeModel, ctx: MergeContext, B: number): BitMask | null {
  const D = ctx.numa.defaultAffinity;
  const order = new NonPreferredOrder(maskSpaceOf(D), ctx, B);
  const choices = choicesOf(model, D);
  if (choices.some((c) => c.length === 0)) return null;
  const S = choices.length;
  const keep: BitMask[] = new Array(S + 1);
  keep[S] = D;
  for (let d = S - 1; d >= 0; d--) {
    let union = 0n;
    for (const c of choices[d]) union |= c.mask;
    keep[d] = keep[d + 1] & union;
  }
  const root = keep[0];
  if (root === 0n) return null;
  const rootRank = order.boundRank(maskCount(root));
  const rootBound = order.boundMask(root);
  const finished = (found: BitMask | null) =>
    found !== null &&
    (rootRank !== order.rank(maskCount(found))
      ? rootRank > order.rank(maskCount(found))
      : !order.boundBeats(rootBound, found));

  const groups = model.slots.map((s) => (s.kind === "family" ? s.group : -1));
  const visited = Array.from({ length: S + 1 }, () => new Set<string>());
  let best: BitMask | null = null;
  const leaves = new LeafSolver(model, order);

  const visit = (
    depth: number,
    partial: BitMask,
    cores: readonly CoreSlot[],
    coreKey: string,
    last: number,
  ) => {
    if (depth === S) {
      const x = leaves.best(partial, cores);
      if (x !== null && (best === null || order.precedes(x, best))) best = x;
      return;
    }
    const next = keep[depth + 1];
    const symmetric = depth > 0 && groups[depth] >= 0 && groups[depth] === groups[depth - 1];
    const carriesOrder = depth + 1 < S && groups[depth] >= 0 && groups[depth + 1] === groups[depth];
    const buckets: { x: BitMask; choice: Choice; key: string }[][] = [];
    for (const choice of choices[depth]) {
      if (symmetric && choice.index < last) continue;
      const x = partial & choice.mask & next;
      if (x === 0n) continue;
      const key = choice.core ? `${coreKey}${depth},` : coreKey;
      const seenKey = `${x}|${key}|${carriesOrder ? choice.index : ""}`;
      if (visited[depth + 1].has(seenKey)) continue;
      visited[depth + 1].add(seenKey);
      const rank = order.boundRank(maskCount(x));
      if (!order.canBeat(x, rank, best)) continue;
      (buckets[rank] ??= []).push({ x, choice, key });
    }
    for (const bucket of buckets) {
      if (!bucket) continue;
      for (const { x, choice, key } of bucket) {
        if (finished(best)) return;
        if (!order.canBeat(x, order.boundRank(maskCount(x)), best)) continue;
        visit(depth + 1, x, choice.core ? [...cores, choice.core] : cores, key, choice.index);
      }
    }
  };
  visit(0, root, [], "", 0);
  return best;
}

/** Leaves of the walk: the best AND within P that the chosen cores reach. */
class LeafSolver {
  private readonly space: NodeSpace;

  constructor(
    private readonly model: MergeModel,
    private readonly order: NonPreferredOrder<bigint>,
  ) {
    this.space = model.space;
  }

  best(partial: BitMask, cores: readonly CoreSlot[]): BitMask | null {
    if (cores.length === 0) return partial;
    const { n } = this.space;
    const W = this.space.positionsIn(partial).filter((p) => cores.every((c) => c.allowed[p]));
    const w = W.length;
    if (w === 0) return null;
    const cover = new CoreCover(cores, n);
    const B = this.order.bestNonPreferredAffinityCount;
    const size = targetSize(cover, W, B);
    if (size === w) return this.space.maskOf(W);
    const inW = new Array<boolean>(n).fill(false);
    for (const p of W) inW[p] = true;
    const chosenSet = new Array<boolean>(n).fill(false);
    const split = (chosen: readonly number[], below: number) => {
      for (const p of chosen) chosenSet[p] = true;
      const must: number[] = [];
      const may: number[] = [];
      for (const p of W) {
        if (p < below) may.push(p);
        else if (!chosenSet[p]) must.push(p);
      }
      for (const p of chosen) chosenSet[p] = false;
      return { must, may };
    };
    // Usually the best candidate of W regardless of the cores (its lowest nodes, or the closest
    // ones) is reachable already, and then it is the answer.
    const required = new Array<boolean>(n).fill(false);
    const unconstrained =
      this.model.distances === null
        ? W.slice(0, size)
        : new SubsetSearch({
            n,
            allowed: inW,
            required,
            constraints: [],
            distances: this.model.distances,
          }).bestOfSize(size);
    if (unconstrained !== null && cover.canDrop(split(unconstrained, 0).must, [], 0))
      return this.space.maskOf(unconstrained);
    const search = new SubsetSearch({
      n,
      allowed: inW,
      required,
      constraints: [],
      distances: this.model.distances,
      kind: Int32Array.from({ length: n }, (_, p) => cover.kindOf(p)),
      completes: (chosen, below) => {
        const { must, may } = split(chosen, below);
        const q = may.length - (size - chosen.length);
        return q >= 0 && cover.canDrop(must, may, q);
      },
      accept: (chosen) => cover.canDrop(split(chosen, 0).must, [], 0),
    });
    const found = search.bestOfSize(size);
    return found === null ? null : this.space.maskOf(found);
  }
}

/**
 * The size of the best reachable AND within W: B when reachable (sizes B..|W| are), |W| when B is
 * at least |W|, else the smallest reachable size.
 */
function targetSize(cover: CoreCover, W: readonly number[], B: number): number {
  const w = W.length;
  if (B >= w) return w;
  if (B >= 1 && cover.canDrop([], W, w - B)) return B;
  // Reachable sizes form [lo, w]: find lo above max(B, 0) by bisection.
  let lo = Math.max(B + 1, 1);
  let hi = w;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cover.canDrop([], W, w - mid)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
