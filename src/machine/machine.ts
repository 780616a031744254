import type { DeviceResources } from "./devices.js";
import type { CPUTopology } from "./topology.js";

/** A hugepage pool of one NUMA node. */
export interface HugePagePool {
  pageSizeKiB: number;
  numPages: bigint;
}

/** Memory of one NUMA node, as cadvisor reports it: total memory (hugepage pools included). */
export interface NUMAMemory {
  memory: bigint;
  hugepages: HugePagePool[];
}

/**
 * Everything podpin decides on: the CPU topology, every NUMA node's memory (CPU-less nodes
 * included), and the NUMA distance matrix when it is known.
 */
export interface Machine {
  name: string;
  topology: CPUTopology;
  /** Keyed by NUMA node id; holds every NUMA node of the machine, with or without CPUs. */
  memory: ReadonlyMap<number, NUMAMemory>;
  /** Row per NUMA node id: distances to each node id in ascending order; null when unknown. */
  distances: ReadonlyMap<number, number[]> | null;
  /** Device-plugin resources (GPUs, NICs, ...) by name, ascending; empty when the machine has none. */
  devices: DeviceResources;
  /** Caveats about the description (unverified values, sources). */
  notes: string[];
  /**
   * Root filesystem capacity in bytes (the node's `ephemeral-storage`); absent when unknown, and
   * then the node lists no ephemeral storage at all.
   */
  ephemeralStorage?: bigint;
  /** Extended resources advertised by patching the node status (not device plugins): name → count. */
  extendedResources?: Readonly<Record<string, bigint>>;
  /** The node object's name (default `node`). */
  nodeName?: string;
  /** The node's labels, used exactly when given (default: hostname, os and arch labels). */
  labels?: Readonly<Record<string, string>>;
  /** Taints on the node object besides the kubelet's `registerWithTaints`. */
  taints?: readonly MachineTaint[];
  /** Whether the runtime reports `supplementalGroupsPolicy` support (default true). */
  supplementalGroupsPolicy?: boolean;
}

/** A node taint as the machine description gives it (the API's `Taint`). */
export interface MachineTaint {
  key: string;
  value?: string;
  effect: string;
}

/** Every NUMA node id of the machine (memory nodes and CPU nodes), ascending. */
export function machineNUMANodes(m: Machine): number[] {
  return [...new Set([...m.memory.keys(), ...m.topology.numaNodes()])].sort((a, b) => a - b);
}

/** The resource name of a hugepage size, e.g. 2048 KiB -> `hugepages-2Mi`. */
export function hugepageResourceName(pageSizeKiB: number): string {
  if (pageSizeKiB % (1024 * 1024) === 0) return `hugepages-${pageSizeKiB / (1024 * 1024)}Gi`;
  if (pageSizeKiB % 1024 === 0) return `hugepages-${pageSizeKiB / 1024}Mi`;
  return `hugepages-${pageSizeKiB}Ki`;
}
