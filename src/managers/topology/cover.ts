import type { Covering } from "./subset-search.js";

/*
 * Which nodes a set of upward-closed hint families can leave out of their masks together. A family
 * slot ("core") picks a mask M = allowed \ T; M must keep its required nodes, at least `minCount`
 * nodes and every threshold, i.e. for each constraint Σ values over T <= slack, where slack is
 * what the whole allowed set has beyond the need. A merged AND X is reachable from the cores iff
 * the nodes to leave out (candidate nodes not in X) can be shared among the cores that way: each
 * left-out node goes to one core, which drops it from its mask (dropping more only hurts).
 *
 * That is a multi-dimensional assignment problem; the search below is exact: depth first over the
 * nodes, with identical nodes (same cost in every core) taken in a fixed order, interchangeable
 * cores (slots of one family) with equal loads tried once, a fractional capacity bound, and a memo
 * of the states that failed.
 */

export interface CoreSlot {
  /** Slots of one family share the group: they are interchangeable. */
  readonly group: number;
  /** By position of the merge's node space. */
  readonly allowed: ArrayLike<boolean>;
  readonly required: ArrayLike<boolean>;
  readonly minCount: number;
  readonly constraints: readonly Covering[];
}

/** Whether the core's own largest mask passes: without it the core lists nothing. */
export function coreHasMasks(core: CoreSlot, n: number): boolean {
  let count = 0;
  for (let p = 0; p < n; p++) {
    if (core.allowed[p]) count++;
    else if (core.required[p]) return false;
  }
  if (count < Math.max(1, core.minCount)) return false;
  for (const c of core.constraints) {
    let sum = 0;
    for (let p = 0; p < n; p++) if (core.allowed[p]) sum += c.values[p];
    if (sum < c.need) return false;
  }
  return true;
}

const MEMO_LIMIT = 100_000;

/** The sharing problem over a fixed set of cores. */
export class CoreCover {
  private readonly S: number;
  /** Dimensions per core: its constraints, then its node count. */
  private readonly dims: Int32Array;
  /** `cost[s][p * dims[s] + j]`: what dropping p takes from core s's dimension j. */
  private readonly cost: Float64Array[];
  /** Per core, what the whole allowed set has beyond each need. */
  private readonly baseSlack: Float64Array[];
  /** `droppable[s][p]`: core s may drop p at all (not required, each cost within its slack). */
  private readonly droppable: Uint8Array[];
  /** Interchangeable nodes (same cost in every core) share an id. */
  private readonly typeId: Int32Array;

  // The search in progress.
  private slack: Float64Array[] = [];
  private items: number[] = [];
  private forced = 0;
  private failed = false;
  private readonly memo = new Set<string>();

  constructor(
    private readonly cores: readonly CoreSlot[],
    n: number,
  ) {
    const S = cores.length;
    this.S = S;
    this.dims = Int32Array.from(cores, (c) => c.constraints.length + 1);
    this.cost = cores.map((core, s) => {
      const d = this.dims[s];
      const out = new Float64Array(n * d);
      for (let p = 0; p < n; p++) {
        core.constraints.forEach((c, j) => {
          out[p * d + j] = c.values[p];
        });
        out[p * d + d - 1] = 1;
      }
      return out;
    });
    this.baseSlack = cores.map((core, s) => {
      const d = this.dims[s];
      const slack = new Float64Array(d);
      let count = 0;
      for (let p = 0; p < n; p++) {
        if (!core.allowed[p]) continue;
        count++;
        for (let j = 0; j < d - 1; j++) slack[j] += this.cost[s][p * d + j];
      }
      core.constraints.forEach((c, j) => {
        slack[j] -= c.need;
      });
      slack[d - 1] = count - Math.max(1, core.minCount);
      return slack;
    });
    this.droppable = cores.map((core, s) => {
      const d = this.dims[s];
      const out = new Uint8Array(n);
      for (let p = 0; p < n; p++) {
        if (!core.allowed[p] || core.required[p]) continue;
        let fits = true;
        for (let j = 0; j < d && fits; j++) fits = this.cost[s][p * d + j] <= this.baseSlack[s][j];
        out[p] = fits ? 1 : 0;
      }
      return out;
    });
    const ids = new Map<string, number>();
    this.typeId = new Int32Array(n);
    for (let p = 0; p < n; p++) {
      let key = "";
      for (let s = 0; s < S; s++) {
        if (!this.droppable[s][p]) key += "x;";
        else {
          const d = this.dims[s];
          for (let j = 0; j < d; j++) key += `${this.cost[s][p * d + j]},`;
          key += ";";
        }
      }
      let id = ids.get(key);
      if (id === undefined) ids.set(key, (id = ids.size));
      this.typeId[p] = id;
    }
  }

  /** Interchangeable nodes (the same cost in every core) share the id. */
  kindOf(p: number): number {
    return this.typeId[p];
  }

  /** Fraction of core s's room that dropping p uses (averaged over dimensions); Infinity if it does not fit. */
  private weight(p: number, s: number, slack: Float64Array): number {
    if (!this.droppable[s][p]) return Number.POSITIVE_INFINITY;
    const d = this.dims[s];
    const cost = this.cost[s];
    let w = 0;
    for (let j = 0; j < d; j++) {
      const c = cost[p * d + j];
      if (c === 0) continue;
      if (c > slack[j]) return Number.POSITIVE_INFINITY;
      w += c / slack[j];
    }
    return w / d;
  }

