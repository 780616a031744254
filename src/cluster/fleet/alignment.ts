import { machineNUMANodes } from "../../machine/index.js";
import type { AdmissionResult, Node } from "../../node/index.js";

/**
 * Where an admitted pod's resources sit: the NUMA nodes of every container's CPUs (its exclusive
 * set, or the shared pool it runs on), of its memory (`cpuset.mems` when the kubelet writes it,
 * else every NUMA node of the machine: unpinned memory may come from any), and of its devices.
 * A pod is aligned when that is one NUMA node; "minimally aligned" when it is no more than the
 * fewest NUMA nodes whose allocatable CPUs and memory could hold its requests.
 */
export interface PodPlacementShape {
  numaNodes: number;
  minimalNumaNodes: number;
}

export function numaNodesOfAdmission(node: Node, result: AdmissionResult): Set<number> {
  const topology = node.machine.topology;
  const all = machineNUMANodes(node.machine);
  const out = new Set<number>();
  // Init containers have finished by the time the pod runs; sidecars and app containers stay.
  for (const c of result.containers ?? []) {
    if (c.kind === "init") continue;
    for (const id of topology.numaNodesOf(c.cpus)) out.add(id);
    const mems =
      c.cpusetMems ?? (c.memory && c.memory.length > 0 ? c.memory.flatMap((b) => b.numaAffinity) : all);
    for (const id of mems) out.add(id);
    for (const d of c.devices)
      for (const dev of d.devices) for (const id of dev.numaNodes) if (id >= 0) out.add(id);
  }
  return out;
}

/** The fewest NUMA nodes of this machine that could hold `cpuMillis` and `memoryBytes`. */
export function minimalNumaNodes(node: Node, cpuMillis: number, memoryBytes: number): number {
  const ids = machineNUMANodes(node.machine);
  const cpus = ids.map((id) => node.machine.topology.cpusInNUMANode(id).size * 1000).sort((a, b) => b - a);
  const mems = ids.map((id) => Number(node.machine.memory.get(id)?.memory ?? 0n)).sort((a, b) => b - a);
  let k = 1;
  let cpu = cpus[0] ?? 0;
  let mem = mems[0] ?? 0;
  while (k < ids.length && (cpu < cpuMillis || mem < memoryBytes)) {
    cpu += cpus[k];
    mem += mems[k];
    k++;
  }
  return k;
}

export function placementShape(
  node: Node,
  result: AdmissionResult,
  request: { cpu: number; memory: number },
): PodPlacementShape {
  return {
    numaNodes: numaNodesOfAdmission(node, result).size,
    minimalNumaNodes: minimalNumaNodes(node, request.cpu, request.memory),
  };
}
