import type { PresetDefinition } from "./definition.js";
import {
  GiB,
  type MachineLayout,
  X86_EMPTY_HUGEPAGE_POOLS,
  machineFromLayout,
  socketDistances,
} from "./generate.js";

/**
 * Large made-up machines for benchmarks and for the many-NUMA paths (more than 8 nodes needs
 * `max-allowable-numa-nodes`, topology-manager.md §6). Regular by construction; nothing here
 * describes a product.
 */
function synthetic(name: string, description: string, layout: MachineLayout): PresetDefinition {
  return {
    name,
    description,
    build: () => machineFromLayout(name, layout, [`synthetic machine for benchmarks: ${description}`]),
  };
}

export const SYNTHETIC_MACHINES: readonly PresetDefinition[] = [
  synthetic(
    "synthetic-8n-512c",
    "2 sockets × 128 cores × 2 threads = 512 CPUs, 8 NUMA nodes, L3 per 8 cores",
    {
      sockets: 2,
      coresPerSocket: 128,
      threadsPerCore: 2,
      numaPerSocket: 4,
      coresPerL3: 8,
      memory: 64n * GiB,
      hugepages: X86_EMPTY_HUGEPAGE_POOLS,
      distances: socketDistances(4, 12, 32),
    },
  ),
  synthetic("synthetic-16n", "2 sockets × 64 cores × 2 threads = 256 CPUs, 16 NUMA nodes, L3 per 4 cores", {
    sockets: 2,
    coresPerSocket: 64,
    threadsPerCore: 2,
    numaPerSocket: 8,
    coresPerL3: 4,
    memory: 32n * GiB,
    hugepages: X86_EMPTY_HUGEPAGE_POOLS,
    distances: socketDistances(8, 12, 32),
  }),
  synthetic("synthetic-32n", "4 sockets × 64 cores × 2 threads = 512 CPUs, 32 NUMA nodes, L3 per 4 cores", {
    sockets: 4,
    coresPerSocket: 64,
    threadsPerCore: 2,
    numaPerSocket: 8,
    coresPerL3: 4,
    memory: 16n * GiB,
    hugepages: X86_EMPTY_HUGEPAGE_POOLS,
    distances: socketDistances(8, 12, 32),
  }),
  synthetic(
    "synthetic-64n",
    "4 sockets × 128 cores × 2 threads = 1024 CPUs, 64 NUMA nodes (the most a NUMA mask holds), L3 per 8 cores",
    {
      sockets: 4,
      coresPerSocket: 128,
      threadsPerCore: 2,
      numaPerSocket: 16,
      coresPerL3: 8,
      memory: 32n * GiB,
      hugepages: X86_EMPTY_HUGEPAGE_POOLS,
      distances: socketDistances(16, 12, 32),
    },
  ),
  synthetic(
    "s8c4k",
    "8 packages × 512 cores, no SMT = 4096 CPUs, one NUMA node per package (nri-plugins e2e shape)",
    {
      sockets: 8,
      coresPerSocket: 512,
      threadsPerCore: 1,
      coresPerL3: 16,
      memory: 256n * GiB,
      hugepages: X86_EMPTY_HUGEPAGE_POOLS,
      distances: socketDistances(1, 10, 32),
    },
  ),
];
