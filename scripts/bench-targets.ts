/**
 * The performance targets of kubernetes/kubernetes#135541-sized machines that the tables carry
 * beside their figures (benchmarks, not timed tests: a shared machine may miss them).
 */

export interface Target {
  /** The target as people read it, e.g. "≤ 1 ms". */
  text: string;
  met: boolean;
}

/** What every section's measuring functions take. */
export interface BenchOptions {
  /** A smoke run: a handful of samples per cell, small sizes. */
  quick: boolean;
}

function limitText(ms: number): string {
  return ms < 1 ? `${Math.round(ms * 1000)} µs` : `${ms} ms`;
}

export function atMostMs(valueMs: number, limitMs: number): Target {
  return { text: `≤ ${limitText(limitMs)}`, met: valueMs <= limitMs };
}

export function atMost(value: number, limit: number, unit = "x"): Target {
  return { text: `≤ ${limit}${unit}`, met: value <= limit };
}

export function atLeast(value: number, limit: number, unit: string): Target {
  return { text: `≥ ${limit.toLocaleString("en-US")}${unit}`, met: value >= limit };
}

/** ✓ or ✗ and the target, or nothing when the figure has no target. */
export function targetMark(t: Target | null): string {
  if (!t) return "";
  return `${t.met ? "✓" : "✗"} ${t.text}`;
}

/** Admission p50 targets by NUMA count and policy (issue 10). */
export function admissionTarget(numaNodes: number, policy: string, p50Ms: number): Target | null {
  const enumerating = policy === "best-effort" || policy === "restricted";
  if (numaNodes === 2) return atMostMs(p50Ms, 0.025);
  if (numaNodes === 8) return atMostMs(p50Ms, 0.1);
  if (numaNodes === 16 && enumerating) return atMostMs(p50Ms, 0.5);
  if (numaNodes === 64 && enumerating) return atMostMs(p50Ms, 1);
  return null;
}

export const LIVE_PODS_RATIO_TARGET = 1.2;
export const REPLAY_EVENTS_PER_SECOND_TARGET = 20_000;
export const TAKE_TARGET_MS = 0.02;
