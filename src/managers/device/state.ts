/**
 * The Device Manager's state (device-manager.md §2), the shapes its checkpoint file
 * (`device-plugins/kubelet_internal_checkpoint`) carries.
 */

/** The NUMA node a device was recorded under when it has no NUMA information. */
export const NO_NUMA_NODE = -1;

/**
 * A container's devices of one resource, grouped by the NUMA node each came from (`-1`: none; a
 * device on two nodes is listed under both). Keys ascending; ids in the order they were chosen.
 */
export type DevicesPerNUMA = Map<number, string[]>;

/** One podDevices record: what the plugin's `Allocate` gave one container for one resource. */
export interface ContainerDeviceRecord {
  deviceIDs: DevicesPerNUMA;
  /**
   * The plugin's `ContainerAllocateResponse` as protobuf bytes (null: none stored). podpin's own
   * allocations record the empty response; restored ones keep the bytes they were read with.
   */
  allocResp: Uint8Array | null;
}

/** pod UID -> container name -> resource name -> record (the kubelet's `podDevices`). */
export type PodDevices = Map<string, Map<string, Map<string, ContainerDeviceRecord>>>;

/** What a checkpoint restores into, and what a Device Manager can be started from. */
export interface DeviceStateData {
  podDevices: PodDevices;
  /**
   * Resource names the checkpoint lists as registered (`RegisteredDevices` keys). After a restart
   * each is registered with no device until its plugin reports again; the id lists are not used.
   */
  registeredResources: string[];
}

/** Every device id of a record, each once, in first-seen order. */
export function recordDeviceIDs(record: ContainerDeviceRecord): string[] {
  const seen = new Set<string>();
  for (const ids of record.deviceIDs.values()) for (const id of ids) seen.add(id);
  return [...seen];
}
