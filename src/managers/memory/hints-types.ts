import type { BitMask, TopologyHint } from "../topology/index.js";

/*
 * The vocabulary the fast hint generation (hints.ts), its parts (hints-problem.ts) and the
 * reference (hints.reference.ts) share, in a file of its own so that none of them imports another
 * for it.
 */

/**
 * Memory of the pod's finished standard init containers that a later container may take over.
 * `masks`, when given, lists every mask the lookup may answer non-zero for, so that hint
 * generation asks only about those.
 */
export interface ReusableLookup {
  (mask: BitMask, resource: string): bigint;
  readonly masks?: readonly BitMask[];
}

export const NO_REUSE: ReusableLookup = Object.assign((): bigint => 0n, { masks: [] as readonly BitMask[] });

/** Resource -> hints, as the Memory Manager answers the Topology Manager. */
export type MemoryHints = Map<string, TopologyHint[]>;
