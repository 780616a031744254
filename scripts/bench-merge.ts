import { performance } from "node:perf_hooks";
import {
  benchMergeInputs,
  type MergeBenchInput,
  type MergeBenchOptions,
  mergeHints,
} from "../src/managers/topology/index.js";
import { batchedSample, measure, type Timing } from "./bench-timing.js";

/**
 * The hint merge alone (topology-manager.md §4, §10): the reference enumeration of every
 * permutation against the default fast merge, on provider-like inputs for two resources of growing
 * NUMA count. The reference runs only while its cross product stays small enough to finish in a
 * couple of seconds; both must return the same hint.
 */

export interface MergeRow {
  numaNodes: number;
  input: string;
  hintsPerSlot: number[];
  fast: Timing;
  reference: Timing | null;
  /** Reference median over fast median. */
  referenceOverFast: number | null;
  /** The two merges disagreed (a bug in the fast merge). */
  mismatch: boolean;
  /** Why the reference did not run. */
  referenceSkipped: string | null;
}

interface Family {
  label: string;
  nodes: number[];
  options: MergeBenchOptions;
}

const FAMILIES: Family[] = [
  { label: "preferred hints agree", nodes: [2, 4, 8, 10, 12, 16, 20], options: {} },
  { label: "preferred hints conflict", nodes: [2, 4, 8, 10, 12, 16, 20], options: { conflicting: true } },
  { label: "conflict, masks of ≤3 nodes", nodes: [32, 64], options: { conflicting: true, maxMaskSize: 3 } },
];

/** The reference walks this many permutations in about a second on a laptop core. */
const REFERENCE_PERMUTATION_LIMIT = 15_000_000;
const REFERENCE_TIME_LIMIT_MS = 2000;

/** The first seed whose draw gives every resource at least one hint (an empty list short-circuits). */
function inputFor(numaNodes: number, options: MergeBenchOptions): MergeBenchInput {
  for (let seed = 1; seed < 100; seed++) {
    const input = benchMergeInputs(numaNodes, 2, { ...options, seed });
    if (input.hintsPerSlot.every((n) => n > 0)) return input;
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

export function benchMerges(): MergeRow[] {
  const rows: MergeRow[] = [];
  for (const family of FAMILIES) {
    let referenceTooSlow = false;
    for (const numaNodes of family.nodes) {
      const input = inputFor(numaNodes, family.options);
      const fastResult = mergeHints(input.slots, input.ctx, "fast");
      const fast = timeAdaptively(() => mergeHints(input.slots, input.ctx, "fast"));
      const permutations = input.hintsPerSlot.reduce((a, b) => a * b, 1);
      const row: MergeRow = {
        numaNodes,
        input: family.label,
        hintsPerSlot: input.hintsPerSlot,
        fast,
        reference: null,
        referenceOverFast: null,
        mismatch: false,
        referenceSkipped: null,
      };
      rows.push(row);
      if (referenceTooSlow)
        row.referenceSkipped = `the previous size took over ${REFERENCE_TIME_LIMIT_MS} ms`;
      else if (permutations > REFERENCE_PERMUTATION_LIMIT)
        row.referenceSkipped = `${permutations.toExponential(1)} permutations`;
      if (row.referenceSkipped) continue;
      const refResult = mergeHints(input.slots, input.ctx, "reference");
      row.mismatch =
        refResult.affinity !== fastResult.affinity || refResult.preferred !== fastResult.preferred;
      row.reference = timeAdaptively(() => mergeHints(input.slots, input.ctx, "reference"));
      row.referenceOverFast = row.reference.medianMs / fast.medianMs;
      if (row.reference.medianMs > REFERENCE_TIME_LIMIT_MS) referenceTooSlow = true;
    }
  }
  return rows;
}