  private minWeight(p: number, slack: readonly Float64Array[]): number {
    let w = Number.POSITIVE_INFINITY;
    for (let s = 0; s < this.S; s++) w = Math.min(w, this.weight(p, s, slack[s]));
    return w;
  }

  /**
   * Whether every node of `mustDrop` and at least `q` nodes of `mayDrop` can be shared among the
   * cores. Nodes absent from both stay in every mask.
   */
  canDrop(mustDrop: readonly number[], mayDrop: readonly number[], q: number): boolean {
    if (q > mayDrop.length) return false;
    if (mustDrop.length === 0 && q <= 0) return true;
    if (this.S === 0) return false;
    const base = this.baseSlack;
    const weights = new Map<number, number>();
    for (const p of mustDrop) {
      const w = this.minWeight(p, base);
      if (w === Number.POSITIVE_INFINITY) return false;
      weights.set(p, w);
    }
    const may: number[] = [];
    for (const p of mayDrop) {
      const w = this.minWeight(p, base);
      if (w === Number.POSITIVE_INFINITY) continue;
      weights.set(p, w);
      may.push(p);
    }
    if (may.length < q) return false;
    // Hard nodes first among the forced ones, cheap ones first among the optional ones; equal
    // nodes side by side.
    const must = [...mustDrop].sort(
      (a, b) => weights.get(b)! - weights.get(a)! || this.typeId[a] - this.typeId[b],
    );
    may.sort((a, b) => weights.get(a)! - weights.get(b)! || this.typeId[a] - this.typeId[b]);
    this.items = [...must, ...may];
    this.forced = must.length;
    this.slack = base.map((s) => Float64Array.from(s));
    this.failed = false;
    this.memo.clear();
    return this.visit(0, q, 0);
  }

  /** Fractional bound: every remaining forced node and the cheapest `left` optional ones fit. */
  private bound(i: number, left: number): boolean {
    const { items, forced, slack } = this;
    let total = 0;
    const cheap: number[] = [];
    for (let t = i; t < items.length; t++) {
      const w = this.minWeight(items[t], slack);
      if (t < forced) {
        if (!Number.isFinite(w)) return false;
        total += w;
      } else if (Number.isFinite(w)) cheap.push(w);
    }
    if (cheap.length < left) return false;
    if (left > 0) {
      cheap.sort((a, b) => a - b);
      for (let t = 0; t < left; t++) total += cheap[t];
    }
    return total <= this.S + 1e-9;
  }

  private stateKey(i: number, left: number, last: number): string {
    let key = `${i},${left},${last}`;
    for (const s of this.slack) for (const v of s) key += `,${v}`;
    return key;
  }

  /** Items from i on, `left` optional ones still to drop; `last` = the previous item's core (S = kept). */
  private visit(i: number, left: number, last: number): boolean {
    const { items, forced, slack, S } = this;
    if (i === items.length || (i >= forced && left <= 0)) {
      if (left > 0) this.failed = true;
      return left <= 0;
    }
    // The first descent is greedy; bounds and the memo pay off only once something failed.
    if (this.failed && !this.bound(i, left)) return false;
    const memoKey = this.failed && this.memo.size < MEMO_LIMIT ? this.stateKey(i, left, last) : null;
    if (memoKey !== null && this.memo.has(memoKey)) return false;
    const p = items[i];
    // Equal nodes take cores in a fixed order, so each sharing is tried once.
    const from = i > 0 && i !== forced && this.typeId[items[i - 1]] === this.typeId[p] ? last : 0;
    const order: number[] = [];
    for (let s = from; s < S; s++) {
      if (!Number.isFinite(this.weight(p, s, slack[s]))) continue;
      // Interchangeable cores with the same room left: one of them is enough.
      let twin = false;
      for (let r = from; r < s && !twin; r++)
        twin = this.cores[r].group === this.cores[s].group && sameSlack(slack[r], slack[s]);
      if (!twin) order.push(s);
    }
    // Cores with the most room for this node first.
    if (order.length > 1) order.sort((a, b) => this.weight(p, a, slack[a]) - this.weight(p, b, slack[b]));
    for (const s of order) {
      const room = slack[s];
      const d = this.dims[s];
      const cost = this.cost[s];
      for (let j = 0; j < d; j++) room[j] -= cost[p * d + j];
      const ok = this.visit(i + 1, i >= forced ? left - 1 : left, s);
      for (let j = 0; j < d; j++) room[j] += cost[p * d + j];
      if (ok) return true;
    }
    if (i >= forced && items.length - i - 1 >= left && this.visit(i + 1, left, S)) return true;
    this.failed = true;
    if (memoKey !== null) this.memo.add(memoKey);
    return false;
  }
}

function sameSlack(a: Float64Array, b: Float64Array): boolean {
  if (a.length !== b.length) return false;
  for (let j = 0; j < a.length; j++) if (a[j] !== b[j]) return false;
  return true;
}
