/**
 * The nearest values on either side of a rejected request that pass a test (for `explain`: that
 * the engine admits the pod with that request), found with a bounded number of tests.
 *
 * Passing is not monotone in the request: `full-pcpus-only` refuses odd CPU counts between even
 * ones that pass, the pod-level rule refuses pod budgets that are too small, capacity refuses those
 * that are too large. So each side is first scanned value by value near the request, then galloped
 * (doubling distances) on a coarser stride, and once a passing value is found the boundary between
 * the last failure and it is bisected. Every value reported was tested and passed; what the search
 * assumes is only that between a failure and a farther pass on the stride, failures come first.
 */

export interface SearchSpace {
  /** The request that was refused. */
  value: bigint;
  /** Inclusive bounds of the values worth testing. */
  min: bigint;
  max: bigint;
  /** Every candidate is a multiple of this (one CPU, one MiB, one page, one device). */
  step: bigint;
  /** Candidates beyond the scanned window are multiples of this (a multiple of `step`). */
  stride: bigint;
  /** How many step-candidates to scan on each side before galloping. */
  window: number;
  /** The gallop's first distance, in strides (a memory request galloped from 1 MiB would take dozens of leaps). */
  firstLeap: bigint;
}

export interface NearestPassing {
  below: bigint | null;
  above: bigint | null;
  /** Tests run. */
  trials: number;
  /** False when the trial budget ran out before both sides were settled. */
  complete: boolean;
}

/** A shared allowance of tests, so that one explanation stays within a bounded time. */
export class TrialBudget {
  constructor(private left: number) {}
  take(): boolean {
    if (this.left <= 0) return false;
    this.left--;
    return true;
  }
  get remaining(): number {
    return this.left;
  }
}

/** The multiple of `m` nearest to `v` in direction `dir` (ceil for +1, floor for -1), `v` itself when aligned. */
function alignToward(v: bigint, m: bigint, dir: 1n | -1n): bigint {
  const r = ((v % m) + m) % m;
  if (r === 0n) return v;
  return dir === 1n ? v + (m - r) : v - r;
}

/**
 * The nearest passing value strictly beyond `space.value` in direction `dir`, within the bounds.
 * Returns undefined when the budget ran out first.
 */
function nearestOnSide(
  space: SearchSpace,
  dir: 1n | -1n,
  passes: (v: bigint) => boolean,
  budget: TrialBudget,
  counter: { trials: number; cut: boolean },
): bigint | null | undefined {
  const inRange = (v: bigint) => v >= space.min && v <= space.max;
  const test = (v: bigint): boolean | undefined => {
    if (!budget.take()) return undefined;
    counter.trials++;
    return passes(v);
  };
  // The first candidate beyond the request, brought into the bounds (a request above the
  // machine's capacity starts the downward scan at the capacity).
  let v = alignToward(space.value + dir * space.step, space.step, dir);
  if (dir === -1n && v > space.max) v = alignToward(space.max, space.step, -1n);
  if (dir === 1n && v < space.min) v = alignToward(space.min, space.step, 1n);
  let lastFail = space.value;
  for (let i = 0; i < space.window; i++, v += dir * space.step) {
    if (!inRange(v)) return null;
    const ok = test(v);
    if (ok === undefined) return undefined;
    if (ok) return v;
    lastFail = v;
  }
  // Gallop on the stride grid from the last failure, doubling the distance each time.
  const start = alignToward(lastFail + dir, space.stride, dir);
  const bound = alignToward(dir === 1n ? space.max : space.min, space.stride, dir === 1n ? -1n : 1n);
  if (dir === 1n ? start > bound : start < bound) return null;
  let failAt = lastFail;
  let distance = space.firstLeap > 1n ? space.firstLeap - 1n : 0n;
  for (;;) {
    let probe = start + dir * distance * space.stride;
    const last = dir === 1n ? probe >= bound : probe <= bound;
    if (last) probe = bound;
    const ok = test(probe);
    if (ok === undefined) return undefined;
    if (ok) return bisect(failAt, probe, space.stride, dir, test, counter);
    if (last) return null;
    failAt = probe;
    distance = distance === 0n ? 1n : distance * 2n;
  }
}

/** Between a failure and a farther pass on the stride grid, the pass nearest the failure. */
function bisect(
  fail: bigint,
  pass: bigint,
  stride: bigint,
  dir: 1n | -1n,
  test: (v: bigint) => boolean | undefined,
  counter: { cut: boolean },
): bigint {
  // The failure may sit off the grid (the request itself): the first grid point beyond it.
  let lo = fail;
  let hi = pass;
  for (;;) {
    const first = alignToward(lo + dir, stride, dir);
    if (first === hi) return hi;
    const steps = (hi - first) / stride / dir;
    const mid = first + (steps / 2n) * stride * dir;
    const ok = test(mid);
    if (ok === undefined) {
      // Out of trials: a value that passes, though perhaps not the nearest one.
      counter.cut = true;
      return hi;
    }
    if (ok) hi = mid;
    else lo = mid;
  }
}

/**
 * The nearest passing values below and above `space.value`, with the budget's limit. `side` is
 * called before each side's first test (a caller may start each side on a fresh copy).
 */
export function nearestPassing(
  space: SearchSpace,
  passes: (v: bigint) => boolean,
  budget: TrialBudget,
  side: () => void = () => {},
): NearestPassing {
  const counter = { trials: 0, cut: false };
  side();
  const below = nearestOnSide(space, -1n, passes, budget, counter);
  side();
  const above = nearestOnSide(space, 1n, passes, budget, counter);
  return {
    below: below ?? null,
    above: above ?? null,
    trials: counter.trials,
    complete: below !== undefined && above !== undefined && !counter.cut,
  };
}
