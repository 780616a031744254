import { performance } from "node:perf_hooks";

/** The 50th and 99th percentiles of repeated samples, in milliseconds. */
export interface Timing {
  p50Ms: number;
  p99Ms: number;
  runs: number;
}

export interface MeasureOptions {
  /** Samples thrown away first (JIT warm-up). */
  warmup: number;
  minRuns: number;
  maxRuns: number;
  /** Stop adding samples past `minRuns` once this much time went into sampling. */
  budgetMs: number;
}

/** A p99 needs a few hundred samples to mean anything; the budget bounds slow cells. */
export const DEFAULT_MEASURE: MeasureOptions = { warmup: 3, minRuns: 7, maxRuns: 200, budgetMs: 1500 };

/** The nearest-rank percentile of sorted samples. */
export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)];
}

export function summarise(samples: readonly number[]): Timing {
  const sorted = [...samples].sort((a, b) => a - b);
  return { p50Ms: percentile(sorted, 0.5), p99Ms: percentile(sorted, 0.99), runs: sorted.length };
}

/** Repeats `sample` (which returns the milliseconds of what it timed) and summarises the samples. */
export function measure(sample: () => number, opts: MeasureOptions = DEFAULT_MEASURE): Timing {
  for (let i = 0; i < opts.warmup; i++) sample();
  const samples: number[] = [];
  const started = performance.now();
  while (
    samples.length < opts.minRuns ||
    (samples.length < opts.maxRuns && performance.now() - started < opts.budgetMs)
  ) {
    samples.push(sample());
  }
  return summarise(samples);
}

/**
 * Several cells measured in turns: `rounds` passes over the cells, each pass taking a share of
 * every cell's samples, and each cell summarised over all its samples. A machine whose speed
 * drifts over seconds (a shared host, frequency changes) then weighs on every cell alike instead
 * of on whichever cells it happened to be measuring: the ratios between cells stay meaningful.
 */
export function measureInterleaved(
  cells: readonly { sample: () => number; opts: MeasureOptions }[],
  rounds: number,
): Timing[] {
  const samples = cells.map(() => [] as number[]);
  for (const { sample, opts } of cells) for (let i = 0; i < opts.warmup; i++) sample();
  for (let round = 0; round < rounds; round++) {
    const left = rounds - round;
    cells.forEach(({ sample, opts }, i) => {
      const taken = samples[i];
      const minRuns = taken.length + Math.ceil((opts.minRuns - taken.length) / left);
      const maxRuns = taken.length + Math.ceil((opts.maxRuns - taken.length) / left);
      const started = performance.now();
      const budget = opts.budgetMs / rounds;
      while (taken.length < minRuns || (taken.length < maxRuns && performance.now() - started < budget))
        taken.push(sample());
    });
  }
  return samples.map(summarise);
}

/**
 * A sample of a call too quick to time alone: the call is repeated enough times for one sample
 * to last about `targetMs`, and the sample reports the time of one call.
 */
export function batchedSample(fn: () => void, targetMs = 2): () => number {
  let inner = 1;
  for (;;) {
    const t0 = performance.now();
    for (let i = 0; i < inner; i++) fn();
    const spent = performance.now() - t0;
    if (spent >= targetMs || inner >= 1 << 16) break;
    inner = Math.min(1 << 16, inner * Math.max(2, Math.ceil(targetMs / Math.max(spent, 0.001))));
  }
  return () => {
    const t0 = performance.now();
    for (let i = 0; i < inner; i++) fn();
    return (performance.now() - t0) / inner;
  };
}

/** A duration for people: µs below a millisecond, ms below ten seconds, s above. */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return "-";
  if (ms < 1) return `${(ms * 1000).toFixed(ms < 0.01 ? 2 : 1)} µs`;
  if (ms < 10_000) return `${ms.toFixed(ms < 10 ? 2 : 1)} ms`;
  return `${(ms / 1000).toFixed(1)} s`;
}

export function formatRatio(r: number | null): string {
  if (r === null || !Number.isFinite(r)) return "-";
  if (r >= 1e6) return `${r.toExponential(1)}x`;
  return r >= 100 ? `${r.toFixed(0)}x` : `${r.toFixed(2)}x`;
}

/** A count with thousands separators (events/s, live pods). */
export function formatCount(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}
