/**
 * The part of cadvisor's `MachineInfo` (info/v1) that the kubelet's resource managers read, with
 * cadvisor's JSON field names, so that a real capture (`/api/v2.0/machine` or the kubelet's own
 * log of it) is a machine description as it stands. Byte sizes are bigint: a node's memory and
 * hugepage counts are unsigned 64-bit in cadvisor.
 */
export interface CadvisorCache {
  id: number;
  /** Bytes. */
  size: bigint;
  type: string;
  level: number;
}

export interface CadvisorCore {
  /** cadvisor's core id (sysfs `core_id`, unique only within a package). */
  core_id: number;
  thread_ids: number[];
  socket_id: number;
  caches: CadvisorCache[];
  /** Shared caches above L2 that do not span the whole NUMA node (cadvisor's rule, see below). */
  uncore_caches: CadvisorCache[];
}

export interface CadvisorHugePages {
  /** KiB. */
  page_size: number;
  num_pages: bigint;
}

export interface CadvisorNode {
  node_id: number;
  /** Bytes, hugepage pools included. */
  memory: bigint;
  hugepages: CadvisorHugePages[];
  cores: CadvisorCore[];
  /** Shared caches above L2 that span exactly the node's CPUs. */
  caches: CadvisorCache[];
  /** Distance to every NUMA node, in node id order; empty when unknown. */
  distances: number[];
}

export interface CadvisorMachineInfo {
  /** Logical CPUs (cadvisor counts online threads); the kubelet takes `NumCPUs` from it. */
  num_cores: number;
  num_sockets: number;
  topology: CadvisorNode[];
}

/**
 * cadvisor's split of a shared cache above L2: a cache serving exactly as many CPUs as the NUMA
 * node has (cores × threads of the core being examined) is recorded once on the node, any other
 * one on each core as an uncore cache. The kubelet reads only the uncore list, so an L3 that
 * coincides with its NUMA node is invisible to it and the uncore id falls back to the socket id.
 */
export function isNodeLevelCache(cacheCPUCount: number, coresInNode: number, threadsOfCore: number): boolean {
  return cacheCPUCount === coresInNode * threadsOfCore;
}
