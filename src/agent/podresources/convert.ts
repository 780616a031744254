import type { CPUSet } from "../../core/index.js";
import { compareBytewise, type DeviceResources } from "../../machine/index.js";
import type { MemoryBlock, NUMANodeMap } from "../../managers/memory/index.js";
import type { DeviceAssignment } from "../../node/index.js";
import type { ContainerDevices, ContainerMemory, TopologyInfo } from "./types.js";

/*
 * The engine's values in the PodResources messages' shapes, in the order the service promises:
 * CPU ids ascending; memory by type (then NUMA node); devices by resource name, id, NUMA node.
 */

/** The Device Manager's "recorded without NUMA information" node (the kubelet's nodeWithoutTopology). */
const NO_NUMA_NODE = -1;

export function cpuIds(set: CPUSet): number[] {
  return set.toArray();
}

function topologyOf(nodes: readonly number[]): TopologyInfo {
  return { nodes: [...nodes].sort((a, b) => a - b).map((ID) => ({ ID })) };
}

function byTypeThenNodes(a: ContainerMemory, b: ContainerMemory): number {
  const byType = compareBytewise(a.memory_type, b.memory_type);
  if (byType !== 0) return byType;
  return (a.topology.nodes[0]?.ID ?? 0) - (b.topology.nodes[0]?.ID ?? 0);
}

/** Memory blocks as the kubelet reports them: one entry per block with the block's NUMA nodes. */
export function memoryOf(blocks: readonly MemoryBlock[] | null): ContainerMemory[] {
  return (blocks ?? [])
    .map((b) => ({ memory_type: b.type, size: b.size, topology: topologyOf(b.numaAffinity) }))
    .sort(byTypeThenNodes);
}

/**
 * Allocatable memory per NUMA node and memory type, from the Memory Manager's machine state; types
 * without allocatable bytes on a node are left out, as the kubelet does.
 */
export function allocatableMemoryOf(machineState: NUMANodeMap): ContainerMemory[] {
  const out: ContainerMemory[] = [];
  for (const [node, state] of machineState)
    for (const [type, table] of state.memoryMap)
      if (table.allocatable !== 0n)
        out.push({ memory_type: type, size: table.allocatable, topology: topologyOf([node]) });
  return out.sort(byTypeThenNodes);
}

/**
 * One entry per device and NUMA node, as the kubelet's conversion writes them: a device on two
 * nodes appears twice, a device without NUMA information once without `topology`.
 */
function deviceEntries(
  resource: string,
  id: string,
  numaNodes: readonly number[] | null,
): ContainerDevices[] {
  if (numaNodes === null) return [{ resource_name: resource, device_ids: [id] }];
  return [...numaNodes]
    .sort((a, b) => a - b)
    .map((ID) => ({ resource_name: resource, device_ids: [id], topology: { nodes: [{ ID }] } }));
}

/** What a container holds, with each device under the NUMA nodes the Device Manager recorded it. */
export function containerDevicesOf(assignments: readonly DeviceAssignment[]): ContainerDevices[] {
  return [...assignments]
    .sort((a, b) => compareBytewise(a.resource, b.resource))
    .flatMap((a) =>
      [...a.devices]
        .sort((x, y) => compareBytewise(x.id, y.id))
        .flatMap((d) => {
          const nodes = d.numaNodes.filter((n) => n !== NO_NUMA_NODE);
          return deviceEntries(a.resource, d.id, nodes.length > 0 ? nodes : null);
        }),
    );
}

/**
 * The healthy devices of every registered resource, with the topology the plugin reported. A
 * device whose plugin sent an empty topology yields no entry (there is no NUMA node to list it
 * under), as in the kubelet.
 */
export function allocatableDevicesOf(resources: DeviceResources): ContainerDevices[] {
  return [...resources.values()]
    .filter((r) => r.registered)
    .sort((a, b) => compareBytewise(a.name, b.name))
    .flatMap((r) =>
      r.devices
        .filter((d) => d.healthy)
        .sort((a, b) => compareBytewise(a.id, b.id))
        .flatMap((d) => deviceEntries(r.name, d.id, d.numaNodes)),
    );
}
