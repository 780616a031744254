import type { CPUInfo, TopologyHeader } from "./topology.js";
import type { Machine } from "./machine.js";

/** Everything a decision can depend on, as plain JSON-safe data (byte counts as decimal strings). */
export interface MachineFacts {
  header: TopologyHeader;
  cpus: CPUInfo[];
  memory: { node: number; memory: string; hugepages: { pageSizeKiB: number; numPages: string }[] }[];
  distances: { node: number; row: number[] }[] | null;
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
  };
}
