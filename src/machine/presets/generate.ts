import type { CadvisorCache, CadvisorMachineInfo, CadvisorNode } from "../cadvisor.js";
import { isNodeLevelCache } from "../cadvisor.js";
import { type DeviceResource, sortedDeviceResources } from "../devices.js";
import { discoverMachine } from "../discover.js";
import { MachineError } from "../errors.js";
import { MAX_MACHINE_CPUS, MAX_NUMA_NODES } from "../limits.js";
import type { HugePagePool, Machine } from "../machine.js";

/**
 * A regular machine described by its shape: sockets × cores × threads, how Linux numbers the
 * logical CPUs, how each socket splits into NUMA nodes and L3 groups, memory per node and NUMA
 * distances. `layoutMachineInfo` turns it into the cadvisor machine info a kubelet on that machine
 * would receive, so presets go through the same discovery as real captures.
 */
export interface MachineLayout {
  sockets: number;
  coresPerSocket: number;
  threadsPerCore: number;
  /**
   * Sibling numbering: `offset` puts thread t of core g at `g + t × totalCores` (Intel, most AMD
   * BIOSes); `adjacent` at `g × threadsPerCore + t`. Default `offset`.
   */
  siblings?: "offset" | "adjacent";
  /**
   * Core numbering across sockets: `blocked` numbers socket 0's cores first; `interleaved`
   * alternates sockets core by core (CPU 0 on socket 0, CPU 1 on socket 1, ...). Default `blocked`.
   */
  socketNumbering?: "blocked" | "interleaved";
  /** NUMA nodes per socket, each taking an equal run of the socket's cores. Default 1. */
  numaPerSocket?: number;
  /** Cores per L3 cache, within a socket; null or absent: the machine reports no cache data. */
  coresPerL3?: number | null;
  /** Size of each L3 in bytes (informational). */
  l3Bytes?: bigint;
  /** CPU-less NUMA nodes (HBM, CXL, GPU memory), numbered after the CPU nodes. Default 0. */
  cpuLessNodes?: number;
  /** Total memory in bytes per NUMA node id (every node, hugepage pools included), or one value for all. */
  memory: bigint | readonly bigint[];
  /** Hugepage pools present on every node. Default none. */
  hugepages?: readonly HugePagePool[];
  /** Distance matrix by node id, a rule, or null when unknown. Default null. */
  distances?: readonly (readonly number[])[] | ((from: number, to: number) => number) | null;
}

export const GiB = 1n << 30n;
export const MiB = 1n << 20n;

/** The pools every x86 kernel lists (2Mi and 1Gi), with no pages reserved. */
export const X86_EMPTY_HUGEPAGE_POOLS: readonly HugePagePool[] = [
  { pageSizeKiB: 2048, numPages: 0n },
  { pageSizeKiB: 1048576, numPages: 0n },
];

function positive(what: string, v: number): number {
  if (!Number.isInteger(v) || v < 1)
    throw new MachineError("machine layout", `${what}: expected a positive integer, got ${v}`);
  return v;
}

function divides(what: string, part: number, whole: number): void {
  if (whole % part !== 0)
    throw new MachineError("machine layout", `${what}: ${part} does not divide ${whole}`);
}

