import type { MemoryBlock, MemoryTable, NUMANodeMap, NUMANodeState } from "./state-data.js";
import { ManagerError } from "../../core/index.js";
import { hugepageResourceName, type NUMAMemory } from "../../machine/index.js";
import { sameIds } from "./mask-ids.js";
import { addU64, minU64, subU64, u64 } from "./u64.js";

/** `reservedMemory`: NUMA node id -> resource name -> bytes reserved for the system. */
export type ReservedMemory = ReadonlyMap<number, ReadonlyMap<string, bigint>>;

/** The per-NUMA memory description the default machine state is built from. */
export type NUMAMemoryMap = ReadonlyMap<number, NUMAMemory>;

export const MEMORY = "memory";

/** Only `memory` reservations count; hugepage reservations alone do not satisfy the check. */
export function checkSystemReserved(reserved: ReservedMemory): ManagerError | null {
  let total = 0n;
  for (const node of reserved.values()) total = addU64(total, node.get(MEMORY) ?? 0n);
  return total === 0n
    ? new ManagerError("[memorymanager] you should specify the system reserved memory")
    : null;
}

function systemReservedOf(reserved: ReservedMemory, node: number, resource: string): bigint {
  return u64(reserved.get(node)?.get(resource) ?? 0n);
}

/**
 * The machine state of an unused node (memory-manager.md §1): hugepage pools first, then `memory`
 * minus its reservation and minus every hugepage pool of the node, all modulo 2^64.
 */
export function defaultMachineState(memory: NUMAMemoryMap, reserved: ReservedMemory): NUMANodeMap {
  const ms: NUMANodeMap = new Map();
  for (const id of [...memory.keys()].sort((a, b) => a - b)) {
    const node = memory.get(id)!;
    const memoryMap = new Map<string, MemoryTable>();
    let hugepagesTotal = 0n;
    for (const pool of node.hugepages) {
      const resource = hugepageResourceName(pool.pageSizeKiB);
      const systemReserved = systemReservedOf(reserved, id, resource);
      const total = u64(pool.numPages * BigInt(pool.pageSizeKiB) * 1024n);
      const allocatable = subU64(total, systemReserved);
      memoryMap.set(resource, { total, systemReserved, allocatable, reserved: 0n, free: allocatable });
      hugepagesTotal = addU64(hugepagesTotal, total);
    }
    const systemReserved = systemReservedOf(reserved, id, MEMORY);
    const total = u64(node.memory);
    const allocatable = subU64(subU64(total, systemReserved), hugepagesTotal);
    memoryMap.set(MEMORY, { total, systemReserved, allocatable, reserved: 0n, free: allocatable });
    ms.set(id, { numberOfAssignments: 0, memoryMap, cells: [id] });
  }
  return ms;
}

/** The machine's NUMA ids ascending, as hint generation walks them. */
export function numaNodeIds(ms: NUMANodeMap): number[] {
  return [...ms.keys()].sort((a, b) => a - b);
}

/**
 * Charges `size` bytes of `resource` to the nodes of `nodes` (memory-manager.md §5 step 6): every
 * node counts one more assignment and joins the group `nodes` even when nothing is taken there;
 * free moves to reserved greedily in the order given. A node the state does not hold is skipped
 * (the kubelet would crash on it).
 */
export function reserveMemory(
  ms: NUMANodeMap,
  nodes: readonly number[],
  resource: string,
  size: bigint,
): void {
  let remaining = size;
  for (const id of nodes) {
    const node = ms.get(id);
    if (!node) continue;
    node.numberOfAssignments++;
    // Groups are replaced, never changed in place, so a group that already holds these ids stays.
    if (!sameIds(node.cells, nodes)) node.cells = [...nodes];
    if (remaining === 0n) continue;
    const table = node.memoryMap.get(resource);
    if (!table || table.free === 0n) continue;
    const take = minU64(table.free, remaining);
    table.reserved = addU64(table.reserved, take);
    table.free = subU64(table.free, take);
    remaining = subU64(remaining, take);
  }
}

/**
 * Gives blocks back (memory-manager.md §7): one assignment less per node and block (a node left
 * without assignments returns to its own group), reserved back to free greedily in affinity order.
 * Blocks of size 0 still release their assignment count.
 */
export function releaseMemory(ms: NUMANodeMap, blocks: readonly MemoryBlock[]): void {
  for (const b of blocks) {
    let remaining = b.size;
    for (const id of b.numaAffinity) {
      const node = ms.get(id);
      if (!node) continue;
      node.numberOfAssignments--;
      // A node already alone keeps its group array, as in `reserveMemory`.
      if (node.numberOfAssignments === 0 && !(node.cells?.length === 1 && node.cells[0] === id))
        node.cells = [id];
      if (remaining === 0n) continue;
      const table = node.memoryMap.get(b.type);
      if (!table || table.reserved === 0n) continue;
      const give = minU64(table.reserved, remaining);
      table.free = addU64(table.free, give);
      table.reserved = subU64(table.reserved, give);
      remaining = subU64(remaining, give);
    }
  }
}

export function groupsEqual(a: readonly number[] | null, b: readonly number[] | null): boolean {
  if (b !== null && sameIds(a, b)) return true;
  const x = [...(a ?? [])].sort((p, q) => p - q);
  const y = [...(b ?? [])].sort((p, q) => p - q);
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

function groupSum(
  ms: NUMANodeMap,
  cells: readonly number[] | null,
  resource: string,
  field: "free" | "reserved",
) {
  let sum = 0n;
  for (const id of cells ?? []) sum = addU64(sum, ms.get(id)?.memoryMap.get(resource)?.[field] ?? 0n);
  return sum;
}

function tablesEqual(a: MemoryTable, b: MemoryTable): boolean {
  return a.total === b.total && a.systemReserved === b.systemReserved && a.allocatable === b.allocatable;
}

function nodesEqual(stored: NUMANodeMap, expected: NUMANodeMap, s: NUMANodeState, e: NUMANodeState): boolean {
  if (s.numberOfAssignments !== e.numberOfAssignments) return false;
  if (!groupsEqual(s.cells, e.cells)) return false;
  if (s.memoryMap.size !== e.memoryMap.size) return false;
  for (const [resource, table] of s.memoryMap) {
    const other = e.memoryMap.get(resource);
    if (!other || !tablesEqual(table, other)) return false;
    // Free and reserved are compared summed over the stored group, not per node: a cross-NUMA
    // block may have been filled in another node order than the replay uses.
    for (const field of ["free", "reserved"] as const) {
      if (groupSum(stored, s.cells, resource, field) !== groupSum(expected, s.cells, resource, field))
        return false;
    }
  }
  return true;
}

/** The kubelet's `areMachineStatesEqual` (memory-manager.md §2), used by state validation. */
export function machineStatesEqual(stored: NUMANodeMap, expected: NUMANodeMap): boolean {
  if (stored.size !== expected.size) return false;
  for (const [id, s] of stored) {
    const e = expected.get(id);
    if (!e || !nodesEqual(stored, expected, s, e)) return false;
  }
  return true;
}
