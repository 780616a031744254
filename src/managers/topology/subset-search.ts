import { bestByClasses } from "./subset-classes.js";

/*
 * The best subset of exactly `size` positions under the merge's order (fewest nodes is fixed by
 * the size; then the smallest average distance with `prefer-closest-numa-nodes`, then the
 * numerically smallest mask) among those meeting covering constraints. Positions are bits of a
 * NUMA mask in ascending id order, so comparing position sets as binary numbers compares masks.
 *
 * Depth-first from the highest position down, leaving a position out before taking it: complete
 * subsets are met in increasing numeric order, so without distances the first one that passes is
 * the answer, and with distances a branch is cut as soon as its lower bound on the distance sum
 * reaches the best sum found (a later subset with an equal sum is numerically larger and loses
 * the tie). A branch is also cut when even the largest values left cannot reach a threshold.
 */

export interface Covering {
  readonly values: ArrayLike<number>;
  readonly need: number;
}

export interface SubsetProblem {
  readonly n: number;
  readonly allowed: ArrayLike<boolean>;
  readonly required: ArrayLike<boolean>;
  readonly constraints: readonly Covering[];
  /** Integer distances, row-major n×n by position; null orders by numeric value only. */
  readonly distances: Float64Array | null;
  /** Exact test of a complete subset (positions descending), for rules the constraints leave out. */
  readonly accept?: (positions: readonly number[]) => boolean;
  /** False when no subset holding these positions (descending) can pass `accept`. */
  readonly viable?: (positions: readonly number[]) => boolean;
  /**
   * False when no passing subset takes exactly `chosen` (descending) of the positions from
   * `below` up: asked before each branch, so an exact answer makes the search a straight descent.
   */
  readonly completes?: (chosen: readonly number[], below: number) => boolean;
  /**
   * Positions of different kinds are never taken as interchangeable by the closest-first search
   * (subset-classes.ts): give it when `accept` tells positions apart beyond the constraints.
   */
  readonly kind?: ArrayLike<number>;
}

/** Precomputed orders of one problem, reusable across sizes. */
export class SubsetSearch {
  /** Per constraint: allowed positions by decreasing value. */
  private readonly byValue: Int32Array[];
  /** Allowed positions below i. */
  private readonly allowedBelow: Int32Array;
  /** Required positions below i. */
  private readonly requiredBelow: Int32Array;
  /** Per allowed position: the other allowed positions by increasing distance from it (row). */
  private readonly nearest: Int32Array[] | null;

  // State of the search in progress.
  private size = 0;
  private readonly chosen: number[] = [];
  private sums: Float64Array;
  private best: number[] | null = null;
  private bestSum = Number.POSITIVE_INFINITY;
  private pairSum = 0;
  /** Per position: what joining the chosen positions would add to the distance sum. */
  private join: Float64Array | null = null;
  private readonly scratch: number[] = [];

  constructor(readonly problem: SubsetProblem) {
    const { n, allowed, required } = problem;
    this.allowedBelow = new Int32Array(n + 1);
    this.requiredBelow = new Int32Array(n + 1);
    const positions: number[] = [];
    for (let i = 0; i < n; i++) {
      this.allowedBelow[i + 1] = this.allowedBelow[i] + (allowed[i] ? 1 : 0);
      this.requiredBelow[i + 1] = this.requiredBelow[i] + (required[i] ? 1 : 0);
      if (allowed[i]) positions.push(i);
    }
    this.byValue = problem.constraints.map((c) =>
      Int32Array.from([...positions].sort((a, b) => c.values[b] - c.values[a])),
    );
    this.sums = new Float64Array(problem.constraints.length);
    const d = problem.distances;
    this.nearest =
      d === null
        ? null
        : Array.from({ length: n }, (_, v) =>
            Int32Array.from(
              positions.filter((u) => u !== v).sort((a, b) => d[v * n + a] - d[v * n + b] || a - b),
            ),
          );
  }

  /** Fewest positions any passing subset can have (the required ones), at least 1. */
  get lowestSize(): number {
    return Math.max(1, this.requiredBelow[this.problem.n]);
  }

  get largestSize(): number {
    return this.allowedBelow[this.problem.n];
  }

  /** The best passing subset of `size` positions (descending), or null. */
  bestOfSize(size: number): number[] | null {
    const { n, distances: d } = this.problem;
    if (size < 1 || size > this.allowedBelow[n] || this.requiredBelow[n] > size) return null;
    if (size === 1 && !this.problem.completes) return this.bestSingle();
    if (d !== null && (!this.problem.accept || this.problem.kind)) {
      const byClasses = bestByClasses(this.problem, size, this.problem.kind);
      if (byClasses !== undefined) return byClasses;
    }
    this.size = size;
    this.chosen.length = 0;
    this.sums.fill(0);
    this.best = null;
    this.bestSum = Number.POSITIVE_INFINITY;
    this.pairSum = 0;
    this.join = d === null ? null : Float64Array.from({ length: n }, (_, v) => d[v * n + v]);
    this.visit(n);
    return this.best;
  }