/** The cadvisor machine info of a layout, caches classified by cadvisor's node/uncore rule. */
export function layoutMachineInfo(layout: MachineLayout): CadvisorMachineInfo {
  const sockets = positive("sockets", layout.sockets);
  const coresPerSocket = positive("coresPerSocket", layout.coresPerSocket);
  const threads = positive("threadsPerCore", layout.threadsPerCore);
  const numaPerSocket = positive("numaPerSocket", layout.numaPerSocket ?? 1);
  divides("numaPerSocket", numaPerSocket, coresPerSocket);
  const coresPerNUMA = coresPerSocket / numaPerSocket;
  const coresPerL3 = layout.coresPerL3 ?? null;
  if (coresPerL3 !== null) divides("coresPerL3", positive("coresPerL3", coresPerL3), coresPerSocket);
  const totalCores = sockets * coresPerSocket;
  const cpuNodes = sockets * numaPerSocket;
  const cpuLess = layout.cpuLessNodes ?? 0;
  if (!Number.isInteger(cpuLess) || cpuLess < 0)
    throw new MachineError("machine layout", `cpuLessNodes: expected a non-negative integer, got ${cpuLess}`);
  const totalNodes = cpuNodes + cpuLess;
  // Checked before anything is built: the products of small fields can be enormous.
  if (totalCores * threads > MAX_MACHINE_CPUS) {
    throw new MachineError(
      "machine layout",
      `sockets × coresPerSocket × threadsPerCore: ${sockets} × ${coresPerSocket} × ${threads} CPUs exceed the limit of ${MAX_MACHINE_CPUS} (Linux's largest NR_CPUS)`,
    );
  }
  if (totalNodes > MAX_NUMA_NODES) {
    throw new MachineError(
      "machine layout",
      `sockets × numaPerSocket + cpuLessNodes: ${totalNodes} NUMA nodes exceed the limit of ${MAX_NUMA_NODES} (the Topology Manager's masks have ${MAX_NUMA_NODES} bits)`,
    );
  }

  const cpuId = (socket: number, core: number, thread: number): number => {
    const g =
      layout.socketNumbering === "interleaved" ? core * sockets + socket : socket * coresPerSocket + core;
    return layout.siblings === "adjacent" ? g * threads + thread : thread * totalCores + g;
  };
  const memoryOf = (node: number): bigint => {
    if (typeof layout.memory === "bigint") return layout.memory;
    if (layout.memory.length !== totalNodes) {
      throw new MachineError(
        "machine layout",
        `memory: expected ${totalNodes} values (one per NUMA node), got ${layout.memory.length}`,
      );
    }
    return layout.memory[node];
  };
  const distanceRow = (node: number): number[] => {
    const d = layout.distances ?? null;
    if (d === null) return [];
    const row = Array.from({ length: totalNodes }, (_, to) =>
      typeof d === "function" ? d(node, to) : d[node]?.[to],
    );
    if (row.some((v) => v === undefined)) {
      throw new MachineError("machine layout", `distances: expected a ${totalNodes}×${totalNodes} matrix`);
    }
    return row as number[];
  };

  const nodes: CadvisorNode[] = [];
  for (let node = 0; node < totalNodes; node++) {
    const entry: CadvisorNode = {
      node_id: node,
      memory: memoryOf(node),
      hugepages: (layout.hugepages ?? []).map((h) => ({ page_size: h.pageSizeKiB, num_pages: h.numPages })),
      cores: [],
      caches: [],
      distances: distanceRow(node),
    };
    if (node < cpuNodes) {
      const socket = Math.floor(node / numaPerSocket);
      const first = (node % numaPerSocket) * coresPerNUMA;
      for (let core = first; core < first + coresPerNUMA; core++) {
        const uncore: CadvisorCache[] = [];
        if (coresPerL3 !== null) {
          const l3: CadvisorCache = {
            id: socket * (coresPerSocket / coresPerL3) + Math.floor(core / coresPerL3),
            size: layout.l3Bytes ?? 0n,
            type: "Unified",
            level: 3,
          };
          if (!isNodeLevelCache(coresPerL3 * threads, coresPerNUMA, threads)) uncore.push(l3);
          else if (!entry.caches.some((c) => c.id === l3.id)) entry.caches.push(l3);
        }
        entry.cores.push({
          core_id: core,
          thread_ids: Array.from({ length: threads }, (_, t) => cpuId(socket, core, t)),
          socket_id: socket,
          caches: [],
          uncore_caches: uncore,
        });
      }
    }
    nodes.push(entry);
  }
  return { num_cores: totalCores * threads, num_sockets: sockets, topology: nodes };
}

/** The machine of a layout; `devices` are its device-plugin resources (any order). */
export function machineFromLayout(
  name: string,
  layout: MachineLayout,
  notes: string[] = [],
  devices: readonly DeviceResource[] = [],
): Machine {
  return discoverMachine(
    layoutMachineInfo(layout),
    { name, notes, devices: sortedDeviceResources(devices) },
    `preset ${name}`,
  );
}

/**
 * Distances of CPU nodes grouped by socket: 10 on the diagonal, `sameSocket` between nodes of one
 * socket, `remote` across sockets.
 */
export function socketDistances(
  numaPerSocket: number,
  sameSocket: number,
  remote: number,
): (from: number, to: number) => number {
  return (from, to) => {
    if (from === to) return 10;
    return Math.floor(from / numaPerSocket) === Math.floor(to / numaPerSocket) ? sameSocket : remote;
  };
}
