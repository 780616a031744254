import { type BitMask, maskBits } from "../topology/index.js";

/** Masks seen lately -> their NUMA ids; cleared when full, so it stays small on any machine. */
const idsByMask = new Map<BitMask, readonly number[]>();
const KEPT_MASKS = 256;

/**
 * The NUMA ids of a mask, ascending (`maskBits`), shared and frozen: one allocation reads the ids
 * of its mask for the fit check, the group rule, the blocks and the machine state.
 */
export function maskIds(mask: BitMask): readonly number[] {
  let ids = idsByMask.get(mask);
  if (ids === undefined) {
    if (idsByMask.size >= KEPT_MASKS) idsByMask.clear();
    ids = Object.freeze(maskBits(mask));
    idsByMask.set(mask, ids);
  }
  return ids;
}

/** The same ids in the same order (null, Go's nil slice, is no list of ids). */
export function sameIds(a: readonly number[] | null, b: readonly number[]): boolean {
  if (a === null || a.length !== b.length) return false;
  for (let i = 0; i < b.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
