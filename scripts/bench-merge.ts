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
import { batchedSample, measure, type Timing } from "./bench-timing.js";

/**
 * The hint merge alone (topology-manager.md §4, §10) on provider-like hints of two resources over
 * a growing NUMA count, three ways in the same run: the implicit merge of the hint families (what
 * the node runs), the fast merge of the same families listed (while 2^N masks can be listed), and
 * the kubelet's algorithm, every permutation of the lists (while its cross product finishes in a
 * couple of seconds). All must return the same hint; ratios are against the implicit merge.
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
function timeAdaptively(fn: () => void): Timing {
  const t0 = performance.now();
  fn();
  const probe = performance.now() - t0;
  if (probe < 1) return measure(batchedSample(fn));
  const sample = () => {
    const s = performance.now();
    fn();
    return performance.now() - s;
  };
  if (probe < 100) return measure(sample, { warmup: 2, minRuns: 7, maxRuns: 100, budgetMs: 1500 });
  return measure(sample, { warmup: 0, minRuns: 3, maxRuns: 3, budgetMs: 0 });
}

function same(
  a: { affinity: bigint | null; preferred: boolean },
  b: { affinity: bigint | null; preferred: boolean },
): boolean {
  return a.affinity === b.affinity && a.preferred === b.preferred;
}

export function benchMerges(): MergeRow[] {
  const rows: MergeRow[] = [];
  for (const { label, conflicting } of INPUTS) {
    let referenceTooSlow = false;
    for (const numaNodes of NUMA_COUNTS) {
      const input = inputFor(numaNodes, conflicting);
      const { ctx, families } = input;
      const implicitResult = mergeHintSources(families, ctx, "implicit");
      const row: MergeRow = {
        numaNodes,
        input: label,
        hintsPerSlot: families.map((f) => countFamilyHints(f) ?? Number.NaN),
        implicit: timeAdaptively(() => mergeHintSources(families, ctx, "implicit")),
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
        row.fastSkipped = `the lists hold up to 2^${numaNodes} − 1 masks`;
        row.referenceSkipped = row.fastSkipped;
        continue;
      }
      const lists: TopologyHint[][] = families.map((f) => familyHints(f));
      const fastResult = mergeHints(lists, ctx, "fast");
      row.mismatch = !same(fastResult, implicitResult);
      row.fast = timeAdaptively(() => mergeHints(lists, ctx, "fast"));
      row.fastOverImplicit = row.fast.medianMs / row.implicit.medianMs;
      const permutations = lists.reduce((n, l) => n * l.length, 1);
      if (referenceTooSlow)
        row.referenceSkipped = `the previous size took over ${REFERENCE_TIME_LIMIT_MS} ms`;
      else if (permutations > REFERENCE_PERMUTATION_LIMIT)
        row.referenceSkipped = `${permutations.toExponential(1)} permutations`;
      if (row.referenceSkipped) continue;
      row.mismatch ||= !same(mergeHints(lists, ctx, "reference"), implicitResult);
      row.reference = timeAdaptively(() => mergeHints(lists, ctx, "reference"));
      row.referenceOverImplicit = row.reference.medianMs / row.implicit.medianMs;
      row.referenceOverFast = row.reference.medianMs / row.fast.medianMs;
      if (row.reference.medianMs > REFERENCE_TIME_LIMIT_MS) referenceTooSlow = true;
    }
  }
  return rows;
}
