import { type DeviceResources, NO_DEVICES } from "./devices.js";
import type { CadvisorCache, CadvisorCore, CadvisorMachineInfo, CadvisorNode } from "./cadvisor.js";
import { MachineError } from "./errors.js";
import { MAX_NUMA_NODES, idLimitProblem, machineSizeProblem } from "./limits.js";
import { type Machine, type NUMAMemory, machineNUMANodes } from "./machine.js";
import { type CPUInfo, CPUTopology } from "./topology.js";

/**
 * The kubelet's CPU topology discovery (`topology.Discover`, cpu-manager.md §2) from cadvisor
 * machine info:
 * - a CPU's core id is the lowest thread id of its core (cadvisor's core ids repeat per package);
 * - its uncore id is the id of the core's first uncore cache, else the core's socket id;
 * - `NumCPUs` and `NumSockets` are cadvisor's counts, `NumCores` the number of core entries, and
 *   `NumNUMANodes` / `NumUncoreCache` the distinct ids among the CPUs (CPU-less nodes not counted).
 */
export function discoverTopology(info: CadvisorMachineInfo, where = "machine info"): CPUTopology {
  if (info.num_cores === 0) throw new MachineError(where, "could not detect number of cpus (num_cores is 0)");
  const cpus: CPUInfo[] = [];
  let coreEntries = 0;
  for (const node of info.topology) {
    coreEntries += node.cores.length;
    for (const core of node.cores) {
      const coreId = lowestThread(core, `${where}: node ${node.node_id} core ${core.core_id}`);
      const uncore = uncoreIdOf(core);
      for (const id of core.thread_ids) {
        cpus.push({ id, core: coreId, socket: core.socket_id, numa: node.node_id, uncore });
      }
    }
  }
  const tooLarge = machineSizeProblem(
    cpus.length,
    cpus.reduce((m, c) => Math.max(m, c.id), 0),
  );
  if (tooLarge) throw new MachineError(where, tooLarge);
  const seen = new Set<number>();
  for (const c of cpus) {
    const bad = idLimitProblem("CPU", c.id) ?? idLimitProblem("NUMA node", c.numa);
    if (bad) throw new MachineError(where, bad);
    if (seen.has(c.id)) throw new MachineError(where, `CPU ${c.id} appears in more than one core`);
    seen.add(c.id);
  }
  return new CPUTopology(
    {
      numCPUs: info.num_cores,
      numSockets: info.num_sockets,
      numCores: coreEntries,
      numNUMANodes: new Set(cpus.map((c) => c.numa)).size,
      numUncoreCaches: new Set(cpus.map((c) => c.uncore)).size,
    },
    cpus,
  );
}

function lowestThread(core: CadvisorCore, where: string): number {
  if (core.thread_ids.length === 0) throw new MachineError(where, "no cpus provided (thread_ids is empty)");
  if (new Set(core.thread_ids).size !== core.thread_ids.length) {
    throw new MachineError(
      where,
      `cpus provided are not unique (thread_ids ${JSON.stringify(core.thread_ids)})`,
    );
  }
  return Math.min(...core.thread_ids);
}

/** Only the first uncore cache counts: cadvisor reports at most one per core. */
function uncoreIdOf(core: CadvisorCore): number {
  return core.uncore_caches.length > 0 ? core.uncore_caches[0].id : core.socket_id;
}

export interface DiscoverOptions {
  name: string;
  notes?: string[];
  devices?: DeviceResources;
}

/** A whole machine from cadvisor machine info: CPU topology, memory per NUMA node, distances. */
export function discoverMachine(
  info: CadvisorMachineInfo,
  opts: DiscoverOptions,
  where = "machine info",
): Machine {
  const topology = discoverTopology(info, where);
  const memory = new Map<number, NUMAMemory>();
  if (info.topology.length > MAX_NUMA_NODES)
    throw new MachineError(where, `${info.topology.length} NUMA nodes exceed the limit of ${MAX_NUMA_NODES}`);
  for (const node of info.topology) {
    const bad = idLimitProblem("NUMA node", node.node_id);
    if (bad) throw new MachineError(where, bad);
    for (const h of node.hugepages) {
      if (!Number.isSafeInteger(h.page_size) || h.page_size <= 0)
        throw new MachineError(
          where,
          `NUMA node ${node.node_id}: hugepage page_size ${h.page_size}: expected a positive number of KiB`,
        );
    }
    if (memory.has(node.node_id))
      throw new MachineError(where, `NUMA node ${node.node_id} is described twice`);
    memory.set(node.node_id, {
      memory: node.memory,
      hugepages: node.hugepages
        .map((h) => ({ pageSizeKiB: h.page_size, numPages: h.num_pages }))
        .sort((a, b) => a.pageSizeKiB - b.pageSizeKiB),
    });
  }
  const sortedMemory = new Map([...memory].sort(([a], [b]) => a - b));
  return {
    name: opts.name,
    topology,
    memory: sortedMemory,
    distances: distancesOf(info.topology, where),
    devices: opts.devices ?? NO_DEVICES,
    notes: [...(opts.notes ?? [])],
  };
}

/** Distance rows by node id; null when no node reports any (cadvisor leaves them empty then). */
function distancesOf(nodes: CadvisorNode[], where: string): Map<number, number[]> | null {
  if (nodes.every((n) => n.distances.length === 0)) return null;
  const out = new Map<number, number[]>();
  for (const n of [...nodes].sort((a, b) => a.node_id - b.node_id)) {
    if (n.distances.length !== nodes.length) {
      throw new MachineError(
        where,
        `NUMA node ${n.node_id}: expected ${nodes.length} distances (one per NUMA node), got ${n.distances.length}`,
      );
    }
    out.set(n.node_id, [...n.distances]);
  }
  return out;
}

/**
 * The cadvisor machine info that `discoverMachine` turns back into `m`. A core's uncore id is
 * written as an uncore cache only where it differs from the socket id (otherwise discovery's
 * fallback gives it anyway). Header counts other than CPUs and sockets are re-derived by
 * discovery, so a topology whose header disagrees with its CPU list (a kubelet test fixture) does
 * not survive the trip.
 */
export function toMachineInfo(m: Machine): CadvisorMachineInfo {
  const t = m.topology;
  const nodes: CadvisorNode[] = machineNUMANodes(m).map((id) => {
    const mem = m.memory.get(id);
    const cores: CadvisorCore[] = [];
    for (const coreId of t.coresOf(t.cpusInNUMANode(id))) {
      const threads = t.cpusInCore(coreId).intersect(t.cpusInNUMANode(id)).toArray();
      const first = t.cpu(threads[0]);
      const uncore: CadvisorCache[] =
        first.uncore === first.socket ? [] : [{ id: first.uncore, size: 0n, type: "Unified", level: 3 }];
      cores.push({
        core_id: coreId,
        thread_ids: threads,
        socket_id: first.socket,
        caches: [],
        uncore_caches: uncore,
      });
    }
    return {
      node_id: id,
      memory: mem?.memory ?? 0n,
      hugepages: (mem?.hugepages ?? []).map((h) => ({ page_size: h.pageSizeKiB, num_pages: h.numPages })),
      cores,
      caches: [],
      distances: m.distances?.get(id) ?? [],
    };
  });
  return { num_cores: t.numCPUs, num_sockets: t.numSockets, topology: nodes };
}