  /** Size 1 without a completion test: each position on its own, in the merge's order. */
  private bestSingle(): number[] | null {
    const { n, allowed, required, constraints, distances: d, accept, viable } = this.problem;
    const needed = this.requiredBelow[n] === 1 ? required : null;
    let best = -1;
    for (let v = 0; v < n; v++) {
      if (!allowed[v] || (needed !== null && !needed[v])) continue;
      if (best >= 0 && (d === null || d[v * n + v] >= d[best * n + best])) continue;
      let ok = true;
      for (const c of constraints) if (c.values[v] < c.need) ok = false;
      if (ok && viable && !viable([v])) ok = false;
      if (ok && accept && !accept([v])) ok = false;
      if (!ok) continue;
      best = v;
      if (d === null) break;
    }
    return best < 0 ? null : [best];
  }

  /** Whether some subset of `size` positions passes. */
  exists(size: number): boolean {
    if (this.problem.distances === null) return this.bestOfSize(size) !== null;
    return new SubsetSearch({ ...this.problem, distances: null }).bestOfSize(size) !== null;
  }

  /** The fewest positions of any passing subset, or null when none passes. */
  smallestSize(): number | null {
    for (let size = this.lowestSize; size <= this.largestSize; size++) if (this.exists(size)) return size;
    return null;
  }

  /** Whether the `left` largest values below `below` can still lift every sum to its need. */
  private canReach(below: number, left: number): boolean {
    const { constraints } = this.problem;
    for (let c = 0; c < constraints.length; c++) {
      let missing = constraints[c].need - this.sums[c];
      if (missing <= 0) continue;
      const order = this.byValue[c];
      const values = constraints[c].values;
      let taken = 0;
      for (let k = 0; k < order.length && taken < left && missing > 0; k++) {
        const p = order[k];
        if (p >= below) continue;
        missing -= values[p];
        taken++;
      }
      if (missing > 0) return false;
    }
    return true;
  }

  /**
   * A lower bound on the distance sum of any completion with `left` more positions below
   * `below`: each new position v adds its pairs with the chosen ones and itself (`join[v]`) and
   * its row to the other new ones, at least its `left - 1` nearest candidates; the `left`
   * smallest of those totals bound the completion.
   */
  private lowerBound(below: number, left: number): number {
    const join = this.join!;
    const nearest = this.nearest!;
    const { allowed, distances, n } = this.problem;
    const d = distances!;
    const scratch = this.scratch;
    scratch.length = 0;
    for (let v = 0; v < below; v++) {
      if (!allowed[v]) continue;
      let total = join[v];
      let taken = 0;
      const row = nearest[v];
      for (let k = 0; k < row.length && taken < left - 1; k++) {
        const u = row[k];
        if (u >= below) continue;
        total += d[v * n + u];
        taken++;
      }
      scratch.push(total);
    }
    scratch.sort((a, b) => a - b);
    let lb = this.pairSum;
    for (let t = 0; t < left; t++) lb += scratch[t];
    return lb;
  }

  private add(v: number): void {
    const { constraints, distances: d, n } = this.problem;
    this.chosen.push(v);
    for (let c = 0; c < constraints.length; c++) this.sums[c] += constraints[c].values[v];
    const join = this.join;
    if (join !== null && d !== null) {
      this.pairSum += join[v];
      for (let u = 0; u < n; u++) join[u] += d[u * n + v] + d[v * n + u];
    }
  }

  private remove(v: number): void {
    const { constraints, distances: d, n } = this.problem;
    this.chosen.pop();
    for (let c = 0; c < constraints.length; c++) this.sums[c] -= constraints[c].values[v];
    const join = this.join;
    if (join !== null && d !== null) {
      for (let u = 0; u < n; u++) join[u] -= d[u * n + v] + d[v * n + u];
      this.pairSum -= join[v];
    }
  }

  /** Positions 0..below-1 are still undecided. Returns true to stop the whole search. */
  private visit(below: number): boolean {
    const { allowed, required, constraints, accept, viable, completes } = this.problem;
    const left = this.size - this.chosen.length;
    if (left === 0) {
      if (this.requiredBelow[below] > 0) return false;
      for (let c = 0; c < constraints.length; c++) if (this.sums[c] < constraints[c].need) return false;
      if (this.join !== null && this.pairSum >= this.bestSum) return false;
      if (accept && !accept(this.chosen)) return false;
      this.best = [...this.chosen];
      this.bestSum = this.pairSum;
      return this.join === null;
    }
    if (this.allowedBelow[below] < left || this.requiredBelow[below] > left) return false;
    if (!this.canReach(below, left)) return false;
    if (this.join !== null && this.lowerBound(below, left) >= this.bestSum) return false;
    if (completes && !completes(this.chosen, below)) return false;
    const v = below - 1;
    if (!required[v] && this.visit(v)) return true;
    if (!allowed[v]) return false;
    this.add(v);
    const stop = (!viable || viable(this.chosen)) && this.visit(v);
    this.remove(v);
    return stop;
  }
}
