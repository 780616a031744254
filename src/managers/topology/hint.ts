import { type BitMask, maskBits, maskIsNarrowerThan } from "./bitmask.js";

/** `{NUMANodeAffinity, Preferred}`; a null affinity means "no preference / any node". */
export interface TopologyHint {
  affinity: BitMask | null;
  preferred: boolean;
}

/**
 * A hint provider's answer: null (a nil map: no preference), or resource -> hint list where a
 * null list means "no preference for this resource" and an empty list "cannot be satisfied".
 */
export type ProviderHints = Map<string, TopologyHint[] | null> | null;

export function hintEquals(a: TopologyHint, b: TopologyHint): boolean {
  return a.preferred === b.preferred && a.affinity === b.affinity;
}

/** `LessThan`: preferred first, then the narrower mask. */
export function hintLessThan(a: TopologyHint, b: TopologyHint): boolean {
  if (a.preferred !== b.preferred) return a.preferred;
  if (a.affinity === null || b.affinity === null) return false;
  return maskIsNarrowerThan(a.affinity, b.affinity);
}

/** JSON shape used in vectors and reports: `{numaNodes: [ids] | null, preferred}`. */
export function hintToJSON(h: TopologyHint): { numaNodes: number[] | null; preferred: boolean } {
  return { numaNodes: h.affinity === null ? null : maskBits(h.affinity), preferred: h.preferred };
}
