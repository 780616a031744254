import { hugepageResourceName } from "../../machine/index.js";
import { defaultMachineState, type NUMANodeMap } from "../../managers/memory/index.js";
import { deviceInventory, deviceNUMANodes, isFree, type Node } from "../../node/index.js";
import type { NrtResourceInfo } from "../types.js";
import { resourceInfo, type ZoneAmounts } from "./quantities.js";

/*
 * What each NUMA node offers, resource by resource, in the resource-topology-exporter's terms:
 * capacity is what the NUMA node has, allocatable what the resource managers may hand out
 * (capacity minus the reserved CPUs or the reserved memory), available what is left of that now.
 * Unlike the exporter, which adds up the containers' PodResources answers, the numbers come from
 * the managers' own state, so pod-level pods count fully: a pod's CPU bubble (its exclusive CPUs
 * and its pod shared pool) is out of the default set, and its pod-level memory blocks are charged
 * in the Memory Manager's machine state. State a rejected pod left behind counts as used until the
 * next admission's cleanup reclaims it, exactly as the kubelet's state says.
 */

/**
 * CPUs. With the static policy: allocatable = the NUMA node's CPUs minus the reserved ones,
 * available = those still in the default set. With the `none` policy nothing is ever exclusive and
 * nothing is set aside per NUMA node, so every CPU is allocatable and available.
 */
export function cpuAmounts(node: Node, numa: number): ZoneAmounts {
  const cpus = node.machine.topology.cpusInNUMANode(numa);
  const capacity = BigInt(cpus.size);
  if (!node.cpuPolicy) return { capacity, allocatable: capacity, available: capacity };
  const allocatable = cpus.difference(node.cpuPolicy.reserved);
  const available = allocatable.intersect(node.cpuPolicy.state.getDefaultCPUSet());
  return { capacity, allocatable: BigInt(allocatable.size), available: BigInt(available.size) };
}

/**
 * The Memory Manager's machine state (Static), or the state an unused node would have (None: the
 * same capacity and reservations, and nothing is ever pinned to a NUMA node, so all is available).
 */
function memoryState(node: Node): NUMANodeMap {
  return node.memoryPolicy
    ? node.memoryPolicy.state.machineState
    : defaultMachineState(node.machine.memory, node.config.reservedMemory);
}

/**
 * `memory` and every hugepage size of the NUMA node. Capacity is the node's total (hugepages
 * included, as the exporter reads MemTotal), allocatable the Memory Manager's allocatable (minus
 * `reservedMemory` and, for `memory`, minus the hugepage pools), available its free amount.
 */
export function memoryResources(node: Node, numa: number, state = memoryState(node)): NrtResourceInfo[] {
  const machineNode = node.machine.memory.get(numa);
  const tables = state.get(numa)?.memoryMap;
  if (!machineNode || !tables) return [];
  const names = ["memory", ...machineNode.hugepages.map((p) => hugepageResourceName(p.pageSizeKiB))];
  const out: NrtResourceInfo[] = [];
  for (const name of new Set(names)) {
    const t = tables.get(name);
    if (!t) continue;
    out.push(
      resourceInfo(name, { capacity: t.total, allocatable: t.allocatable, available: t.free }, "bytes"),
    );
  }
  return out;
}

/**
 * Device-plugin resources per NUMA node: every device the plugin lists on it (capacity), the
 * healthy ones (allocatable, as the kubelet's GetAllocatableResources lists them) and those of
 * them not in the Device Manager's in-use set (available). A device on several NUMA nodes counts on
 * each, and one without NUMA information on none, as the exporter counts them.
 */
export function deviceAmounts(node: Node): Map<number, Map<string, ZoneAmounts>> {
  const machineNodes = new Set(node.machine.memory.keys());
  for (const id of node.machine.topology.numaNodes()) machineNodes.add(id);
  const out = new Map<number, Map<string, ZoneAmounts>>();
  for (const resource of deviceInventory(node)) {
    for (const d of resource.devices) {
      if (!d.reported) continue;
      for (const numa of deviceNUMANodes(d, machineNodes)) {
        let zone = out.get(numa);
        if (!zone) out.set(numa, (zone = new Map()));
        const a = zone.get(resource.name) ?? { capacity: 0n, allocatable: 0n, available: 0n };
        a.capacity++;
        if (d.healthy) a.allocatable++;
        if (isFree(d)) a.available++;
        zone.set(resource.name, a);
      }
    }
  }
  return out;
}
