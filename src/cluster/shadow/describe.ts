/**
 * One container's answer in words, for events and log lines: "cpus 2-3, NUMA 0",
 * "memory 1Gi, NUMA 0", "nvidia.com/gpu GPU-1 (NUMA 0)".
 */
import { Quantity } from "../../core/index.js";
import type { CPUTopology } from "../../machine/index.js";
import { type DriftResource, POD_LEVEL, type PodAllocation } from "./allocation.js";

const numaList = (ids: Iterable<number>) => [...new Set(ids)].sort((a, b) => a - b).join(",");

export function describeAnswer(
  a: PodAllocation,
  resource: DriftResource,
  container: string,
  topology: CPUTopology,
): string {
  if (resource === "cpu") {
    const set = a.cpu.get(container);
    if (!set || set.isEmpty()) return "no exclusive cpus";
    return `cpus ${set.toString()}, NUMA ${numaList(topology.numaNodesOf(set))}`;
  }
  if (resource === "memory") {
    const blocks = a.memory.get(container) ?? [];
    if (blocks.length === 0) return "no memory blocks";
    return blocks
      .map(
        (b) =>
          `${b.type} ${Quantity.fromInt(b.size, "BinarySI").toString()}, NUMA ${numaList(b.numaAffinity)}`,
      )
      .join(" + ");
  }
  const resources = [...(a.devices.get(container) ?? [])].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
  const parts = resources.flatMap(([name, perNUMA]) => {
    const byNUMA = [...perNUMA].filter(([, ids]) => ids.length > 0);
    if (byNUMA.length === 0) return [];
    const ids = [...new Set(byNUMA.flatMap(([, list]) => list))].sort();
    const nodes = byNUMA.map(([n]) => n).filter((n) => n >= 0);
    return [`${name} ${ids.join(",")}${nodes.length > 0 ? ` (NUMA ${numaList(nodes)})` : ""}`];
  });
  return parts.length > 0 ? parts.join(" + ") : "no devices";
}

/** How a container is named in messages. */
export function containerLabel(container: string): string {
  return container === POD_LEVEL ? "pod-level" : `container ${container}`;
}
