import { Quantity } from "../core/index.js";
import type { NUMAMemory } from "./machine.js";

/**
 * A NUMA node's memory as cadvisor reports it is the node's `MemTotal`, and the kernel carves the
 * node's hugepage pools out of that memory, so on a real machine the pools never exceed it. A
 * description where they do describes no machine (the Memory Manager's unsigned arithmetic would
 * turn the difference into some 16 EiB of free memory); podpin refuses it. Returns the problem,
 * or null.
 */
export function hugepagesExceedMemory(id: number, numa: NUMAMemory): string | null {
  const pools = numa.hugepages.reduce((sum, p) => sum + BigInt(p.pageSizeKiB) * 1024n * p.numPages, 0n);
  if (pools <= numa.memory) return null;
  const show = (b: bigint) => Quantity.fromInt(b, "BinarySI").toString();
  return `NUMA node ${id}: its hugepage pools (${show(pools)}) exceed its memory (${show(numa.memory)}); a NUMA node's memory is its MemTotal, which includes its hugepages, so give the node's whole memory`;
}
