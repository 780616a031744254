/**
 * The kubelet keeps every memory size as a Go `uint64`: sums and differences wrap modulo 2^64
 * (memory-manager.md §1). A node whose hugepages exceed its memory has an allocatable size near
 * 2^64, and a sum over a mask holding it can come out smaller than its other terms. Every size
 * arithmetic of the memory manager goes through these helpers so the wrap is never forgotten.
 */
// A mask, not BigInt.asUintN(64): Node 20's optimising compiler can abort the whole process on
// hot code that mixes asUintN(64) results with other BigInts (a V8 bug the fuzz run hit). BigInt
// `&` works on two's complement, so masking a negative difference wraps it exactly as Go does.
const U64_MASK = (1n << 64n) - 1n;

// A value already in range is returned as it is: masking it would only allocate an equal bigint.
export function u64(x: bigint): bigint {
  return x >= 0n && x <= U64_MASK ? x : x & U64_MASK;
}

export function addU64(a: bigint, b: bigint): bigint {
  return u64(a + b);
}

export function subU64(a: bigint, b: bigint): bigint {
  return u64(a - b);
}

export function minU64(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}
