/**
 * The CPU Manager's take-by-topology algorithms (cpu-manager.md §3–§5): given a topology, the
 * CPUs on offer and a count, pick exactly which CPU ids to hand out. Both functions are pure and
 * deterministic, and throw `ManagerError` with the kubelet's own message text.
 *
 * They work on bitset words with per-topology indices (take-index.ts) and pooled accumulators;
 * take.reference.ts keeps the plain statement of the same rules, and take.differential.test.ts
 * holds the two equal.
 */
export type { SortStrategy } from "./accumulator.js";
export { takeByTopologyNUMAPacked } from "./take-packed.js";
export { takeByTopologyNUMADistributed } from "./take-distributed.js";
