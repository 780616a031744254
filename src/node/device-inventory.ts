import { compareBytewise, type DeviceResources } from "../machine/index.js";
import { type DeviceManager, recordDeviceIDs } from "../managers/device/index.js";
import type { PodRef } from "./types.js";

/*
 * Every device-plugin device of a node with its health, whether the Device Manager counts it in
 * use, and which containers hold it: the one reading of the Device Manager that the reports
 * (simulate's node section, explain's "what would fit", the picture) share.
 */

/** A container whose podDevices record lists the device. */
export interface DeviceHolder {
  podUID: string;
  /** The pod while it is admitted; null for a removed or rejected pod whose record waits for the next purge. */
  pod: PodRef | null;
  container: string;
}

export interface InventoryDevice {
  id: string;
  /** The plugin's `TopologyInfo` (null: none sent, or a device the current list does not have). */
  numaNodes: readonly number[] | null;
  healthy: boolean;
  /** False for an in-use id that the plugin's current list does not have (known from stored allocations). */
  reported: boolean;
  /** In the Device Manager's in-use set (allocatedDevices). */
  inUse: boolean;
  /** Containers recorded as holding it (an init container and the app container reusing its device both). */
  holders: DeviceHolder[];
}

export interface InventoryResource {
  name: string;
  /** A plugin registered the name; false when only stored allocations know it. */
  registered: boolean;
  /** Ids ascending (byte-wise). */
  devices: InventoryDevice[];
}

/** What the inventory reads: the Node, or anything shaped like it. */
export interface DeviceInventorySource {
  readonly deviceManager: Pick<DeviceManager, "allocatedDeviceIDs" | "stateData" | "registeredResources">;
  deviceResources(): DeviceResources;
  pod(uid: string): { uid: string; name: string; namespace: string } | undefined;
}

type HolderIndex = Map<string, Map<string, DeviceHolder[]>>; // resource -> id -> holders

function holderIndex(source: DeviceInventorySource): HolderIndex {
  const out: HolderIndex = new Map();
  const podDevices = source.deviceManager.stateData().podDevices;
  for (const podUID of [...podDevices.keys()].sort(compareBytewise)) {
    const known = source.pod(podUID);
    const pod = known ? { uid: known.uid, name: known.name, namespace: known.namespace } : null;
    const containers = podDevices.get(podUID)!;
    for (const container of [...containers.keys()].sort(compareBytewise)) {
      for (const [resource, record] of containers.get(container)!) {
        let byId = out.get(resource);
        if (!byId) out.set(resource, (byId = new Map()));
        for (const id of recordDeviceIDs(record)) {
          const list = byId.get(id) ?? [];
          list.push({ podUID, pod, container });
          byId.set(id, list);
        }
      }
    }
  }
  return out;
}

/**
 * The node's devices per resource (names ascending): the plugins' current lists, plus in-use or
 * recorded ids the lists no longer have, each with its holders.
 */
export function deviceInventory(source: DeviceInventorySource): InventoryResource[] {
  const lists = source.deviceResources();
  const inUse = source.deviceManager.allocatedDeviceIDs();
  const holders = holderIndex(source);
  const registered = new Set(source.deviceManager.registeredResources());
  const names = new Set<string>([...lists.keys(), ...inUse.keys(), ...holders.keys()]);
  return [...names].sort(compareBytewise).map((name) => {
    const used = new Set(inUse.get(name) ?? []);
    const byId = holders.get(name) ?? new Map<string, DeviceHolder[]>();
    const devices = new Map<string, InventoryDevice>();
    for (const d of lists.get(name)?.devices ?? [])
      devices.set(d.id, {
        id: d.id,
        numaNodes: d.numaNodes,
        healthy: d.healthy,
        reported: true,
        inUse: used.has(d.id),
        holders: byId.get(d.id) ?? [],
      });
    for (const id of [...used, ...byId.keys()])
      if (!devices.has(id))
        devices.set(id, {
          id,
          numaNodes: null,
          healthy: false,
          reported: false,
          inUse: used.has(id),
          holders: byId.get(id) ?? [],
        });
    return {
      name,
      registered: registered.has(name) || (lists.get(name)?.registered ?? false),
      devices: [...devices.values()].sort((a, b) => compareBytewise(a.id, b.id)),
    };
  });
}

/**
 * The machine's NUMA nodes a device sits on: those of its `TopologyInfo` the machine has. Empty
 * for a device without NUMA information (or listing only nodes the machine lacks, which never
 * match a mask either).
 */
export function deviceNUMANodes(
  d: Pick<InventoryDevice, "numaNodes">,
  machineNodes: ReadonlySet<number>,
): number[] {
  return (d.numaNodes ?? []).filter((n) => machineNodes.has(n)).sort((a, b) => a - b);
}

/** A device a container may be given now: healthy and not in the in-use set (the kubelet's available devices). */
export function isFree(d: Pick<InventoryDevice, "healthy" | "inUse">): boolean {
  return d.healthy && !d.inUse;
}
