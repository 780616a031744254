/**
 * The Memory Manager's persistent state as plain data (the kubelet's `memorymanager/state`): what
 * its state object holds and what the `memory_manager_state` checkpoint carries. The manager keeps
 * its live state in these shapes so that checkpoints read and write them without translation.
 */

/** One resource of one NUMA node, in bytes (unsigned 64-bit, modulo 2^64). */
export interface MemoryTable {
  total: bigint;
  systemReserved: bigint;
  allocatable: bigint;
  reserved: bigint;
  free: bigint;
}

export interface NUMANodeState {
  numberOfAssignments: number;
  /** resource name (`memory`, `hugepages-2Mi`, ...) -> table. */
  memoryMap: Map<string, MemoryTable>;
  /** The NUMA group this node belongs to; null is Go's nil slice (checkpoint hashing tells them apart). */
  cells: number[] | null;
}

/** NUMA node id -> state. */
export type NUMANodeMap = Map<number, NUMANodeState>;

export interface MemoryBlock {
  numaAffinity: number[];
  type: string;
  size: bigint;
}

export interface MemoryStateData {
  policyName: string;
  machineState: NUMANodeMap;
  /** podUID -> container name -> blocks. */
  entries: Map<string, Map<string, MemoryBlock[]>>;
  /** podUID -> pod-level blocks (KEP-5526). */
  podEntries: Map<string, MemoryBlock[]>;
}
