import { performance } from "node:perf_hooks";
import {
  benchFamilyInputs,
  countFamilyHints,
  type FamilyBenchInput,
  familyHints,
  mergeHints,
  mergeHintSources,
  type TopologyHint,
} from "../src/managers/topology/index.js";
import type { BenchOptions } from "./bench-targets.js";
import { batchedSample, type MeasureOptions, measure, type Timing } from "./bench-timing.js";

/**
 * The hint merge alone (topology-manager.md §4, §10) on provider-like hints of two resources over
 * a growing NUMA count, three ways in the same run: the implicit merge of the hint families (what
 * the node runs), the fast merge of the same families listed (while 2^N masks can be listed), and
 * the kubelet's algorithm, every permutation of the lists (while its cross product finishes in a
 * couple of seconds). All must return the same hint; ratios are against the implicit merge.
 * Merges quicker than a millisecond are timed in batches, so their p99 is that of batch means.
 */

export interface MergeRow {
  numaNodes: number;
  input: string;
  /** Hints per resource (the families' counts; rounded beyond 2^53). */
  hintsPerSlot: number[];
  /** The implicit merge of the families. */
  implicit: Timing;
  /** The fast merge of the listed families. */
  fast: Timing | null;
  /** The reference enumeration of every permutation of the lists. */
  reference: Timing | null;
  fastOverImplicit: number | null;
  referenceOverImplicit: number | null;
  /** Reference median over fast median. */
  referenceOverFast: number | null;
  /** The merges disagreed (a bug). */
  mismatch: boolean;
  /** Why the list merges did not run. */
  fastSkipped: string | null;
  referenceSkipped: string | null;
}

interface Input {
  label: string;
  conflicting: boolean;
}

const INPUTS: Input[] = [
  { label: "preferred hints agree", conflicting: false },
  { label: "preferred hints conflict", conflicting: true },
];

const NUMA_COUNTS = [2, 4, 8, 12, 16, 20, 32, 64];
const QUICK_NUMA_COUNTS = [2, 4, 8, 64];

/** Lists of 2^20 masks per resource are the most the fast merge is given. */
const LARGEST_LISTED = 20;
/** The reference walks this many permutations in about a second on a laptop core. */
const REFERENCE_PERMUTATION_LIMIT = 15_000_000;
const REFERENCE_TIME_LIMIT_MS = 2000;

/** The first seed whose draw gives every resource at least one hint (an empty list short-circuits). */
function inputFor(numaNodes: number, conflicting: boolean): FamilyBenchInput {
  for (let seed = 1; seed < 100; seed++) {
    const input = benchFamilyInputs(numaNodes, 2, { seed, conflicting });
    if (input.families.every((f) => !f.isEmpty)) return input;
  }
  throw new Error(`no non-empty merge input for ${numaNodes} NUMA nodes`);
}

/** Times `fn` with repeats suited to how long one call takes. */
function timeAdaptively(fn: () => void, quick: boolean): Timing {
  const t0 = performance.now();
  fn();
  const probe = performance.now() - t0;
  const budgetMs = quick ? 30 : 1000;
  if (probe < 1)
    return measure(batchedSample(fn, quick ? 0.5 : 2), { warmup: 3, minRuns: 7, maxRuns: 300, budgetMs });
  const sample = () => {
    const s = performance.now();
    fn();
    return performance.now() - s;
  };
  if (probe < 100)
    return measure(sample, { warmup: 2, minRuns: 7, maxRuns: 100, budgetMs } satisfies MeasureOptions);
  return measure(sample, { warmup: 0, minRuns: 3, maxRuns: 3, budgetMs: 0 });
}

function same(
  a: { affinity: bigint | null; preferred: boolean },
  b: { affinity: bigint | null; preferred: boolean },
): boolean {
  return a.affinity === b.affinity && a.preferred === b.preferred;
}

export function benchMerges(opts: BenchOptions): MergeRow[] {
  const rows: MergeRow[] = [];
  const time = (fn: () => void) => timeAdaptively(fn, opts.quick);
  for (const { label, conflicting } of INPUTS) {
    let referenceTooSlow = false;
    for (const numaNodes of opts.quick ? QUICK_NUMA_COUNTS : NUMA_COUNTS) {
      const input = inputFor(numaNodes, conflicting);
      const { ctx, families } = input;
      const implicitResult = mergeHintSources(families, ctx, "implicit");
      const row: MergeRow = {
        numaNodes,
        input: label,
        hintsPerSlot: families.map((f) => countFamilyHints(f) ?? Number.NaN),
        implicit: time(() => mergeHintSources(families, ctx, "implicit")),
        fast: null,
        reference: null,
        fastOverImplicit: null,
        referenceOverImplicit: null,
        referenceOverFast: null,
        mismatch: false,
        fastSkipped: null,
        referenceSkipped: null,
      };
      rows.push(row);
      if (numaNodes > LARGEST_LISTED) {
        row.fastSkipped = `not run: lists of 2^${numaNodes} − 1 masks`;
        row.referenceSkipped = row.fastSkipped;
        continue;
      }
      const lists: TopologyHint[][] = families.map((f) => familyHints(f));
      const fastResult = mergeHints(lists, ctx, "fast");
      row.mismatch = !same(fastResult, implicitResult);
      row.fast = time(() => mergeHints(lists, ctx, "fast"));
      row.fastOverImplicit = row.fast.p50Ms / row.implicit.p50Ms;
      const permutations = lists.reduce((n, l) => n * l.length, 1);
      if (referenceTooSlow)
        row.referenceSkipped = `not run: > ${REFERENCE_TIME_LIMIT_MS / 1000} s one size down`;
      else if (permutations > REFERENCE_PERMUTATION_LIMIT)
        row.referenceSkipped = `not run: ${permutations.toExponential(1)} combinations`;
      if (row.referenceSkipped) continue;
      row.mismatch ||= !same(mergeHints(lists, ctx, "reference"), implicitResult);
      row.reference = time(() => mergeHints(lists, ctx, "reference"));
      row.referenceOverImplicit = row.reference.p50Ms / row.implicit.p50Ms;
      row.referenceOverFast = row.reference.p50Ms / row.fast.p50Ms;
      if (row.reference.p50Ms > REFERENCE_TIME_LIMIT_MS) referenceTooSlow = true;
    }
  }
  return rows;
}
