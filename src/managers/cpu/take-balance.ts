/**
 * Arithmetic of the distributed take's balance score (cpu-manager.md §5), reproduced exactly:
 * it decides ties between NUMA combinations, so every rounding step matters.
 */

/** Rounds to 3 decimals, halves away from zero (Go's `math.Round(v*1000)/1000`). */
export function round3(v: number): number {
  const scaled = v * 1000;
  const r = Math.sign(scaled) * Math.round(Math.abs(scaled));
  return r / 1000;
}

/**
 * Population standard deviation with the mean rounded to 3 decimals first and the result rounded
 * to 3 decimals. Values are summed in the order given (callers pass ascending NUMA ids).
 */
export function balanceScore(values: readonly number[]): number {
  let sum = 0;
  for (const x of values) sum += x;
  const mean = round3(sum / values.length);
  let squares = 0;
  for (const x of values) squares += (x - mean) * (x - mean);
  return round3(Math.sqrt(squares / values.length));
}

/**
 * Calls `visit` on every k-subset of `items` (as a new array), lexicographic over positions:
 * {0,1}, {0,2}, {1,2} for three items. Stops early when `visit` returns false.
 */
export function forEachCombination<T>(items: readonly T[], k: number, visit: (combo: T[]) => boolean): void {
  const n = items.length;
  if (k < 1 || k > n) return;
  const pos = Array.from({ length: k }, (_, i) => i);
  for (;;) {
    if (!visit(pos.map((p) => items[p]))) return;
    let i = k - 1;
    while (i >= 0 && pos[i] === n - k + i) i--;
    if (i < 0) return;
    pos[i]++;
    for (let j = i + 1; j < k; j++) pos[j] = pos[j - 1] + 1;
  }
}
