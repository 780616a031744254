import { round3 } from "./take-balance.js";
import { distributedRemainderStallError } from "./take-errors.js";

export interface Choice {
  combo: number[];
  remainder: number[];
}

/** Go integer division of non-negative operands. */
function div(a: number, b: number): number {
  return Math.trunc(a / b);
}

/**
 * Advances `pos` (k ascending positions below n) to the next k-subset in lexicographic order;
 * false after the last.
 */
function nextCombination(pos: Int32Array, k: number, n: number): boolean {
  let i = k - 1;
  while (i >= 0 && pos[i] === n - k + i) i--;
  if (i < 0) return false;
  pos[i]++;
  for (let j = i + 1; j < k; j++) pos[j] = pos[j - 1] + 1;
  return true;
}

function firstCombination(pos: Int32Array, k: number): void {
  for (let i = 0; i < k; i++) pos[i] = i;
}

/** A running sum that starts at 0: `scoreFrom(values, ZERO_PREFIX, 0)` scores all of `values`. */
const ZERO_PREFIX = new Float64Array(1);

/**
 * The balance score (take-balance.ts `balanceScore`) of `values[scored[0..]]` with the mean
 * already known: every scored vector of one search sums to the same total (the free CPUs less the
 * request), so the mean is fixed and the squares come from a table. The sum runs in the same
 * order with the same operations, so the result is bit-identical.
 */
class Scorer {
  private readonly squares: Float64Array;
  constructor(
    private readonly scored: Int32Array,
    private readonly mean: number,
    maxValue: number,
  ) {
    this.squares = new Float64Array(maxValue + 1);
    for (let v = 0; v <= maxValue; v++) this.squares[v] = (v - mean) * (v - mean);
  }

  private term(x: number): number {
    return x >= 0 && x < this.squares.length ? this.squares[x] : (x - this.mean) * (x - this.mean);
  }

  /** Fills `partial[i]` with the running sum before scored position i (`partial[length]` = all). */
  prefix(values: Int32Array, partial: Float64Array): void {
    const scored = this.scored;
    let sum = 0;
    partial[0] = 0;
    for (let i = 0; i < scored.length; i++) {
      sum += this.term(values[scored[i]]);
      partial[i + 1] = sum;
    }
  }

  /**
   * The score of `values`, which equal the values `partial` was built from before scored position
   * `from`: the sum restarts there with the very same additions.
   */
  scoreFrom(values: Int32Array, partial: Float64Array, from: number): number {
    const scored = this.scored;
    let sum = partial[from];
    for (let i = from; i < scored.length; i++) sum += this.term(values[scored[i]]);
    return round3(Math.sqrt(sum / scored.length));
  }
}

/**
 * The distributed take's balance search (cpu-manager.md §5 steps 5–7) over one free-count state:
 * what every k shares is prepared once.
 */
export class BalanceSearch {
  private readonly numas: Int32Array;
  private readonly free: Int32Array;
  private readonly need: number;
  private readonly groupSize: number;
  private readonly hasRepeats: boolean;
  private readonly scored: Int32Array;
  private readonly scoredAt: Int32Array;
  private readonly partial: Float64Array;
  private readonly scorer: Scorer;
  private readonly after: Int32Array;
  private readonly trial: Int32Array;
  private readonly inCombo: Uint8Array;

  /**
   * `numas`: the NUMA ordering (may list a node twice when nodes straddle sockets); `free`: free
   * CPUs per NUMA node (dense indices); `need`: the request; `groupSize`: CPUs per group.
   */
  constructor(numas: Int32Array, free: Int32Array, need: number, groupSize: number) {
    this.numas = numas;
    this.free = free;
    this.need = need;
    this.groupSize = groupSize;
    const numaCount = free.length;
    // Balance is measured over every NUMA node listed, ascending by id.
    const seen = new Uint8Array(numaCount);
    let hasRepeats = false;
    for (let i = 0; i < numas.length; i++) {
      if (seen[numas[i]] === 1) hasRepeats = true;
      seen[numas[i]] = 1;
    }
    this.hasRepeats = hasRepeats;
    const scoredList: number[] = [];
    let total = 0;
    let maxFree = 0;
    for (let m = 0; m < numaCount; m++) {
      if (seen[m] === 0) continue;
      scoredList.push(m);
      total += free[m];
      if (free[m] > maxFree) maxFree = free[m];
    }
    const scored = Int32Array.from(scoredList);
    this.scored = scored;
    this.scoredAt = new Int32Array(numaCount);
    for (let i = 0; i < scored.length; i++) this.scoredAt[scored[i]] = i;
    this.partial = new Float64Array(scored.length + 1);
    this.scorer = new Scorer(scored, round3((total - need) / scored.length), maxFree);
    this.after = new Int32Array(numaCount);
    this.trial = new Int32Array(numaCount);
    this.inCombo = new Uint8Array(numaCount);
  }

