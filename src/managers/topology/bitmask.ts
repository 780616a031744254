/**
 * NUMA node masks (topology-manager.md §1): an unsigned 64-bit integer, bit i = NUMA node i.
 * Held as a bigint so that all 64 bits are usable; the helpers never mutate their inputs.
 */
export type BitMask = bigint;

export const MAX_BITS = 64;

export class BitMaskError extends Error {
  override name = "BitMaskError";
}

function checkBits(bits: readonly number[]): void {
  for (const b of bits) {
    if (!Number.isInteger(b) || b < 0 || b >= MAX_BITS)
      throw new BitMaskError("bit number must be in range 0-63");
  }
}

/** A mask with the given bits; throws `bit number must be in range 0-63` for any bad bit. */
export function maskOf(...bits: number[]): BitMask {
  checkBits(bits);
  let m = 0n;
  for (const b of bits) m |= 1n << BigInt(b);
  return m;
}

export function maskFromBits(bits: Iterable<number>): BitMask {
  return maskOf(...bits);
}

/** Adds bits; the whole call fails (mask unchanged) if any bit is out of range. */
export function maskAdd(m: BitMask, ...bits: number[]): BitMask {
  return m | maskOf(...bits);
}

export function maskRemove(m: BitMask, ...bits: number[]): BitMask {
  return m & ~maskOf(...bits);
}

export function maskIsSet(m: BitMask, bit: number): boolean {
  return Number.isInteger(bit) && bit >= 0 && bit < MAX_BITS && ((m >> BigInt(bit)) & 1n) === 1n;
}

export function maskAnySet(m: BitMask, bits: readonly number[]): boolean {
  return bits.some((b) => maskIsSet(m, b));
}

/** Every one of the 64 bits set (`Fill`). */
export const FULL_MASK: BitMask = (1n << 64n) - 1n;

function popcount32(v: number): number {
  v -= (v >>> 1) & 0x55555555;
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

/** The masks of nodes 0–31: what fits in one 32-bit word. */
export const LOW32 = 0xffffffffn;

/** Population count, done on two 32-bit halves because bigint bit loops are slow. */
export function maskCount(m: BitMask): number {
  if (m <= LOW32) return popcount32(Number(m));
  let n = 0;
  let x = m;
  while (x !== 0n) {
    n += popcount32(Number(x & LOW32));
    x >>= 32n;
  }
  return n;
}

export function maskIsEqual(a: BitMask, b: BitMask): boolean {
  return a === b;
}

/** `IsLessThan`: plain unsigned comparison (not "more lower-numbered bits"; see §1). */
export function maskIsLessThan(a: BitMask, b: BitMask): boolean {
  return a < b;
}

export function maskIsGreaterThan(a: BitMask, b: BitMask): boolean {
  return a > b;
}

/** Set bits in ascending order. */
export function maskBits(m: BitMask): number[] {
  const out: number[] = [];
  // Bigint shifts allocate; walk each 32-bit half as a number instead (traces list many masks),
  // and a mask of the low 32 nodes (most machines) without a bigint operation at all.
  if (m >= 0n && m <= LOW32) {
    pushBits(out, 0, Number(m));
    return out;
  }
  for (let base = 0, x = m; x !== 0n; base += 32, x >>= 32n) pushBits(out, base, Number(x & LOW32));
  return out;
}

/** Appends the set bits of a 32-bit word, ascending, offset by `base`. */
function pushBits(out: number[], base: number, word: number): void {
  for (let w = word; w !== 0; ) {
    const low = w & -w;
    out.push(base + 31 - Math.clz32(low));
    w ^= low;
  }
}

export function maskAnd(first: BitMask, ...rest: BitMask[]): BitMask {
  let m = first;
  for (const r of rest) m &= r;
  return m;
}

export function maskOr(first: BitMask, ...rest: BitMask[]): BitMask {
  let m = first;
  for (const r of rest) m |= r;
  return m;
}

/** `IsNarrowerThan`: fewer bits first; equal counts -> the numerically smaller mask. */
export function maskIsNarrowerThan(a: BitMask, b: BitMask): boolean {
  const ca = maskCount(a);
  const cb = maskCount(b);
  if (ca !== cb) return ca < cb;
  return a < b;
}

/** Go `String()`: binary, most significant first, zero-padded to an even width. */
export function maskString(m: BitMask): string {
  let s = m.toString(2);
  if (s.length % 2 === 1) s = `0${s}`;
  return s;
}

/**
 * `IterateBitMasks`: every non-empty subset of `bits`, by size, then lexicographic over positions
 * in `bits` ({0},{1},{2},{0,1},{0,2},{1,2},{0,1,2}). Calls `fn` for each; return `false` to stop.
 */
export function iterateBitMasks(bits: readonly number[], fn: (m: BitMask) => boolean | undefined): void {
  const n = bits.length;
  const masks = bits.map((b) => 1n << BigInt(b));
  const idx: number[] = [];
  for (let k = 1; k <= n; k++) {
    for (let i = 0; i < k; i++) idx[i] = i;
    idx.length = k;
    for (;;) {
      let m = 0n;
      for (let i = 0; i < k; i++) m |= masks[idx[i]];
      if (fn(m) === false) return;
      let i = k - 1;
      while (i >= 0 && idx[i] === n - k + i) i--;
      if (i < 0) break;
      idx[i]++;
      for (let j = i + 1; j < k; j++) idx[j] = idx[j - 1] + 1;
    }
  }
}
