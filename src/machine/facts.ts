import type { DevicePluginModel } from "./devices.js";
import type { Machine } from "./machine.js";
import type { CPUInfo, TopologyHeader } from "./topology.js";

/** One device-plugin resource as plain data: the devices in the plugin's order, every field explicit. */
export interface DeviceResourceFacts {
  name: string;
  registered: boolean;
  devices: { id: string; numaNodes: number[] | null; healthy: boolean }[];
  plugin: DevicePluginModel;
}

/** Everything a decision can depend on, as plain JSON-safe data (byte counts as decimal strings). */
export interface MachineFacts {
  header: TopologyHeader;
  cpus: CPUInfo[];
  memory: { node: number; memory: string; hugepages: { pageSizeKiB: number; numPages: string }[] }[];
  distances: { node: number; row: number[] }[] | null;
  /** By resource name, ascending; `numaNodes` keeps null (no TopologyInfo) apart from []. */
  devices: DeviceResourceFacts[];
}

/** The facts of `m`, in a canonical order, so two machines can be compared with a deep equality. */
export function machineFacts(m: Machine): MachineFacts {
  const t = m.topology;
  return {
    header: {
      numCPUs: t.numCPUs,
      numSockets: t.numSockets,
      numCores: t.numCores,
      numNUMANodes: t.numNUMANodes,
      numUncoreCaches: t.numUncoreCaches,
    },
    cpus: [...t.details.values()].map((c) => ({ ...c })),
    memory: [...m.memory]
      .sort(([a], [b]) => a - b)
      .map(([node, mem]) => ({
        node,
        memory: mem.memory.toString(),
        hugepages: [...mem.hugepages]
          .sort((a, b) => a.pageSizeKiB - b.pageSizeKiB)
          .map((h) => ({ pageSizeKiB: h.pageSizeKiB, numPages: h.numPages.toString() })),
      })),
    distances: m.distances
      ? [...m.distances].sort(([a], [b]) => a - b).map(([node, row]) => ({ node, row: [...row] }))
      : null,
    devices: [...m.devices.values()].map((r) => ({
      name: r.name,
      registered: r.registered,
      devices: r.devices.map((d) => ({
        id: d.id,
        numaNodes: d.numaNodes === null ? null : [...d.numaNodes],
        healthy: d.healthy,
      })),
      plugin: {
        getPreferredAllocationAvailable: r.plugin.getPreferredAllocationAvailable,
        preStartRequired: r.plugin.preStartRequired,
        preferred: r.plugin.preferred,
      },
    })),
  };
}