  /**
   * Chooses, among the k-combinations of the ordering, the one whose even split plus remainder
   * leaves the free counts most balanced; null when none qualifies. The same walk as the
   * reference (take-distributed.reference.ts) without allocating per subset: the first strict
   * improvement wins, in the same order.
   */
  choose(k: number): Choice | null {
    const { numas, free, need: n, groupSize: g, hasRepeats, scored, scoredAt, partial, scorer } = this;
    const { after, trial, inCombo } = this;
    if (k < 1 || k > numas.length) return null;
    const dist = div(div(n, k), g) * g;
    // A combination with a node below the even share never qualifies, so the walk runs over the
    // nodes that hold it: the same qualifying combinations, in the same relative order.
    const eligible = new Int32Array(numas.length);
    let count = 0;
    for (let p = 0; p < numas.length; p++) if (free[numas[p]] >= dist) eligible[count++] = numas[p];
    if (k > count) return null;
    const pos = new Int32Array(k);
    const combo = new Int32Array(k);
    const candidates = new Int32Array(k);
    const sub = new Int32Array(k);
    const localBest = new Int32Array(k);
    const members = new Int32Array(k);
    let bestBalance = Number.POSITIVE_INFINITY;
    let best: Choice | null = null;

    firstCombination(pos, k);
    do {
      if (bestBalance === 0) break;
      for (let i = 0; i < k; i++) combo[i] = eligible[pos[i]];

      let comboFree = 0;
      if (hasRepeats) {
        for (let i = 0; i < k; i++) {
          if (inCombo[combo[i]] === 0) comboFree += free[combo[i]];
          inCombo[combo[i]] = 1;
        }
        for (let i = 0; i < k; i++) inCombo[combo[i]] = 0;
      } else {
        for (let i = 0; i < k; i++) comboFree += free[combo[i]];
      }
      if (comboFree < n) continue;
      let groups = 0;
      for (let i = 0; i < k; i++) groups += div(free[combo[i]], g);
      if (groups * g < n) continue;

      for (let i = 0; i < scored.length; i++) after[scored[i]] = free[scored[i]];
      for (let i = 0; i < k; i++) after[combo[i]] -= dist;
      const rem = n - dist * k;
      let nc = 0;
      for (let i = 0; i < k; i++) if (after[combo[i]] >= g) candidates[nc++] = combo[i];

      let localBalance = Number.POSITIVE_INFINITY;
      let localSize = 0;
      if (rem === 0) localBalance = scorer.scoreFrom(after, ZERO_PREFIX, 0);
      else {
        scorer.prefix(after, partial);
        trial.set(after);
        for (let j = nc; j >= 1; j--) {
          firstCombination(sub, j);
          do {
            let subsetFree = 0;
            let from = scored.length;
            for (let i = 0; i < j; i++) {
              const m = candidates[sub[i]];
              members[i] = m;
              subsetFree += after[m];
              if (scoredAt[m] < from) from = scoredAt[m];
            }
            if (subsetFree < rem) continue;
            let left = rem;
            while (left > 0) {
              let progressed = false;
              for (let i = 0; i < j; i++) {
                if (left === 0) break;
                const m = members[i];
                if (trial[m] < g) continue;
                trial[m] -= g;
                left -= g;
                progressed = true;
              }
              if (!progressed) throw distributedRemainderStallError(left, g);
            }
            const balance = scorer.scoreFrom(trial, partial, from);
            for (let i = 0; i < j; i++) trial[members[i]] = after[members[i]];
            if (balance < localBalance) {
              localBalance = balance;
              localSize = j;
              for (let i = 0; i < j; i++) localBest[i] = members[i];
            }
          } while (nextCombination(sub, j, nc));
        }
      }

      if (localBalance < bestBalance) {
        bestBalance = localBalance;
        best = { combo: Array.from(combo), remainder: Array.from(localBest.subarray(0, localSize)) };
      }
    } while (nextCombination(pos, k, count));
    return best;
  }
}
