import { type BitMask, maskBits, maskCount } from "./bitmask.js";

/**
 * Subsets of the default affinity in the cheapest representation the fast merge can use: a
 * 32-bit number with the default affinity's nodes renumbered 0..n-1 when n <= 32 (plain integer
 * operations, no bigint allocation), else the bigint mask itself. Renumbering keeps the numeric
 * order and the bit counts, which is all the merge's order looks at besides distances.
 */
export interface MaskSpace<M extends number | bigint> {
  /** The default affinity in this space. */
  readonly full: M;
  readonly zero: M;
  /** Nodes in the default affinity. */
  readonly size: number;
  /** A machine mask cut to the default affinity. */
  fromMask(m: BitMask): M;
  toMask(x: M): BitMask;
  and(a: M, b: M): M;
  or(a: M, b: M): M;
  count(x: M): number;
  /** Numeric order of the machine masks (kept by the renumbering). */
  less(a: M, b: M): boolean;
  /** The `k` lowest set bits: the numerically smallest subset of that size. */
  lowestBits(x: M, k: number): M;
  /** Each set bit alone. */
  singles(x: M): M[];
}

export function popcount32(v: number): number {
  v -= (v >>> 1) & 0x55555555;
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

/** The renumbered 32-bit space; `defaultAffinity` must have at most 32 nodes. */
export function smallMaskSpace(defaultAffinity: BitMask): MaskSpace<number> {
  const bits = maskBits(defaultAffinity);
  const n = bits.length;
  const full = n === 32 ? 0xffffffff : (1 << n) - 1;
  const identity = bits.every((b, i) => b === i);
  const fromMask = identity
    ? (m: BitMask) => Number(BigInt.asUintN(32, m)) & full
    : (m: BitMask) => {
        let x = 0;
        for (let j = 0; j < n; j++) if ((m >> BigInt(bits[j])) & 1n) x |= 1 << j;
        return x >>> 0;
      };
  return {
    full: full >>> 0,
    zero: 0,
    size: n,
    fromMask: (m) => fromMask(m) >>> 0,
    toMask: (x) => {
      if (identity) return BigInt(x);
      let m = 0n;
      for (let j = 0; j < n; j++) if ((x >>> j) & 1) m |= 1n << BigInt(bits[j]);
      return m;
    },
    and: (a, b) => (a & b) >>> 0,
    or: (a, b) => (a | b) >>> 0,
    count: popcount32,
    less: (a, b) => a < b,
    lowestBits: (x, k) => {
      let out = 0;
      let rest = x;
      for (let i = 0; i < k && rest !== 0; i++) {
        const low = rest & -rest;
        out |= low;
        rest ^= low;
      }
      return out >>> 0;
    },
    singles: (x) => {
      const out: number[] = [];
      for (let rest = x; rest !== 0; ) {
        const low = (rest & -rest) >>> 0;
        out.push(low);
        rest = (rest ^ low) >>> 0;
      }
      return out;
    },
  };
}

/** Machine masks as they are, for default affinities of more than 32 nodes. */
export function bigMaskSpace(defaultAffinity: BitMask): MaskSpace<bigint> {
  return {
    full: defaultAffinity,
    zero: 0n,
    size: maskCount(defaultAffinity),
    fromMask: (m) => m & defaultAffinity,
    toMask: (x) => x,
    and: (a, b) => a & b,
    or: (a, b) => a | b,
    count: maskCount,
    less: (a, b) => a < b,
    lowestBits: (x, k) => {
      let out = 0n;
      let rest = x;
      for (let i = 0; i < k && rest !== 0n; i++) {
        const low = rest & -rest;
        out |= low;
        rest ^= low;
      }
      return out;
    },
    singles: (x) => maskBits(x).map((b) => 1n << BigInt(b)),
  };
}
