import { hugepageResourceName, type Machine } from "../../machine/index.js";
import type { NodeConfig } from "../types.js";
import { type CapacityFacts, type NodeResources, nodeResources } from "./allocatable.js";
import type { NodeObject } from "./types.js";

/**
 * The node object podpin's kubelet would publish, from the machine description and the kubelet
 * configuration (OPEN NA-3, node-admission.md §8.5): name, labels, taints, features, capacity and
 * allocatable.
 */

export const DEFAULT_NODE_NAME = "node";

/** What the kubelet learns from the machine; `devices` come from the Device Manager's `GetCapacity`. */
export function capacityFacts(
  machine: Machine,
  devices: ReadonlyMap<string, { capacity: number; allocatable: number }>,
): CapacityFacts {
  let memoryBytes = 0n;
  const hugepages: Record<string, bigint> = {};
  for (const numa of machine.memory.values()) {
    memoryBytes += numa.memory;
    for (const pool of numa.hugepages) {
      const name = hugepageResourceName(pool.pageSizeKiB);
      hugepages[name] = (hugepages[name] ?? 0n) + BigInt(pool.pageSizeKiB) * 1024n * pool.numPages;
    }
  }
  return {
    numCPUs: machine.topology.numCPUs,
    memoryBytes,
    hugepages,
    ephemeralStorageBytes: machine.ephemeralStorage ?? null,
    devices,
    extendedResources: { ...(machine.extendedResources ?? {}) },
  };
}

export function nodeResourcesFor(
  machine: Machine,
  config: NodeConfig,
  devices: ReadonlyMap<string, { capacity: number; allocatable: number }>,
): NodeResources {
  return nodeResources(capacityFacts(machine, devices), config);
}

export function nodeNameOf(machine: Machine, config: NodeConfig): string {
  return config.nodeName || machine.nodeName || DEFAULT_NODE_NAME;
}

/** The machine's labels exactly when given; otherwise the kubelet's own hostname, os and arch labels. */
export function nodeLabelsOf(machine: Machine, config: NodeConfig): Record<string, string> {
  const name = nodeNameOf(machine, config);
  const base = machine.labels
    ? { ...machine.labels }
    : { "kubernetes.io/hostname": name, "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64" };
  return { ...base, ...(config.nodeLabels ?? {}) };
}

export function nodeObjectFor(
  machine: Machine,
  config: NodeConfig,
  devices: ReadonlyMap<string, { capacity: number; allocatable: number }>,
): NodeObject {
  const r = nodeResourcesFor(machine, config, devices);
  return {
    name: nodeNameOf(machine, config),
    labels: nodeLabelsOf(machine, config),
    // Taints controllers add (not-ready, unreachable, ...) are not invented.
    taints: [...config.registerWithTaints, ...(machine.taints ?? [])].map((t) => ({ ...t })),
    supplementalGroupsPolicy: machine.supplementalGroupsPolicy ?? true,
    capacity: r.capacity,
    allocatable: r.allocatable,
    ephemeralStorageKnown: machine.ephemeralStorage !== undefined,
  };
}
