import { compareBytewise } from "../../machine/index.js";
import {
  type ContainerDeviceRecord,
  type DevicesPerNUMA,
  NO_NUMA_NODE,
  type PodDevices,
  recordDeviceIDs,
} from "./state.js";

/*
 * The kubelet's `podDevices` operations (`pod_devices.go`) over the plain `PodDevices` map, so
 * that the state stays checkpoint-ready data.
 */

/** The empty `ContainerAllocateResponse` podpin's plugins answer with (protobuf: zero bytes). */
export const EMPTY_ALLOCATE_RESPONSE: Uint8Array = new Uint8Array(0);

/**
 * `containerDevices`: the ids a container holds for a resource, or null when there is no record
 * (Go nil; an existing record with no id gives an empty set, which several checks treat
 * differently).
 */
export function containerDeviceIDs(
  podDevices: PodDevices,
  podUID: string,
  container: string,
  resource: string,
): Set<string> | null {
  const record = podDevices.get(podUID)?.get(container)?.get(resource);
  return record ? new Set(recordDeviceIDs(record)) : null;
}

/** `podDevices(podUID, resource)`: the union over every container of the pod. */
export function podResourceDeviceIDs(podDevices: PodDevices, podUID: string, resource: string): Set<string> {
  const out = new Set<string>();
  for (const resources of podDevices.get(podUID)?.values() ?? []) {
    const record = resources.get(resource);
    if (record) for (const id of recordDeviceIDs(record)) out.add(id);
  }
  return out;
}

/** `insert`: the record replaces any earlier one of the same (pod, container, resource). */
export function insertRecord(
  podDevices: PodDevices,
  podUID: string,
  container: string,
  resource: string,
  record: ContainerDeviceRecord,
): void {
  let pod = podDevices.get(podUID);
  if (!pod) podDevices.set(podUID, (pod = new Map()));
  let resources = pod.get(container);
  if (!resources) pod.set(container, (resources = new Map()));
  resources.set(resource, record);
}

/**
 * `devices()`: the in-use set per resource. Every resource with a record gets a key (possibly an
 * empty set); a record without an `AllocateResponse` contributes no id, as in the kubelet.
 */
export function allocatedDevicesOf(podDevices: PodDevices): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const containers of podDevices.values()) {
    for (const resources of containers.values()) {
      for (const [resource, record] of resources) {
        let set = out.get(resource);
        if (!set) out.set(resource, (set = new Set()));
        if (record.allocResp !== null) for (const id of recordDeviceIDs(record)) set.add(id);
      }
    }
  }
  return out;
}

/**
 * Everything the container holds joins (`join`) or leaves the reusable sets (resource -> ids).
 * Both kubelet functions below create a resource's set empty when it is missing, removal included.
 */
function moveContainerDevices(
  podDevices: PodDevices,
  podUID: string,
  container: string,
  reusable: Map<string, Set<string>>,
  join: boolean,
): void {
  const held = podDevices.get(podUID)?.get(container);
  if (held === undefined) return;
  for (const [resource, record] of held) {
    let set = reusable.get(resource);
    if (!set) reusable.set(resource, (set = new Set()));
    for (const id of recordDeviceIDs(record)) {
      if (join) set.add(id);
      else set.delete(id);
    }
  }
}

/** `addContainerAllocatedResources`: everything the container holds joins the reusable sets. */
export function addContainerDevicesTo(
  podDevices: PodDevices,
  podUID: string,
  container: string,
  reusable: Map<string, Set<string>>,
): void {
  moveContainerDevices(podDevices, podUID, container, reusable, true);
}

/** `removeContainerAllocatedResources`: everything the container holds leaves the reusable sets. */
export function removeContainerDevicesFrom(
  podDevices: PodDevices,
  podUID: string,
  container: string,
  reusable: Map<string, Set<string>>,
): void {
  moveContainerDevices(podDevices, podUID, container, reusable, false);
}

/**
 * Devices grouped by the NUMA node they were recorded under: a device without NUMA information
 * (null or []) under `-1`, a device on several nodes under each. Keys ascending, ids in `ids`
 * order.
 */
export function groupByNUMA(
  ids: readonly string[],
  numaNodesOf: (id: string) => readonly number[] | null,
): DevicesPerNUMA {
  const groups = new Map<number, string[]>();
  const add = (node: number, id: string) => {
    const list = groups.get(node);
    if (list) list.push(id);
    else groups.set(node, [id]);
  };
  for (const id of ids) {
    const nodes = numaNodesOf(id);
    if (nodes === null || nodes.length === 0) add(NO_NUMA_NODE, id);
    else for (const node of nodes) add(node, id);
  }
  return new Map([...groups].sort(([a], [b]) => a - b));
}

/** A deep copy (records share nothing with the original). */
export function clonePodDevices(podDevices: PodDevices): PodDevices {
  const out: PodDevices = new Map();
  for (const [uid, containers] of podDevices) {
    const c = new Map<string, Map<string, ContainerDeviceRecord>>();
    for (const [name, resources] of containers) {
      const r = new Map<string, ContainerDeviceRecord>();
      for (const [resource, record] of resources) {
        r.set(resource, {
          deviceIDs: new Map([...record.deviceIDs].map(([n, ids]) => [n, [...ids]])),
          allocResp: record.allocResp === null ? null : new Uint8Array(record.allocResp),
        });
      }
      c.set(name, r);
    }
    out.set(uid, c);
  }
  return out;
}

/** Ids ascending byte-wise: the order every report and trace lists a device set in. */
export function sortedIDs(ids: Iterable<string>): string[] {
  return [...ids].sort(compareBytewise);
}
