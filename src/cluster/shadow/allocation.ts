/**
 * One pod's allocation as the managers' states hold it (the kubelet's checkpoints, or a podpin
 * node's live state), and how two of them differ, container by container.
 *
 * What "differs" means, per resource:
 * - cpu: the exact CPU set (a container's exclusive or pod-pool set, and the pod-level set).
 *   Which CPUs the static policy takes is deterministic given the free CPUs, so a different id is
 *   a different decision.
 * - memory: the blocks per resource type, each with its NUMA affinity and size.
 * - devices: the device ids per resource. The kubelet's choice among devices that are equivalent
 *   to it (same NUMA node) follows the plugin's list order, which podpin follows too, so ids are
 *   compared, not only counts per NUMA node.
 */
import type { CPUSet } from "../../core/index.js";
import type { RestoredStates } from "../../agent/state/index.js";
import type { MemoryBlock } from "../../managers/memory/index.js";
import type { DevicesPerNUMA } from "../../managers/device/index.js";

export type DriftResource = "cpu" | "memory" | "devices";
export const DRIFT_RESOURCES: readonly DriftResource[] = ["cpu", "memory", "devices"];

/** The pseudo-container name of a pod's pod-level sets (KEP-5526), in comparisons and messages. */
export const POD_LEVEL = "";

export interface PodAllocation {
  /** container (or POD_LEVEL) -> CPU set. */
  cpu: Map<string, CPUSet>;
  /** container (or POD_LEVEL) -> blocks. */
  memory: Map<string, MemoryBlock[]>;
  /** container -> resource -> devices per NUMA node. */
  devices: Map<string, Map<string, DevicesPerNUMA>>;
}

export function allocationOf(states: RestoredStates, uid: string): PodAllocation {
  const cpu = new Map(states.cpu?.entries.get(uid) ?? []);
  const podCPU = states.cpu?.podEntries.get(uid);
  if (podCPU) cpu.set(POD_LEVEL, podCPU);
  const memory = new Map(states.memory?.entries.get(uid) ?? []);
  const podMemory = states.memory?.podEntries.get(uid);
  if (podMemory && podMemory.length > 0) memory.set(POD_LEVEL, podMemory);
  const devices = new Map<string, Map<string, DevicesPerNUMA>>();
  for (const [container, resources] of states.device?.podDevices.get(uid) ?? [])
    devices.set(container, new Map([...resources].map(([r, rec]) => [r, rec.deviceIDs])));
  return { cpu, memory, devices };
}

export function isEmptyAllocation(a: PodAllocation): boolean {
  return a.cpu.size === 0 && a.memory.size === 0 && a.devices.size === 0;
}

/** A comparable key for each resource's answer for one container ("" when it holds nothing). */
export function answerKey(a: PodAllocation, resource: DriftResource, container: string): string {
  if (resource === "cpu") return a.cpu.get(container)?.toString() ?? "";
  if (resource === "memory")
    return (a.memory.get(container) ?? [])
      .map((b) => `${b.type}=${b.size}@${[...b.numaAffinity].sort((x, y) => x - y).join(",")}`)
      .sort()
      .join(";");
  const resources = a.devices.get(container);
  if (!resources) return "";
  return [...resources]
    .filter(([, perNUMA]) => [...perNUMA.values()].some((ids) => ids.length > 0))
    .map(([r, perNUMA]) => `${r}=${[...new Set([...perNUMA.values()].flat())].sort().join(",")}`)
    .sort()
    .join(";");
}

/** Every container (and POD_LEVEL) either allocation names for `resource`. */
export function containersOf(resource: DriftResource, ...allocations: PodAllocation[]): string[] {
  const names = new Set<string>();
  for (const a of allocations)
    for (const name of a[resource === "devices" ? "devices" : resource].keys()) names.add(name);
  return [...names].sort();
}
