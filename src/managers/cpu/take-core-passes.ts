import type { CPUAccumulator } from "./accumulator.js";
import { type ElementTable, lowestBit, type Relation } from "./take-index.js";

/*
 * The packed take's core listings sort a parent's cores by free count, ties by id. When every
 * core lies within one parent (a nested relation), the listing of one parent can be walked without
 * sorting: whole cores (free = CPUs per core) are one block in id order, and single CPUs come
 * from one scan of the cores in id order per count value, lowest first. A core is emptied before
 * the next is reached, or the take ends there, so every core not yet visited still has the count
 * the listing was made with.
 */

/**
 * Takes the whole cores (exactly `perCore` free CPUs) of `parent` in listing order while `need`
 * (the caller's count, lowered with every core) is at least `perCore`; returns what is left.
 */
export function takeWholeCoresOf(
  acc: CPUAccumulator,
  rel: Relation,
  parent: number,
  perCore: number,
  need: number,
): number {
  const pairs = rel.pairsOfParent[parent];
  const core = acc.index.core;
  let left = need;
  for (let j = 0; j < pairs.length && left >= perCore; j++) {
    const c = rel.childOfPair[pairs[j]];
    acc.countCore(c);
    if (acc.coreFree[c] !== perCore) continue;
    acc.takeElement(core, c);
    left -= perCore;
  }
  return left;
}

/**
 * Takes single CPUs from the cores of `parent` in listing order until `need` (the caller's count,
 * lowered with every CPU) is met; returns what is left of it.
 */
export function takeSinglesOfCores(acc: CPUAccumulator, rel: Relation, parent: number, need: number): number {
  const pairs = rel.pairsOfParent[parent];
  const core = acc.index.core;
  let left = need;
  let value = 0;
  for (;;) {
    let next = Number.POSITIVE_INFINITY;
    for (let j = 0; j < pairs.length; j++) {
      const c = rel.childOfPair[pairs[j]];
      acc.countCore(c);
      const free = acc.coreFree[c];
      if (free > value && free < next) next = free;
    }
    if (next === Number.POSITIVE_INFINITY) return left;
    for (let j = 0; j < pairs.length; j++) {
      const c = rel.childOfPair[pairs[j]];
      if (acc.coreFree[c] !== next) continue;
      left = takeSingles(acc, core, c, left);
      if (left < 1) return left;
    }
    value = next;
  }
}

/** Takes the free CPUs of element `e` one by one in id order until `need` is met; returns the rest. */
export function takeSingles(acc: CPUAccumulator, table: ElementTable, e: number, need: number): number {
  let left = need;
  for (let m = table.maskStart[e]; m < table.maskStart[e + 1]; m++) {
    const w = table.maskWord[m];
    let bits = acc.free[w] & table.maskBits[m];
    while (bits !== 0) {
      acc.takeBits(w, 1 << lowestBit(bits), 1);
      if (--left < 1) return left;
      bits &= bits - 1;
    }
  }
  return left;
}
