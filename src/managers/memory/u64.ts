/**
 * The kubelet keeps every memory size as a Go `uint64`: sums and differences wrap modulo 2^64
 * (memory-manager.md §1). A node whose hugepages exceed its memory has an allocatable size near
 * 2^64, and a sum over a mask holding it can come out smaller than its other terms. Every size
 * arithmetic of the memory manager goes through these helpers so the wrap is never forgotten.
 */
export function u64(x: bigint): bigint {
  return BigInt.asUintN(64, x);
}

export function addU64(a: bigint, b: bigint): bigint {
  return BigInt.asUintN(64, a + b);
}

export function subU64(a: bigint, b: bigint): bigint {
  return BigInt.asUintN(64, a - b);
}

export function minU64(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}
